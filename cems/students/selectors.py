"""Reads of student records, always starting from what the user may see."""

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Model, Prefetch, Q, QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from cems.accounts.access import (
    AnyUser,
    candidates_for,
    classes_for,
    get_in_scope_or_404,
    students_for,
)
from cems.admissions.models import Candidate, CandidateStatus
from cems.catalog.models import Level, Program, StudyMode
from cems.core import idcard
from cems.core.export import choice_labels
from cems.core.forms import filter_by
from cems.core.masking import mask_birth_date, mask_id_number, mask_phone
from cems.organization.models import Station
from cems.students.models import (
    Registration,
    RequestState,
    StatusChangeApproval,
    StatusChangeRequest,
    Student,
    StudentClass,
    StudentNumberChange,
    StudentStatus,
)

_ID_LIKE = re.compile(r"^(\d{17}[\dXx]|\d{15})$")
_NUMBER_LIKE = re.compile(r"^[0-9A-Za-z]+$")

CHOICE_LABELS: dict[str, dict[Any, Any]] = {
    "program__level": dict(Level.choices),
    "program__mode": dict(StudyMode.choices),
    "status": dict(StudentStatus.choices),
}

FILTER_LOOKUPS = {
    "station": "station",
    "province": "station__province",
    "major": "program__major",
    "level": "program__level",
    "mode": "program__mode",
    "cohort": "cohort_year",
    "status": "status",
    "student_class": "student_class",
}

# What a list row or a record shows besides the student.
STUDENT_RELATED = ("station__province", "program__major", "student_class")
# The class filter offers at most this many classes; the other filters narrow them.
CLASS_CHOICES_LIMIT = 200
# A list counts its rows up to this many; beyond it says "more than".
COUNT_LIMIT = 10_000


def starts_with(field_name: str, prefix: str) -> Q:
    """`field` begins with `prefix`, in a form the field's index can answer.

    LIKE alone does not do: SQLite's ignores case, so it never uses a (binary) index, and
    PostgreSQL, ordering by the same column for a page, walks that index from its start when
    the matches lie in its middle. A range over the same prefix leads both to the matches.
    """
    condition = Q(**{f"{field_name}__startswith": prefix})
    if not prefix:
        return condition
    if connection.vendor == "sqlite":
        upper: str | None = prefix[:-1] + chr(ord(prefix[-1]) + 1)  # SQLite compares bytes
    elif prefix.isascii() and prefix.isalnum():
        upper = _alphanumeric_successor(prefix)
    else:
        return condition
    condition &= Q(**{f"{field_name}__gte": prefix})
    if upper is not None:
        condition &= Q(**{f"{field_name}__lt": upper})
    return condition


def _alphanumeric_successor(prefix: str) -> str | None:
    """The least letters-and-digits string above every string that begins with `prefix`, in
    any collation that orders digits and letters as the alphabet does (the next character
    is never punctuation, which some collations ignore): 10202503 -> 10202504,
    1029 -> 103, ZB -> ZC; None for 999 or Z."""
    chars = list(prefix)
    while chars:
        last = chars.pop()
        if last not in "9zZ":
            chars.append(chr(ord(last) + 1))
            return "".join(chars)
    return None


def search_condition(q: str) -> Q:
    """Name (part of it), 学号 or 考生号 (their beginning), or an exact ID number."""
    q = q.strip()
    if _ID_LIKE.match(q):
        number = idcard.normalize(q)
        if len(number) == 15:
            # Records hold 18-digit numbers only; an old 15-digit one is looked up in that form.
            number = idcard.upgrade_15_to_18(number)
        return Q(id_number=number)
    # A part of a name can only be found by reading every name. Reading them from the
    # name index (a subquery) is fast; SQLite would otherwise walk the student numbers in
    # order and fetch each row to look at its name, which takes seconds at a million.
    by_name = Q(pk__in=Student.objects.filter(name__contains=q).values("pk"))
    if _NUMBER_LIKE.match(q):
        by_number = starts_with("student_number", q) | starts_with("exam_number", q)
        # Digits are never part of a name; letters may be (a name in Latin letters).
        if q.isdigit():
            return by_number
        by_latin_name = Q(pk__in=Student.objects.filter(name__icontains=q).values("pk"))
        return by_number | by_latin_name
    return by_name


