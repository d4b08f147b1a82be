"""The public page's figures: the whole school's counts, for anyone, live from the data.

They are school-wide aggregates without any person's data, which is why they do not start
from a user's scope (a visitor has none). Computing them takes a fixed number of aggregate
queries (`FIGURE_QUERIES`) whatever the data; they are cached under a key that holds a
*data version*, a random token replaced whenever data behind them change:

- `post_save` / `post_delete` of the models that feed them call `data_changed()`;
- writes that send no signals (`bulk_insert`, `bulk_create`, `QuerySet.update()`) must call
  `data_changed()` themselves;
- whatever is missed anyway is at most `CACHE_SECONDS` old.

The cached figures hold codes and both names, never translated labels, so one entry serves
both languages; labels are chosen when the page is drawn (`page_context`).
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Model
from django.db.models.signals import post_delete, post_save
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from cems.catalog.models import Level, Major, Program, StudyMode
from cems.core import versions
from cems.core.signals import bulk_written
from cems.organization.honors import public_honors
from cems.organization.models import Honor, Province, Station
from cems.reports.charts import Point, bar_chart
from cems.students.models import Student, StudentStatus
from cems.training.models import Enrollment, Project, Trainee, TrainingCategory
from cems.training.reports import training_report

CACHE_SECONDS = 5 * 60
VERSION_KEY = "public:data-version"
FIGURES_KEY = "public:figures:{version}"
# Queries to compute the figures (the page's cached copy needs none).
FIGURE_QUERIES = 11

MISSION = gettext_lazy(
    "The School of Continuing Education of Hunan University of Science and Technology runs "
    "the university's adult degree education and its non-degree training. Through "
    "correspondence stations and teaching points in several provinces it offers working "
    "adults correspondence and spare-time degree programs, and it trains primary and "
    "secondary school teachers and principals, including for the National Training Program, "
    "as well as the coal industry's managers and its safety and special-operations staff."
)

# The models whose rows the figures count; a save or delete of any of them is a change.
FEEDING_MODELS: tuple[type[Model], ...] = (
    Province, Station, Student, Major, Program, TrainingCategory, Project, Enrollment,
    Trainee, Honor,
)  # fmt: skip


# --- The data version ------------------------------------------------------------------------


def _bump() -> None:
    versions.replace(VERSION_KEY)


def data_changed(**_signal_kwargs: Any) -> None:
    """The data behind the public figures changed: the next page computes them again
    (cems/core/versions.py: at once, and again when the transaction commits)."""
    versions.changed(_bump)


def data_version() -> str:
    return versions.read(VERSION_KEY)


def _bulk_written(sender: type[Model], **_signal_kwargs: Any) -> None:
    if sender in FEEDING_MODELS:
        data_changed()


bulk_written.connect(_bulk_written, dispatch_uid="public-figures-bulk")
# Deletions are listened to only for the small tables: a receiver of a model's deletions makes
# Django load every row it deletes (no fast delete), which a reset of a million students must
# not do. Students, enrollments and trainees are not deleted in use (their status changes);
# the cache's expiry covers a deletion of them.
_LARGE = (Student, Enrollment, Trainee)
for _model in FEEDING_MODELS:
    post_save.connect(data_changed, sender=_model, dispatch_uid=f"public-figures-save-{_model}")
    if _model not in _LARGE:
        post_delete.connect(
            data_changed, sender=_model, dispatch_uid=f"public-figures-delete-{_model}"
        )


# --- The figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryFigure:
    code: str
    name: str
    name_en: str
    projects: int
    trainees: int


@dataclass(frozen=True)
class HonorFigure:
    pk: int
    name: str
    name_en: str
    grantor: str
    grantor_en: str
    year: int
    has_image: bool


@dataclass(frozen=True)
class PublicFigures:
    provinces: int  # with an active station
    stations: int  # active
    registered: int  # students whose status is registered
    majors: int  # with at least one offered program
    programs: int  # offered
    students_by_level: dict[str, int]
    students_by_mode: dict[str, int]
    programs_by_level: dict[str, int]
    programs_by_mode: dict[str, int]
    categories: list[CategoryFigure]
    training_projects: int
    trained: int  # distinct people across categories
    honors: list[HonorFigure]


def compute_figures() -> PublicFigures:
    """The figures from the database, in FIGURE_QUERIES queries."""
    network = Station.objects.filter(is_active=True).aggregate(
        stations=Count("id"), provinces=Count("province", distinct=True)
    )
    students_by_level: dict[str, int] = {}
    students_by_mode: dict[str, int] = {}
    registered = (
        Student.objects.filter(status=StudentStatus.REGISTERED)
        .values("program__level", "program__mode")
        .annotate(count=Count("id"))
        .order_by()
    )
    for row in registered:
        level, mode = row["program__level"], row["program__mode"]
        students_by_level[level] = students_by_level.get(level, 0) + row["count"]
        students_by_mode[mode] = students_by_mode.get(mode, 0) + row["count"]
    offered = Program.objects.filter(is_offered=True)
    majors = offered.aggregate(majors=Count("major", distinct=True))["majors"]
    programs_by_level: dict[str, int] = {}
    programs_by_mode: dict[str, int] = {}
    for row in offered.values("level", "mode").annotate(count=Count("id")).order_by():
        level, mode = row["level"], row["mode"]
        programs_by_level[level] = programs_by_level.get(level, 0) + row["count"]
        programs_by_mode[mode] = programs_by_mode.get(mode, 0) + row["count"]
    # The training office's own report (six queries), so both count people the same way.
    totals = [row for row in training_report({}) if row.year is None]
    categories = [
        CategoryFigure(
            row.category.code, row.category.name, row.category.name_en, row.projects, row.trainees
        )
        for row in totals
        if row.category is not None
    ]
    overall = next((row for row in totals if row.category is None), None)
    honors = [
        HonorFigure(h.pk, h.name, h.name_en, h.grantor, h.grantor_en, h.year, bool(h.image))
        for h in public_honors()
    ]
    return PublicFigures(
        provinces=network["provinces"],
        stations=network["stations"],
        registered=sum(students_by_level.values()),
        majors=majors,
        programs=sum(programs_by_level.values()),
        students_by_level=students_by_level,
        students_by_mode=students_by_mode,
        programs_by_level=programs_by_level,
        programs_by_mode=programs_by_mode,
        categories=categories,
        training_projects=overall.projects if overall else 0,
        trained=overall.trainees if overall else 0,
        honors=honors,
    )


def public_figures() -> PublicFigures:
    """The figures from the cache, computed when the data changed or the copy is too old."""
    key = FIGURES_KEY.format(version=data_version())
    figures = cache.get(key)
    if not isinstance(figures, PublicFigures):
        figures = compute_figures()
        cache.set(key, figures, CACHE_SECONDS)
    return figures


# --- The page ---------------------------------------------------------------------------------


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _named(chinese: str, english: str) -> str:
    return english if english and _english() else chinese


@dataclass(frozen=True)
class Breakdown:
    label: str
    programs: int
    students: int


@dataclass(frozen=True)
class HonorLine:
    pk: int
    name: str
    grantor: str
    year: int
    has_image: bool


def _breakdown(choices: Any, programs: dict[str, int], students: dict[str, int]) -> list[Breakdown]:
    return [
        Breakdown(str(label), programs.get(code, 0), students.get(code, 0))
        for code, label in choices
        if programs.get(code) or students.get(code)
    ]


def _students_chart(rows: list[Breakdown], title: str) -> SafeString:
    # No links: the lists behind the figures are not public.
    return bar_chart([Point(row.label, row.students) for row in rows], title=title)


def page_context() -> dict[str, Any]:
    """What the public page shows, in the current language."""
    figures = public_figures()
    levels = _breakdown(Level.choices, figures.programs_by_level, figures.students_by_level)
    modes = _breakdown(StudyMode.choices, figures.programs_by_mode, figures.students_by_mode)
    categories = [(_named(c.name, c.name_en), c.projects, c.trainees) for c in figures.categories]
    training_title = _("People trained per training category")
    return {
        "school_name": _named(settings.CEMS_SCHOOL_NAME, settings.CEMS_SCHOOL_NAME_EN),
        "mission": MISSION,
        "figures": figures,
        "levels": levels,
        "modes": modes,
        "level_chart": _students_chart(levels, _("Registered students per program level")),
        "mode_chart": _students_chart(modes, _("Registered students per study mode")),
        "categories": categories,
        "training_chart": bar_chart(
            [Point(name, trainees) for name, _projects, trainees in categories],
            title=training_title,
        ),
        "training_title": training_title,
        "honors": [
            HonorLine(
                h.pk,
                _named(h.name, h.name_en),
                _named(h.grantor, h.grantor_en),
                h.year,
                h.has_image,
            )
            for h in figures.honors
        ],
    }
