"""The load's users (run by `python -m loadtest`, which passes the plan of loadtest.prepare in
LOADTEST_PLAN). Everyone signs in through the real login form with its CSRF token.

- students read their grades and their fees page;
- teachers save grades cell by cell through the grade grid's htmx endpoint, sending the
  value the cell showed (the compare-and-swap `expected`);
- station staff search the student list and export it as CSV;
- one user of academic affairs uploads a sample admission file, then confirms it, every
  so often;
- school leaders open the dashboard; visitors read the public page.

A request fails unless it answers as a browser expects: 200 for a page (a redirect to the
login page is a failure), 302 after a form, a saved grade cell that is not refused.
"""

import itertools
import json
import os
import random
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOADTEST_PLAN"]).read_text())
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CELL = re.compile(
    r'<input type="hidden" name="entry" value="(\d+)">'
    r'<input type="hidden" name="field" value="(\w+)">'
    r'<input type="hidden" name="expected" value="([^"]*)">'
)
SCORE_FIELDS = ("score", "coursework", "exam")
IMPORT_DETAIL = re.compile(r"/admissions/imports/(\d+)/$")
_turns: dict[str, Iterator[int]] = {}
# Every request of the whole run, sign-ins included: written to LOADTEST_TALLY when the run
# stops. Locust's own statistics are reset once every user has signed in (a sign-in costs
# half a second of CPU for the password hash: the ramp-up is a storm of them), so that they
# show the steady load.
_tally: dict[str, Any] = {"times": [], "failures": {}, "signed_in_after": None}
_ready = itertools.count(1)
_started = time.monotonic()


def ready(environment: Any) -> None:
    """A user has started (signed in, unless a visitor): once all have, reset the stats."""
    wanted = getattr(environment.parsed_options, "num_users", None) or 0
    if next(_ready) == wanted and _tally["signed_in_after"] is None:
        _tally["signed_in_after"] = round(time.monotonic() - _started, 1)
        environment.runner.stats.reset_all()


@events.request.add_listener
def _count(name: str, response_time: float, exception: BaseException | None, **_kw: Any) -> None:
    _tally["times"].append(response_time)
    if exception is not None:
        key = f"{name}: {exception}"[:200]
        _tally["failures"][key] = _tally["failures"].get(key, 0) + 1


@events.quitting.add_listener
def _write_tally(**_kw: Any) -> None:
    if path := os.environ.get("LOADTEST_TALLY"):
        Path(path).write_text(json.dumps(_tally))


def _next(kind: str, items: list[Any]) -> Any:
    """The next of a list, round robin over the users of a kind (one locust process)."""
    turn = _turns.setdefault(kind, itertools.count())
    return items[next(turn) % len(items)]


class CemsUser(HttpUser):
    abstract = True
    wait_time = between(2, 6)

    def csrf(self) -> str:
        return str(self.client.cookies.get("csrftoken", ""))

    def login(self, username: str) -> None:
        form = self.client.get("/accounts/login/", name="login form")
        token = CSRF_FIELD.search(form.text)
        data = {"username": username, "password": PLAN["password"],
                "csrfmiddlewaretoken": token.group(1) if token else ""}  # fmt: skip
        with self.client.post("/accounts/login/", data=data, name="login", allow_redirects=False,
                              catch_response=True) as answer:  # fmt: skip
            location = answer.headers.get("Location", "")
            if answer.status_code != 302 or "/accounts/login/" in location:
                answer.failure(f"login of {username} refused ({answer.status_code})")
        ready(self.environment)

    def page(self, url: str, name: str, **params: Any) -> str:
        """GET a page that must answer 200 itself (not a redirect to the login page)."""
        with self.client.get(url, params=params or None, name=name, allow_redirects=False,
                             catch_response=True) as answer:  # fmt: skip
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code} {answer.headers.get('Location', '')}")
            return str(answer.text)

    def post_form(self, url: str, name: str, data: dict[str, Any], **kwargs: Any) -> Any:
        """POST a form that must answer with a redirect (302); the response."""
        data = {**data, "csrfmiddlewaretoken": self.csrf()}
        with self.client.post(url, data=data, name=name, allow_redirects=False,
                              catch_response=True, **kwargs) as answer:  # fmt: skip
            if answer.status_code != 302:
                answer.failure(f"{answer.status_code} instead of a redirect")
            return answer