def student_list(*, user: AnyUser, filters: dict[str, Any] | None) -> QuerySet[Student]:
    """The user's students matching the filters; None (invalid filters) matches nothing."""
    students = students_for(user)
    if filters is None:
        return students.none()
    students = filter_by(students, filters, FILTER_LOOKUPS)
    if q := (filters.get("q") or "").strip():
        students = students.filter(search_condition(q))
    return students.select_related("station__province", "program__major", "student_class").order_by(
        "student_number"
    )


def student_get(*, user: AnyUser, pk: int) -> Student:
    return get_in_scope_or_404(students_for(user).select_related(*STUDENT_RELATED), pk=pk)


def student_counts_by(
    *, user: AnyUser, field: str, station: Station | None = None
) -> list[dict[str, Any]]:
    """Counts of the user's students grouped by one field, largest first."""
    students = students_for(user)
    if station is not None:
        students = students.filter(station=station)
    labels = CHOICE_LABELS.get(field, {})
    rows = students.values(field).annotate(count=Count("pk")).order_by("-count", field)
    return [{**row, "label": labels.get(row[field], row[field])} for row in rows]


def class_choices(
    *, user: AnyUser, filters: dict[str, Any] | None, selected: StudentClass | None = None
) -> tuple[list[StudentClass], bool]:
    """The classes the class filter offers: the user's, narrowed by the other filters chosen,
    at most CLASS_CHOICES_LIMIT (and whether there were more), the selected one always."""
    classes = classes_for(user)
    lookups = {"station": "station", "province": "station__province",
               "major": "program__major", "level": "program__level",
               "mode": "program__mode", "cohort": "cohort_year"}  # fmt: skip
    classes = filter_by(classes, filters, lookups)
    found = list(classes.order_by("-cohort_year", "code")[: CLASS_CHOICES_LIMIT + 1])
    more = len(found) > CLASS_CHOICES_LIMIT
    found = found[:CLASS_CHOICES_LIMIT]
    if selected is not None and selected not in found:
        found.insert(0, selected)
    return found, more


# --- Pages without counting the whole table --------------------------------------------------


@dataclass
class KeysetPage:
    """One page of a list ordered by a unique key, found from the key of the row before it
    (`after`) or after it (`before`) rather than by an offset: a deep page costs what the
    first one costs. The page knows its total only when it holds every row (`count`);
    otherwise the page asks for it separately (`bounded_count`), so that counting never
    delays the rows."""

    rows: list[Any]
    has_next: bool
    has_previous: bool
    next_cursor: str
    previous_cursor: str
    count: int | None
    source: QuerySet[Any] | None = field(default=None, repr=False)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def paginator(self) -> "FullCount":
        """page.paginator.count as on Django's Page, for code that wants the exact total of
        a (small) list; it counts every row when asked. The list pages never ask."""
        assert self.source is not None
        return FullCount(self.source)


class FullCount:
    def __init__(self, rows: QuerySet[Any]) -> None:
        self.rows = rows

    @cached_property
    def count(self) -> int:
        return self.rows.count()


