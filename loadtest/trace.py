"""Where SQLite's one write lock goes, under load (installed by loadtest.wsgi on SQLite).

Every write transaction of CEMS on SQLite starts with BEGIN IMMEDIATE, which takes the
database's single write lock; every other writer waits at its own BEGIN (the busy timeout)
until the lock is released at COMMIT or ROLLBACK. One slow transaction therefore stalls all
writers, and a writer that waits longer than the busy timeout fails with "database is
locked". This records, per web request, how long it waited at BEGIN and how long it held the
lock, and writes a line to LOADTEST_TRACE (a file) for every hold or wait longer than
TRACE_MS (default 200) and every request slower than the load test's p95 target (300 ms): the
load test's report prints the worst of them, so that a stall names the request that caused
it, and which requests missed the target.
"""

import json
import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connections
from django.db.backends.sqlite3.base import DatabaseWrapper

TRACE_MS = float(os.environ.get("LOADTEST_TRACE_MS", "200"))
SLOW_REQUEST_MS = 300.0
_local = threading.local()
_write_lock = threading.Lock()


def _write(line: dict[str, Any]) -> None:
    path = os.environ.get("LOADTEST_TRACE")
    if not path:
        return
    line = {"pid": os.getpid(), "at": round(time.time(), 3), **line}
    with _write_lock, open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")


def _request() -> str:
    return getattr(_local, "request", "-")


def _statements() -> list[tuple[float, str]]:
    found: list[tuple[float, str]] | None = getattr(_local, "statements", None)
    if found is None:
        found = _local.statements = []
    return found


def _begin(original: Callable[[DatabaseWrapper], None]) -> Callable[[DatabaseWrapper], None]:
    def begin(self: DatabaseWrapper) -> None:
        started = time.monotonic()
        original(self)
        now = time.monotonic()
        waited = (now - started) * 1000
        _local.held_since = now
        _statements().clear()
        if waited > TRACE_MS:
            _write({"kind": "wait", "ms": round(waited), "request": _request()})

    return begin


def _end(
    original: Callable[[DatabaseWrapper], None], how: str
) -> Callable[[DatabaseWrapper], None]:
    def end(self: DatabaseWrapper) -> None:
        started = getattr(_local, "held_since", None)
        try:
            original(self)
        finally:
            if started is not None and not self.in_atomic_block:
                _local.held_since = None
                held = (time.monotonic() - started) * 1000
                if held > TRACE_MS:
                    statements = _statements()
                    in_sql = sum(ms for ms, _sql in statements)
                    slowest = sorted(statements, reverse=True)[:3]
                    _write(
                        {
                            "kind": "hold",
                            "ms": round(held),
                            "how": how,
                            "request": _request(),
                            "statements": len(statements),
                            "sql_ms": round(in_sql),
                            "slowest": [(round(ms), sql[:160]) for ms, sql in slowest],
                        }
                    )

    return end


def _timed(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
    started = time.monotonic()
    try:
        return execute(sql, params, many, context)
    finally:
        if getattr(_local, "held_since", None) is not None:
            _statements().append(((time.monotonic() - started) * 1000, sql))


def install() -> None:
    """Patch the SQLite backend's BEGIN, COMMIT and ROLLBACK (this process only)."""
    wrapper: Any = DatabaseWrapper
    wrapper._start_transaction_under_autocommit = _begin(
        wrapper._start_transaction_under_autocommit
    )
    wrapper._commit = _end(wrapper._commit, "commit")
    wrapper._rollback = _end(wrapper._rollback, "rollback")


def wrap(application: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """The WSGI application, noting each request's method and path, and its time."""

    def traced(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        _local.request = f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}"
        started = time.monotonic()
        try:
            with connections["default"].execute_wrapper(_timed):
                return application(environ, start_response)
        finally:
            took = (time.monotonic() - started) * 1000
            if took > SLOW_REQUEST_MS:
                _write({"kind": "slow", "ms": round(took), "request": _request()})
            _local.request = "-"

    return traced