class Student(CemsUser):
    weight = 50

    def on_start(self) -> None:
        self.login(_next("students", PLAN["students"]))

    @task(3)
    def my_grades(self) -> None:
        self.page("/teaching/my-grades/", "student: my grades")

    @task(2)
    def my_fees(self) -> None:
        self.page("/fees/mine/", "student: my fees")


class Teacher(CemsUser):
    weight = 20
    wait_time = between(1, 4)  # typing grades, cell after cell

    def on_start(self) -> None:
        pair = _next("teachers", PLAN["teachers"])
        self.offering = pair["offering"]
        self.login(pair["username"])
        self.cells: dict[tuple[str, str], str] = {}
        self.load_grid()

    def load_grid(self) -> None:
        html = self.page(f"/teaching/offerings/{self.offering}/grades/", "teacher: grade grid")
        self.cells = {(entry, field): expected for entry, field, expected in CELL.findall(html)
                      if field in SCORE_FIELDS}  # fmt: skip

    @task(1)
    def reload(self) -> None:
        self.load_grid()

    @task(6)
    def save_cell(self) -> None:
        if not self.cells:
            return
        entry, field = random.choice(sorted(self.cells))  # noqa: S311 - not cryptographic
        value = str(random.randint(40, 100))  # noqa: S311 - not cryptographic
        data = {"entry": entry, "field": field, "expected": self.cells[(entry, field)],
                "value": value, "csrfmiddlewaretoken": self.csrf()}  # fmt: skip
        headers = {"HX-Request": "true", "X-CSRFToken": self.csrf()}
        with self.client.post(f"/teaching/offerings/{self.offering}/grades/cells/", data=data,
                              headers=headers, name="teacher: save grade cell",
                              allow_redirects=False, catch_response=True) as answer:  # fmt: skip
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}")
                return
            if 'class="cell invalid"' in answer.text:
                answer.failure(f"value refused: {value} in {field}")
            # The cell's new expected value (what is stored now, after a save or a conflict).
            for new_entry, new_field, expected in CELL.findall(answer.text):
                self.cells[(new_entry, new_field)] = expected


class StationStaff(CemsUser):
    weight = 15

    def on_start(self) -> None:
        staff = _next("station", PLAN["station_staff"])
        self.queries: list[str] = staff["queries"]
        self.login(staff["username"])

    @task(4)
    def search(self) -> None:
        query = random.choice(self.queries)  # noqa: S311 - not cryptographic
        self.page("/students/", "station: student search", q=query)

    @task(1)
    def browse(self) -> None:
        page = random.randint(1, 5)  # noqa: S311 - not cryptographic
        self.page("/students/", "station: student list page", page=page)

    @task(1)
    def export(self) -> None:
        self.page("/students/", "station: student list csv", format="csv")


class AcademicImports(CemsUser):
    fixed_count = 1
    wait_time = between(15, 30)

    def on_start(self) -> None:
        self.login(PLAN["academic"])

    @task
    def import_file(self) -> None:
        self.page("/admissions/imports/new/", "academic: upload form")
        path = Path(_next("files", PLAN["admission_files"]))
        upload = self.post_form(
            "/admissions/imports/new/",
            "academic: admission upload",
            {"admission_year": PLAN["admission_year"]},
            files={"file": (path.name, path.read_bytes())},
        )
        found = IMPORT_DETAIL.search(upload.headers.get("Location", ""))
        if not found:
            return
        pk = found.group(1)
        self.page(f"/admissions/imports/{pk}/", "academic: import preview")
        self.post_form(f"/admissions/imports/{pk}/confirm/", "academic: admission confirm", {})


class Leader(CemsUser):
    weight = 5

    def on_start(self) -> None:
        self.login(_next("leaders", PLAN["leaders"]))

    @task
    def dashboard(self) -> None:
        self.page("/", "leader: dashboard")


class Visitor(CemsUser):
    weight = 10

    def on_start(self) -> None:
        ready(self.environment)

    @task
    def public_page(self) -> None:
        self.page("/about/", "visitor: public page")