def keyset_page(
    rows: QuerySet[Any],
    *,
    key: str,
    size: int,
    related: Sequence[str] = (),
    after: str = "",
    before: str = "",
    last: bool = False,
) -> KeysetPage:
    """A page of `rows` (ordered by the unique text column `key`) after or before a key.

    Two short queries, never a count: the keys of the page first, which an index on the
    filter and the key answers without reading the rows, then those rows with their related
    objects.
    """
    keys = rows.order_by(key)
    backwards = bool(before) or last
    if after:
        keys = keys.filter(**{f"{key}__gt": after})
    elif before:
        keys = keys.filter(**{f"{key}__lt": before})
    if backwards:
        keys = keys.order_by(f"-{key}")
    found: list[tuple[int, str]] = list(keys.values_list("pk", key)[: size + 1])
    more = len(found) > size
    found = found[:size]
    if backwards:
        found.reverse()
    # The keys came from the user's filtered scope; the rows are fetched by key alone, as
    # going through the filters again would repeat their cost (a name search reads every
    # name).
    fetch = rows.model._default_manager.select_related(*related)
    by_pk = {obj.pk: obj for obj in fetch.filter(pk__in=[pk for pk, _key in found])}
    page_rows = [by_pk[pk] for pk, _key in found if pk in by_pk]
    if backwards:
        has_previous, has_next = more, bool(before)
    else:
        has_previous, has_next = bool(after), more
    return KeysetPage(
        rows=page_rows,
        has_next=has_next,
        has_previous=has_previous,
        next_cursor=found[-1][1] if found else "",
        previous_cursor=found[0][1] if found else "",
        count=len(page_rows) if not (has_previous or has_next) else None,
        source=rows,
    )


def bounded_count(rows: QuerySet[Any], *, limit: int | None = None) -> tuple[int, bool]:
    """How many rows there are, counting no further than `limit` (COUNT_LIMIT): (count,
    exact)."""
    limit = COUNT_LIMIT if limit is None else limit
    count = rows.order_by().values("pk")[: limit + 1].count()
    return min(count, limit), count <= limit


def student_page(
    students: QuerySet[Student], *, after: str = "", before: str = "", last: bool = False
) -> KeysetPage:
    return keyset_page(
        students,
        key="student_number",
        size=settings.CEMS_PAGE_SIZE,
        related=STUDENT_RELATED,
        after=after,
        before=before,
        last=last,
    )


# --- Downloads -------------------------------------------------------------------------------


def student_export_rows(
    students: QuerySet[Student], *, full: bool
) -> tuple[list[str], Iterator[list[Any]]]:
    """The columns and rows of a download of the list; ID numbers, birth dates and phones
    masked unless `full`."""
    columns = [
        _("Student number"), _("Exam candidate number"), pgettext("person", "Name"), _("Gender"),
        _("ID number"), _("Birth date"), _("Ethnicity"), _("Phone"), _("Province"),
        _("Station"), _("Major"), _("Level"), _("Study mode"), _("Cohort"), _("Status"),
        _("Class"),
    ]  # fmt: skip

    gender, status = choice_labels(Student, "gender"), choice_labels(Student, "status")
    level, mode = choice_labels(Program, "level"), choice_labels(Program, "mode")
    # Plain values, not model instances (six per row with their related objects): a
    # station's whole list downloads in half the time.
    values = students.values_list(
        "student_number", "exam_number", "name", "gender", "id_number", "birth_date",
        "ethnicity", "phone", "station__province__name", "station__name",
        "program__major__name", "program__level", "program__mode", "cohort_year", "status",
        "student_class__name",
    )  # fmt: skip

    def rows() -> Iterator[list[Any]]:
        for (number, exam_number, name, sex, id_number, birth_date, ethnicity, phone, province,
             station, major, level_value, mode_value, cohort, status_value,
             class_name) in values.iterator(chunk_size=2000):  # fmt: skip
            yield [
                number, exam_number, name, gender(sex),
                id_number if full else mask_id_number(id_number),
                birth_date if full else mask_birth_date(birth_date),
                ethnicity, phone if full else mask_phone(phone), province, station, major,
                level(level_value), mode(mode_value), cohort, status(status_value),
                class_name or "",
            ]  # fmt: skip

    return columns, rows()


