"""Fault tests: the server killed (SIGKILL to gunicorn's master and workers) while a write
is in flight, then restarted; the write must have happened entirely or not at all.

    python -m loadtest.faults     (each database migrated and seeded afresh first)

1. An admission import: generated files of LOADTEST_FAULT_ROWS (15,000) new candidates
   each are uploaded and previewed; the first is confirmed uninterrupted, to measure; the
   next one's confirmation is posted and the server killed at 70% of that time. After the
   restart the import is either still previewed with no candidate written, or confirmed
   with every row written; when nothing was written it is confirmed again, successfully.
2. A graduation approval: the approvable results of the demo's graduation audit are split
   in four sets; the first is approved uninterrupted, to measure; the next is approved and
   the server killed at 70% of that time. After the restart either every selected student
   is graduated (result approved, diploma number, status) or none is, and no diploma
   number series has a gap; when none was, they are approved again, successfully.

A kill counts only if the response never arrived (the request was in flight). Until a kill
comes before the commit (nothing written), the next set is tried with half the delay; a
test fails if none of its three tries did.
"""

import datetime as dt
import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import requests

from loadtest.server import Database, Server, databases, set_up

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
IMPORT_DETAIL = re.compile(r"/admissions/imports/(\d+)/$")
ROWS = int(os.environ.get("LOADTEST_FAULT_ROWS", "15000"))
PASSWORD = "cems-demo-2026"  # noqa: S105 - the demo password (cems.accounts.demo)
TIMEOUT = 300
# When to kill, as a share of the uninterrupted request's time: late, so that the writing
# has likely begun; halved for the next try if the response still came first.
FIRST_KILL = 0.7
TRIES = 4  # one uninterrupted request to measure, then up to three kills


