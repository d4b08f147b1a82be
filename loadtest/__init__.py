"""Load and fault tests of CEMS (`make loadtest`), not run by `make test`.

- `python -m loadtest`: for SQLite, then PostgreSQL (LOADTEST_DATABASE_URL), a demo database
  at the seed's scale served by gunicorn on loopback, under a realistic mix of users driven
  by locust (locustfile.py); prints the figures and PASS/FAIL against the targets, then
  runs the fault tests (faults.py) on the same databases.
- `python -m loadtest.faults`: the fault tests alone (each database set up afresh).

Environment: LOADTEST_USERS (100), LOADTEST_MINUTES (5), LOADTEST_SPAWN_RATE (2 users a second),
LOADTEST_DATABASE_URL (postgres://postgres@127.0.0.1:5432/cems_load; "none" skips
PostgreSQL), LOADTEST_WORKERS (4), LOADTEST_THREADS (2), LOADTEST_KEEP (keep each run's
folder: database, gunicorn log, the SQLite write-lock trace of trace.py), LOADTEST_TRACE_MS
(200: the shortest lock wait or hold the trace records).
"""
