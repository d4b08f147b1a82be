"""Importing writes the valid rows in one transaction, records the run, and is idempotent;
the web's upload keeps the file until it is confirmed or discarded."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cems.admissions import services
from cems.admissions.issues import ImportStopped
from cems.admissions.models import AdmissionImport, Candidate, CandidateStatus
from cems.admissions.tests.factories import csv_file, person, run, xlsx_file
from cems.admissions.tests.writers import write_csv

pytestmark = pytest.mark.django_db


def test_valid_rows_are_created_and_the_run_recorded(world):
    outcome = run(csv_file(person(1), person(2), person(3, 身份证号="123")))
    assert outcome.counts() == {"rows": 3, "created": 2, "updated": 0, "unchanged": 0,
                                "rejected": 1}  # fmt: skip
    assert outcome.written
    candidate = Candidate.objects.get(exam_number=person(1)["考生号"])
    assert candidate.station == world.station_a
    assert candidate.program == world.program
    assert candidate.major == world.major
    assert candidate.status == CandidateStatus.ADMITTED
    assert candidate.admission_year == 2026
    assert candidate.birth_date == dt.date.fromisoformat(person(1)["出生日期"])
    assert candidate.phone == "13812345678"
    assert candidate.employer == "长沙市第一中学"
    candidate.full_clean()
    record = AdmissionImport.objects.get()
    assert candidate.source == record
    assert record.state == AdmissionImport.State.CONFIRMED
    assert (record.rows, record.created, record.rejected) == (3, 2, 1)
    assert record.uploaded_by is None
    assert record.file_format == "csv"
    assert [row[0] for row in record.report["rows"]] == [4]  # only the rejected row is kept


def test_importing_the_same_file_again_writes_nothing_new(world):
    data = xlsx_file(person(1), person(2))
    run(data, "list.xlsx")
    before = list(Candidate.objects.order_by("pk").values())
    outcome = run(data, "list.xlsx")
    assert outcome.counts() == {"rows": 2, "created": 0, "updated": 0, "unchanged": 2,
                                "rejected": 0}  # fmt: skip
    assert list(Candidate.objects.order_by("pk").values()) == before


def test_a_changed_row_updates_an_admitted_candidate(world):
    run(csv_file(person(1), person(2)))
    first = AdmissionImport.objects.get()
    outcome = run(csv_file(person(1, 联系电话="13900001111", 函授站="ZD4401"), person(2)))
    assert outcome.counts()["updated"] == 1
    candidate = Candidate.objects.get(exam_number=person(1)["考生号"])
    assert candidate.phone == "13900001111"
    assert candidate.station == world.station_b
    assert candidate.source != first
    assert Candidate.objects.get(exam_number=person(2)["考生号"]).source == first


def test_a_changed_row_for_an_enrolled_candidate_is_reported_not_applied(world):
    run(csv_file(person(1)))
    Candidate.objects.update(status=CandidateStatus.ENROLLED, student=world.a2)
    outcome = run(csv_file(person(1, 姓名="王五")))
    assert outcome.counts()["rejected"] == 1
    assert "already enrolled" in outcome.plan.rows[0].errors[0].text()
    assert Candidate.objects.get().name == person(1)["姓名"]
    # The same data as recorded is simply unchanged.
    assert run(csv_file(person(1))).counts()["unchanged"] == 1


def test_all_or_nothing_writes_nothing_when_a_row_is_rejected(world):
    outcome = run(csv_file(person(1), person(2, 性别="x")), all_or_nothing=True)
    assert not outcome.written
    assert outcome.counts() == {"rows": 2, "created": 0, "updated": 0, "unchanged": 0,
                                "rejected": 1}  # fmt: skip
    assert not Candidate.objects.exists()
    record = AdmissionImport.objects.get()
    assert record.state == AdmissionImport.State.DISCARDED
    assert record.rejected == 1
    outcome = run(csv_file(person(1), person(2)), all_or_nothing=True)
    assert outcome.written
    assert Candidate.objects.count() == 2


def test_a_dry_run_writes_nothing(world):
    outcome = run(csv_file(person(1), person(2)), dry_run=True)
    assert outcome.counts()["created"] == 2
    assert outcome.record is None
    assert not Candidate.objects.exists()
    assert not AdmissionImport.objects.exists()


def test_an_unreadable_file_writes_nothing(world):
    with pytest.raises(ImportStopped):
        run(b"\x00\x01garbage")
    with pytest.raises(ImportStopped, match="身份证号"):
        run(write_csv([["考生号", "姓名"], ["1", "张三"]]))
    assert not AdmissionImport.objects.exists()


def test_many_rows_in_one_go(world):
    people = [person(n) for n in range(1, 1201)]
    outcome = run(csv_file(*people))
    assert outcome.counts()["created"] == 1200
    assert Candidate.objects.count() == 1200
    changed = [person(n, 总分="400") if n % 100 == 0 else person(n) for n in range(1, 1201)]
    assert run(csv_file(*changed)).counts() == {"rows": 1200, "created": 0, "updated": 12,
                                                "unchanged": 1188, "rejected": 0}  # fmt: skip
    assert Candidate.objects.filter(total_score=400).count() == 12


# --- Upload, confirm, discard -----------------------------------------------------------------


def upload(users, data: bytes, name: str = "list.csv", **options):
    options.setdefault("admission_year", 2026)
    options.setdefault("all_or_nothing", False)
    return services.admission_upload(
        actor=users["academic"], upload=SimpleUploadedFile(name, data), **options
    )


def stored(record) -> bool:
    return bool(record.stored_name) and (services.uploads_dir() / record.stored_name).is_file()


def test_an_upload_is_checked_and_kept_but_nothing_imported(world, users, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    record = upload(users, csv_file(person(1), person(2, 联系电话="1")))
    assert record.state == AdmissionImport.State.PREVIEWED
    assert (record.rows, record.created, record.rejected) == (2, 1, 1)
    assert record.uploaded_by == users["academic"]
    assert len(record.report["rows"]) == 2  # every row, for the preview
    assert stored(record)
    assert (tmp_path / "uploads" / record.stored_name).stat().st_mode & 0o077 == 0
    assert not Candidate.objects.exists()


def test_confirming_imports_through_the_same_path_and_deletes_the_file(
    world, users, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.VAR_DIR = tmp_path
    record = upload(users, csv_file(person(1), person(2, 联系电话="1")))
    name = record.stored_name
    with django_capture_on_commit_callbacks(execute=True):
        record = services.admission_confirm(actor=users["academic"], record=record)
    assert record.state == AdmissionImport.State.CONFIRMED
    assert record.confirmed_at is not None
    assert (record.created, record.rejected) == (1, 1)
    assert Candidate.objects.get().source == record
    assert not (tmp_path / "uploads" / name).exists()
    assert record.stored_name == ""
    assert [row[0] for row in record.report["rows"]] == [3]
    with pytest.raises(ValidationError):
        services.admission_confirm(actor=users["academic"], record=record)


def test_confirming_checks_again_against_the_database(world, users, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    record = upload(users, csv_file(person(1)))
    run(csv_file(person(1)))  # imported meanwhile by someone else
    record = services.admission_confirm(actor=users["academic"], record=record)
    assert (record.created, record.unchanged) == (0, 1)
    assert Candidate.objects.count() == 1


def test_confirming_an_all_or_nothing_upload_with_rejections_writes_nothing(
    world, users, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    record = upload(users, csv_file(person(1), person(2, 性别="?")), all_or_nothing=True)
    record = services.admission_confirm(actor=users["academic"], record=record)
    assert record.state == AdmissionImport.State.DISCARDED
    assert not Candidate.objects.exists()


def test_discarding_deletes_the_file(
    world, users, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.VAR_DIR = tmp_path
    record = upload(users, csv_file(person(1)))
    name = record.stored_name
    with django_capture_on_commit_callbacks(execute=True):
        record = services.admission_discard(actor=users["academic"], record=record)
    assert record.state == AdmissionImport.State.DISCARDED
    assert not (tmp_path / "uploads" / name).exists()
    assert not Candidate.objects.exists()
    with pytest.raises(ValidationError):
        services.admission_confirm(actor=users["academic"], record=record)


def test_an_unreadable_upload_is_refused_and_not_kept(world, users, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    with pytest.raises(ValidationError, match="neither"):
        upload(users, b"\x00\x01\x02" * 100)
    assert not AdmissionImport.objects.exists()
    assert not any((tmp_path / "uploads").glob("*")) if (tmp_path / "uploads").exists() else True


def test_a_too_large_upload_is_refused_before_it_is_read(world, users, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.CEMS_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError, match="larger than"):
        upload(users, csv_file(person(1), person(2), person(3)))


def test_a_missing_file_at_confirmation(world, users, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    record = upload(users, csv_file(person(1)))
    (tmp_path / "uploads" / record.stored_name).unlink()
    with pytest.raises(ValidationError, match="no longer there"):
        services.admission_confirm(actor=users["academic"], record=record)


def test_stale_previews_are_discarded_with_their_files(world, users, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    old = upload(users, csv_file(person(1)))
    AdmissionImport.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=2)
    )
    upload(users, csv_file(person(2)))
    old.refresh_from_db()
    assert old.state == AdmissionImport.State.DISCARDED
    assert not any(p.name == old.stored_name for p in (tmp_path / "uploads").iterdir())
    assert len(list((tmp_path / "uploads").iterdir())) == 1


def test_upload_reads_a_file_object(world, users, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    data = xlsx_file(person(1))
    upload_file = SimpleUploadedFile("名单.xls", data)  # an xlsx named .xls, as exam systems do
    record = services.admission_upload(actor=users["admin"], upload=upload_file,
                                       admission_year=2026, all_or_nothing=False)  # fmt: skip
    assert record.file_format == "xlsx"
    assert record.file_name == "名单.xls"
    assert "xlsx" in str(record.report["warnings"])
    assert io.BytesIO(data).getvalue() == (tmp_path / "uploads" / record.stored_name).read_bytes()


def test_a_candidate_written_meanwhile_by_another_import_stops_this_one(world, monkeypatch):
    from cems.admissions import checks
    from cems.admissions.tests.matrix import add_candidate

    def plan_then_race(*args, **kwargs):
        plan = checks.plan_import(*args, **kwargs)
        add_candidate(world, 1, world.station_a, person(1)["姓名"])  # the same 考生号, just now
        return plan

    monkeypatch.setattr(services, "plan_import", plan_then_race)
    with pytest.raises(ImportStopped, match="at the same time"):
        run(csv_file(person(1), person(2)))
    assert not AdmissionImport.objects.exists()
    assert not Candidate.objects.exists()
