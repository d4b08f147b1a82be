"""Every migration applies to an empty database, reverses back to nothing, and applies
again; and the models match the migrations (no change left without its migration).

Django's own apps and axes are reversed too. django_tasks_db cannot be: its migration
0013_separate_exception_fields is a RunPython without a reverse (Django's IrreversibleError),
so its tables stay while everything else goes back to zero; a test below pins that down, so
that a release of django-tasks-db that makes it reversible is noticed. Each test ends with
the database fully migrated, as the tests after it expect."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.exceptions import IrreversibleError
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)


def executor() -> MigrationExecutor:
    return MigrationExecutor(connection)


def leaves() -> list[tuple[str, str]]:
    return list(executor().loader.graph.leaf_nodes())


def applied() -> set[tuple[str, str]]:
    return set(executor().loader.applied_migrations or {})


# Apps whose migrations cannot all be reversed (see the module's docstring).
IRREVERSIBLE = {"django_tasks_database"}


def migrated_apps() -> list[str]:
    return sorted({app for app, _name in executor().loader.graph.nodes})


def app_tables(label: str) -> set[str]:
    return {model._meta.db_table for model in apps.get_app_config(label).get_models()}


def tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def model_tables() -> set[str]:
    return {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


@pytest.fixture
def migrate_back_at_the_end():
    yield
    executor().migrate(leaves())
    assert applied() >= set(executor().loader.graph.nodes)


@pytest.mark.usefixtures("migrate_back_at_the_end")
def test_every_migration_reverses_to_zero_and_applies_again():
    everything = set(executor().loader.graph.nodes)
    assert applied() >= everything
    assert model_tables() <= tables()
    assert any(app == "students" for app, _ in everything)
    assert {"axes", "django_tasks_database", "auth"} <= {app for app, _ in everything}

    # Back to zero: every app, Django's and the third-party ones included.
    executor().migrate([(app, None) for app in migrated_apps() if app not in IRREVERSIBLE])
    assert {app for app, _ in applied()} == IRREVERSIBLE
    kept = app_tables("django_tasks_database")
    assert model_tables() & tables() == kept

    # And forward again, to the latest state.
    executor().migrate(leaves())
    assert applied() >= everything
    assert model_tables() <= tables()


@pytest.mark.usefixtures("migrate_back_at_the_end")
def test_django_tasks_db_is_the_one_app_that_cannot_go_back_to_zero():
    with pytest.raises(IrreversibleError, match="django_tasks_database"):
        executor().migrate([("django_tasks_database", None)])


def test_models_have_no_changes_without_a_migration():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, verbosity=1)
