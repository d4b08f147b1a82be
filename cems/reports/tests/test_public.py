"""The public page's figures (cems/reports/public.py): what they count, in how many queries,
and that the cached copy is replaced when the data change."""

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from cems.catalog.models import Level, Program, StudyMode
from cems.conftest import add_student
from cems.core.bulk import bulk_insert
from cems.organization.models import Honor
from cems.reports import public
from cems.students.models import Student, StudentStatus
from cems.training.models import Enrollment
from cems.training.tests.people_fixtures import make_trainee, make_training_project


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Figures cached by an earlier test belong to rows rolled back since."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def training(world):
    """Two KZ projects sharing a trainee, one TZZY project: 3 projects, 3 distinct people."""
    first = make_training_project("矿长培训班", 1, "KZ")
    second = make_training_project("矿长培训班", 2, "KZ")
    special = make_training_project("特种作业培训班", 1, "TZZY")
    one, two, three = make_trainee(1, "孙强"), make_trainee(2, "周敏"), make_trainee(3, "吴刚")
    for project, trainee in ((first, one), (first, two), (second, one), (special, three)):
        Enrollment.objects.create(project=project, trainee=trainee)
    return world


def test_figures_count_the_school(world):
    world.station_b.is_active = False
    world.station_b.save()
    add_student(world, 10, status=StudentStatus.SUSPENDED)
    Program.objects.create(
        major=world.major, level=Level.HIGH_SCHOOL_TO_BACHELOR, mode=StudyMode.SPARE_TIME,
        standard_length_years=5, credits_to_graduate=150, tuition_per_year=3000,
    )  # fmt: skip
    Program.objects.create(
        major=world.major, level=Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE,
        mode=StudyMode.SPARE_TIME, standard_length_years=2.5, credits_to_graduate=80,
        tuition_per_year=3000, is_offered=False,
    )  # fmt: skip
    figures = public.compute_figures()
    assert (figures.stations, figures.provinces) == (1, 1)
    assert figures.registered == 3  # the suspended student is not counted
    assert figures.majors == 1
    assert figures.programs == 2  # the program no longer offered is not counted
    assert figures.students_by_level == {Level.JUNIOR_COLLEGE_TO_BACHELOR: 3}
    assert figures.students_by_mode == {StudyMode.CORRESPONDENCE: 3}
    assert figures.programs_by_level == {
        Level.JUNIOR_COLLEGE_TO_BACHELOR: 1,
        Level.HIGH_SCHOOL_TO_BACHELOR: 1,
    }
    assert figures.programs_by_mode == {StudyMode.CORRESPONDENCE: 1, StudyMode.SPARE_TIME: 1}


def test_training_figures_count_distinct_people_per_category(training):
    figures = public.compute_figures()
    per_category = {c.code: (c.projects, c.trainees) for c in figures.categories}
    assert per_category == {"KZ": (2, 2), "TZZY": (1, 1)}
    assert (figures.training_projects, figures.trained) == (3, 3)


def test_honors_are_newest_first(world):
    Honor.objects.create(name="旧", grantor="湖南省教育厅", year=2008)
    Honor.objects.create(name="新", grantor="湖南省教育厅", year=2015, name_en="New")
    assert [h.name for h in public.compute_figures().honors] == ["新", "旧"]
    with translation.override("en"):
        assert [h.name for h in public.page_context()["honors"]] == ["New", "旧"]


def test_figures_take_a_fixed_number_of_queries(training, django_assert_num_queries):
    with django_assert_num_queries(public.FIGURE_QUERIES):
        public.compute_figures()
    for serial in range(20, 25):
        add_student(world := training, serial)
    make_training_project("新班", 3, "KZ")
    Honor.objects.create(name="又一奖", grantor="湖南省教育厅", year=2020)
    with django_assert_num_queries(public.FIGURE_QUERIES):
        figures = public.compute_figures()
    assert figures.registered == 8
    assert world.school.pk  # the world is unchanged but for the rows added


def test_page_queries_uncached_then_cached(training, client_for):
    client = client_for(None)
    url = reverse("public:home")
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    assert len(first) == public.FIGURE_QUERIES
    with CaptureQueriesContext(connection) as second:
        assert client.get(url).status_code == 200
    assert len(second) == 0


def test_figures_change_after_a_student_is_added(world, client_for):
    client = client_for(None)
    url = reverse("public:home")
    assert public.public_figures().registered == 3
    client.get(url)
    add_student(world, 30)
    assert public.public_figures().registered == 4
    html = client.get(url).content.decode()
    assert '<div class="figure" data-figure="registered"><span class="value">4<' in html


def test_figures_change_after_an_honor_is_deleted(world):
    honor = Honor.objects.create(name="某奖", grantor="湖南省教育厅", year=2015)
    assert len(public.public_figures().honors) == 1
    honor.delete()
    assert public.public_figures().honors == []


def test_bulk_writes_are_seen(world):
    """bulk_insert sends no model signal but core's bulk_written, which the cache hears."""
    assert public.public_figures().registered == 3
    fields = ["student_number", "exam_number", "name", "gender", "id_number", "birth_date",
              "ethnicity", "phone", "station", "program", "cohort_year", "status", "created_at",
              "updated_at"]  # fmt: skip
    row = Student.objects.filter(pk=world.a1.pk).values_list(*[
        f if f not in ("station", "program") else f"{f}_id" for f in fields
    ]).get()  # fmt: skip
    values = list(row)
    values[0], values[1], values[4] = "102025009999", "26102025009999", "43030219900101999X"
    bulk_insert(Student, fields, [values])
    assert public.public_figures().registered == 4
    # A write the cache does not hear of (a raw update) shows after data_changed().
    Student.objects.filter(student_number="102025009999").update(status="suspended")
    assert public.public_figures().registered == 4
    public.data_changed()
    assert public.public_figures().registered == 3


def test_the_cached_copy_expires(world, settings, monkeypatch):
    stored = {}
    backend = caches["default"]  # the test's own cache object (not the proxy)
    real_set = backend.set

    def spy(key, value, timeout=None, **kwargs):
        stored[key] = timeout
        return real_set(key, value, timeout, **kwargs)

    monkeypatch.setattr(backend, "set", spy)
    public.public_figures()
    timeouts = [timeout for key, timeout in stored.items() if key.startswith("public:figures:")]
    assert timeouts == [public.CACHE_SECONDS]
    assert public.CACHE_SECONDS <= 5 * 60


def test_data_changed_inside_a_transaction_bumps_again_on_commit(world):
    """Tests run in a transaction: each write registers the version's replacement at the
    commit once, however many rows the transaction writes."""
    for _ in range(3):
        public.data_changed()
    pending = [entry[1] for entry in connection.run_on_commit if entry[1] is public._bump]
    assert len(pending) == 1
    before = public.data_version()
    pending[0]()
    assert public.data_version() != before