class Browser:
    """A signed-in session of a demo user against a server."""

    def __init__(self, server: Server, username: str) -> None:
        self.base = server.url
        self.session = requests.Session()
        form = self.session.get(f"{self.base}/accounts/login/", timeout=TIMEOUT)
        token = CSRF_FIELD.search(form.text)
        answer = self.session.post(
            f"{self.base}/accounts/login/",
            data={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        if answer.status_code != 302:
            raise SystemExit(f"login of {username} failed ({answer.status_code})")

    def post(self, path: str, data: dict[str, Any], **kwargs: Any) -> requests.Response:
        data = {**data, "csrfmiddlewaretoken": self.session.cookies.get("csrftoken", "")}
        return self.session.post(f"{self.base}{path}", data=data, allow_redirects=False,
                                 timeout=TIMEOUT, **kwargs)  # fmt: skip

    def get(self, path: str) -> requests.Response:
        return self.session.get(f"{self.base}{path}", allow_redirects=False, timeout=TIMEOUT)


def timed(call: Callable[[], requests.Response]) -> tuple[requests.Response, float]:
    started = time.monotonic()
    answer = call()
    return answer, time.monotonic() - started


def kill_during(
    server: Server,
    call: Callable[[], requests.Response],
    delay: float,
    writing: Callable[[], bool] | None = None,
) -> bool:
    """Send the request, SIGKILL the server `delay` seconds after sending it (or, given
    `writing`, as soon as it says the write transaction is open, waiting at most twice the
    delay); whether the request was in flight (no response arrived before the kill)."""
    outcome: dict[str, Any] = {}
    started = threading.Event()

    def send() -> None:
        started.set()
        try:
            outcome["response"] = call()
        except requests.RequestException as error:
            outcome["error"] = error

    thread = threading.Thread(target=send)
    thread.start()
    started.wait()
    if writing is None:
        time.sleep(delay)
    else:
        deadline = time.monotonic() + 2 * delay
        while time.monotonic() < deadline and "response" not in outcome and not writing():
            time.sleep(0.002)
    in_flight = "response" not in outcome
    server.kill()
    thread.join(timeout=TIMEOUT)
    return in_flight and "response" not in outcome


def _when(started: float, writing: Callable[[], bool] | None) -> str:
    seconds = f"{time.monotonic() - started:.2f} s"
    return seconds if writing is None else f"{seconds}, once the write transaction was open,"


def _note_audit_trail(state: dict[str, Any]) -> None:
    """The approval logs one audit event per graduate after its transaction: a crash in
    between leaves graduates without theirs. Reported, not a failure of this test."""
    events, graduations = state["audit_events"], state["graduations"]
    mark = "ok" if events == graduations else "note"
    print(f"  [{mark}] {events:,} of {graduations:,} graduations have their audit event "
          f"(graduation.approve)")  # fmt: skip


def _arrival(in_flight: bool) -> str:
    return "no response had arrived" if in_flight else "the response came first"


class Checks:
    def __init__(self, label: str) -> None:
        self.label = label
        self.failed: list[str] = []

    def check(self, ok: bool, what: str) -> None:
        print(f"  [{'ok' if ok else 'FAILED'}] {what}", flush=True)
        if not ok:
            self.failed.append(what)


def _report_hits(checks: Checks, hits: list[bool]) -> None:
    """A kill must have come while the request was in flight and before its commit (it
    left nothing written) at least once; a kill after the commit, before the response,
    shows the other side of all-or-none but not a rollback."""
    checks.check(any(hits), "a kill came in the middle of the request, before its commit, "
                 "and nothing was written")  # fmt: skip


@contextmanager
def write_watch(db: Database, table: str) -> Iterator[Callable[[], bool] | None]:
    """On PostgreSQL, whether another session holds a row-exclusive lock on the table: a
    write transaction into it is open (the lock is kept until it ends). None on SQLite,
    whose writers are not visible from outside: there the kill comes after a delay."""
    if not db.url:
        yield None
        return
    import psycopg

    query = (
        "SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = %s "
        "AND l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid() LIMIT 1"
    )
    with psycopg.connect(db.url, autocommit=True) as connection:
        yield lambda: connection.execute(query, [table]).fetchone() is not None


def probe(db: Database, *args: str) -> Any:
    return json.loads(db.module("loadtest.probe", *args))


def _upload(browser: Browser, path: str) -> int:
    with open(path, "rb") as data:
        answer = browser.post("/admissions/imports/new/", {"admission_year": 2026},
                              files={"file": (Path(path).name, data)})  # fmt: skip
    found = IMPORT_DETAIL.search(answer.headers.get("Location", ""))
    if answer.status_code != 302 or not found:
        raise SystemExit(f"the upload of {path} was not previewed ({answer.status_code})")
    return int(found.group(1))


def admission_fault(db: Database, checks: Checks) -> None:
    print(f"-- admission import of {ROWS:,} rows, server killed during the confirmation")
    files = probe(db, "admission-files", str(db.var_dir), str(ROWS))["paths"]
    server = Server(db, "fault-admission").start()
    try:
        browser = Browser(server, "academic")
        first = _upload(browser, files[0])
        answer, seconds = timed(lambda: browser.post(f"/admissions/imports/{first}/confirm/", {}))
        state = probe(db, "admission", str(first))
        checks.check(state["state"] == "confirmed" and state["written"] == ROWS,
                     f"uninterrupted confirmation: {state['written']:,} of {ROWS:,} rows "
                     f"written in {seconds:.2f} s")  # fmt: skip
        delay = seconds * FIRST_KILL
        hits: list[bool] = []  # per try: whether the kill came in flight, before the commit
        for path in files[1:]:
            pk = _upload(browser, path)
            with write_watch(db, "admissions_candidate") as writing:
                started = time.monotonic()
                confirm = partial(browser.post, f"/admissions/imports/{pk}/confirm/", {})
                in_flight = kill_during(server, confirm, delay, writing)
            print(f"  killed the server {_when(started, writing)} into the confirmation of "
                  f"import {pk}: {_arrival(in_flight)}")  # fmt: skip
            server = Server(db, "fault-admission").start()
            state = probe(db, "admission", str(pk))
            whole = state["state"] == "confirmed" and state["written"] == ROWS == state["created"]
            none = state["state"] == "previewed" and state["written"] == 0
            checks.check(whole or none,
                         f"after the restart import {pk} is {state['state']} with "
                         f"{state['written']:,} of {ROWS:,} candidates written "
                         f"(all or none)")  # fmt: skip
            browser = Browser(server, "academic")
            hits.append(in_flight and none)
            if in_flight and none:
                answer = browser.post(f"/admissions/imports/{pk}/confirm/", {})
                state = probe(db, "admission", str(pk))
                checks.check(state["state"] == "confirmed" and state["written"] == ROWS,
                             f"confirmed again after the restart: {state['written']:,} rows "
                             f"written ({answer.status_code})")  # fmt: skip
                break
            delay /= 2  # too late: the response, or at least the commit, came first
        _report_hits(checks, hits)
    finally:
        server.stop()


def graduation_fault(db: Database, checks: Checks) -> None:
    setup = probe(db, "graduation-setup")
    run, results = setup["run"], setup["results"]
    print(f"-- graduation approval of audit {run}, server killed during the approval "
          f"({len(results):,} approvable results, in {TRIES} sets)")  # fmt: skip
    if not run or len(results) < 30:
        checks.check(False, "a done graduation audit with approvable results")
        return
    size = len(results) // TRIES
    sets = [results[n * size : (n + 1) * size] for n in range(TRIES)]
    today = dt.date.today().isoformat()
    server = Server(db, "fault-graduation").start()

    def approve(browser: Browser, ids: list[int]) -> requests.Response:
        return browser.post(f"/graduation/audits/{run}/approve/",
                            {"results": ids, "graduated_on": today})  # fmt: skip

    def state_of(ids: list[int]) -> dict[str, Any]:
        path = db.var_dir / "approval.json"
        path.write_text(json.dumps(ids))
        answer: dict[str, Any] = probe(db, "graduation", str(path))
        return answer

    try:
        browser = Browser(server, "academic")
        _answer, seconds = timed(lambda: approve(browser, sets[0]))
        state = state_of(sets[0])
        checks.check(state["graduations"] == len(sets[0]) and not state["gaps"],
                     f"uninterrupted approval: {state['graduations']:,} of {len(sets[0]):,} "
                     f"graduated in {seconds:.2f} s")  # fmt: skip
        _note_audit_trail(state)
        delay = seconds * FIRST_KILL
        hits: list[bool] = []
        for ids in sets[1:]:
            with write_watch(db, "graduation_graduation") as writing:
                started = time.monotonic()
                in_flight = kill_during(server, partial(approve, browser, ids), delay, writing)
            print(f"  killed the server {_when(started, writing)} into the approval of "
                  f"{len(ids):,} students: {_arrival(in_flight)}")  # fmt: skip
            server = Server(db, "fault-graduation").start()
            state = state_of(ids)
            counts = {state[key] for key in ("graduations", "numbered", "approved", "graduated")}
            checks.check(counts in ({0}, {len(ids)}),
                         f"after the restart {state['graduations']:,} of {len(ids):,} graduated, "
                         f"{state['numbered']:,} with diploma numbers, {state['approved']:,} "
                         f"results approved, {state['graduated']:,} students graduated "
                         f"(all or none)")  # fmt: skip
            checks.check(not state["gaps"],
                         "no gap in the diploma number series"
                         + (f": {'; '.join(state['gaps'])}" if state["gaps"] else ""))  # fmt: skip
            if state["graduations"]:
                _note_audit_trail(state)
            browser = Browser(server, "academic")
            hits.append(in_flight and counts == {0})
            if in_flight and counts == {0}:
                approve(browser, ids)
                state = state_of(ids)
                checks.check(state["graduations"] == len(ids) and not state["gaps"],
                             f"approved again after the restart: {state['graduations']:,} "
                             f"graduated, series without gaps")  # fmt: skip
                _note_audit_trail(state)
                break
            delay /= 2  # too late: the response, or at least the commit, came first
        _report_hits(checks, hits)
    finally:
        server.stop()


def run(db: Database) -> bool:
    """Both fault tests against a seeded database; whether every check held."""
    checks = Checks(db.label)
    admission_fault(db, checks)
    graduation_fault(db, checks)
    verdict = "PASS" if not checks.failed else f"FAIL: {len(checks.failed)} checks failed"
    print(f"{db.label} faults: {verdict}", flush=True)
    return not checks.failed


def main() -> None:
    verdicts = []
    for db in databases():
        try:
            print(f"== {db.label}: migrate and seed_demo", flush=True)
            print(f"   ready in {set_up(db):.0f} s", flush=True)
            print(f"== {db.label}: faults", flush=True)
            verdicts.append(run(db))
        finally:
            db.close()
    if not all(verdicts):
        sys.exit(1)


if __name__ == "__main__":
    main()
