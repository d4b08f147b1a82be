"""The upload form refuses other files before anything is read; filters validate."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cems.admissions.forms import CandidateFilterForm, UploadForm
from cems.organization.models import Station


def upload(name: str, data: bytes = b"ksh,xm\n1,a\n", **fields: str) -> UploadForm:
    return UploadForm({"admission_year": "2026", **fields},
                      {"file": SimpleUploadedFile(name, data)})  # fmt: skip


@pytest.mark.parametrize("name", ["a.xlsx", "A.XLS", "a.ods", "a.csv", "a.txt", "a.dbf"])
def test_admission_files_are_accepted(name):
    assert upload(name).is_valid()


@pytest.mark.parametrize("name", ["a.exe", "a.html", "a", "a.xlsx.zip"])
def test_other_files_are_refused(name):
    form = upload(name)
    assert not form.is_valid()
    assert "file" in form.errors


def test_the_size_limit(settings):
    settings.CEMS_MAX_UPLOAD_BYTES = 5
    form = upload("a.csv")
    assert not form.is_valid()
    assert "larger than" in form.errors["file"][0]


def test_the_year_is_required_and_plausible():
    assert not upload("a.csv", admission_year="1800").is_valid()


@pytest.mark.django_db
def test_candidate_filters():
    form = CandidateFilterForm({"year": "abc", "q": " 张 "}, stations=Station.objects.none())
    assert not form.is_valid()
    assert "year" in form.errors
    form = CandidateFilterForm({"q": " 张 "}, stations=Station.objects.none())
    assert form.is_valid()
    assert form.cleaned_data["q"] == "张"