def filters_for_log(filters: dict[str, Any] | None) -> dict[str, Any]:
    """The filters of a list as a log row keeps them: chosen ones only, objects by pk and
    name."""
    if filters is None:
        return {"invalid": True}
    logged: dict[str, Any] = {}
    for key, value in filters.items():
        if value in (None, ""):
            continue
        logged[key] = f"{value.pk} {value}" if isinstance(value, Model) else value
    return logged


# --- A student's timeline --------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEvent:
    """Something that happened to a student's record; `kind` says what `subject` is:
    admitted (Candidate), enrolled (Student), registered (Registration), requested and
    cancelled (StatusChangeRequest), decided (StatusChangeApproval), renumbered
    (StudentNumberChange)."""

    at: dt.datetime
    kind: str
    subject: Any
    order: int = 0  # breaks ties between events of the same moment: later steps first


@dataclass
class Timeline:
    events: list[TimelineEvent] = field(default_factory=list)
    candidate: Candidate | None = None
    number_changes: Sequence[StudentNumberChange] = ()


def student_timeline(*, student: Student) -> Timeline:
    """Everything on a student's record, newest first, in five queries whatever its length:
    the admission (candidate and its import), registrations, status change requests with
    their approvals, and number changes."""
    candidate = Candidate.objects.filter(student=student).select_related("source").first()
    registrations = list(
        Registration.objects.filter(student=student).select_related("registered_by")
    )
    requests = list(
        StatusChangeRequest.objects.filter(student=student)
        .select_related("filed_by", "new_program__major", "new_station")
        .prefetch_related(
            Prefetch(
                "approvals",
                queryset=StatusChangeApproval.objects.select_related("decided_by").order_by(
                    "decided_at", "pk"
                ),
            )
        )
    )
    changes = list(StudentNumberChange.objects.filter(student=student).order_by("changed_at", "pk"))

    events = [TimelineEvent(student.created_at, "enrolled", student, order=1)]
    if candidate is not None:
        events.append(TimelineEvent(candidate.created_at, "admitted", candidate))
    events += [TimelineEvent(r.registered_at, "registered", r) for r in registrations]
    for request in requests:
        events.append(TimelineEvent(request.filed_at, "requested", request))
        events += [
            TimelineEvent(approval.decided_at, "decided", approval, order=2)
            for approval in request.approvals.all()
        ]
        if request.state == RequestState.CANCELLED and request.decided_at:
            events.append(TimelineEvent(request.decided_at, "cancelled", request, order=2))
    events += [TimelineEvent(c.changed_at, "renumbered", c, order=3) for c in changes]
    events.sort(key=lambda event: (event.at, event.order), reverse=True)
    return Timeline(events=events, candidate=candidate, number_changes=changes)


# --- Enrollment ------------------------------------------------------------------------------

CANDIDATE_FILTER_LOOKUPS = {
    "year": "admission_year",
    "station": "station",
    "level": "level",
    "major": "major",
    "mode": "mode",
}


def enrollable_candidates(*, user: AnyUser, filters: dict[str, Any] | None) -> QuerySet[Candidate]:
    """The user's admitted candidates not enrolled yet, matching the filters."""
    candidates = candidates_for(user).filter(status=CandidateStatus.ADMITTED, student=None)
    if filters is None:
        return candidates.none()
    return (
        filter_by(candidates, filters, CANDIDATE_FILTER_LOOKUPS)
        .select_related("station", "program__major", "source")
        .order_by("admission_year", "station__code", "major__code", "exam_number")
    )


def candidates_waiting_by_year(*, user: AnyUser) -> list[dict[str, int]]:
    """How many of the user's admitted candidates wait for enrollment, per admission year."""
    rows = (
        candidates_for(user)
        .filter(status=CandidateStatus.ADMITTED, student=None)
        .values("admission_year")
        .annotate(count=Count("pk"))
        .order_by("-admission_year")
    )
    return list(rows)
