"""Uploaded spreadsheets are checked by content (cems/core/uploads.py)."""

import io
import struct
import zipfile

import pytest
import xlsxwriter
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.datastructures import MultiValueDict

from cems.core.uploads import SPREADSHEET_FORMATS, check_spreadsheet, content_format


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet().write_row(0, 0, ["姓名", "学号"])
    book.close()
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def ods_bytes() -> bytes:
    return zip_bytes(
        {
            "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
            "content.xml": b"<office:document-content/>",
        }
    )


def xls_bytes() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def dbf_bytes() -> bytes:
    header = bytes([0x03, 126, 5, 20]) + struct.pack("<IHH", 1, 65, 11) + b"\x00" * 20
    field = b"XM".ljust(11, b"\x00") + b"C" + b"\x00" * 4 + bytes([10, 0]) + b"\x00" * 14
    return header + field + b"\x0d" + b" " + "张三".encode("gbk").ljust(10) + b"\x1a"


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


GOOD = {
    "xlsx": ("名单.xlsx", xlsx_bytes()),
    "ods": ("名单.ods", ods_bytes()),
    "xls": ("名单.xls", xls_bytes()),
    "csv": ("名单.csv", "姓名,学号\n张三,102025001001\n".encode()),
    "dbf": ("名单.dbf", dbf_bytes()),
}


@pytest.mark.parametrize("fmt", sorted(GOOD))
def test_each_spreadsheet_format_is_recognised_and_accepted(fmt):
    name, data = GOOD[fmt]
    assert content_format(data) == fmt
    file = upload(name, data)
    assert check_spreadsheet(file) is file
    assert file.tell() == 0  # ready to be read again


@pytest.mark.parametrize(
    "data",
    [
        "\ufeff姓名,学号\n张三,1\n".encode(),  # UTF-8 with BOM, as Excel saves
        "姓名,学号\n张三,1\n".encode("gbk"),  # GBK, as Chinese Excel saves
        "姓名\t学号\n张三\t1\n".encode("utf-16"),  # Excel's "Unicode text"
    ],
)
def test_csv_in_the_usual_encodings_is_accepted(data):
    assert content_format(data) == "csv"
    check_spreadsheet(upload("名单.csv", data))


def test_an_xlsx_named_xls_is_accepted_as_the_reader_reads_it():
    check_spreadsheet(upload("名单.xls", xlsx_bytes()))


BAD = [
    (b"<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table></body></html>",
     "a web page or XML"),
    (b"\r\n  <html><script>alert(1)</script></html>", "a web page or XML"),
    (b'<?xml version="1.0"?><Workbook/>', "a web page or XML"),
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "a Windows program"),
    (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 40, "a program"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "an image"),
    (zip_bytes({"word/document.xml": b"<w:document/>"}), "a ZIP archive that is not"),
    (b"PK\x03\x04 not really a zip", "a ZIP archive that is not"),
    (b"", "nothing (it is empty)"),
    (b"\x00\x01\x02\x03\xfe\xfd", "data of an unknown kind"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "described"), BAD)
def test_a_file_that_is_not_a_spreadsheet_is_refused_by_name(data, described):
    assert content_format(data) is None
    with pytest.raises(forms.ValidationError) as caught:
        check_spreadsheet(upload("名单.xlsx", data))
    error = caught.value
    assert error.code == "content"
    message = error.messages[0]
    assert "“名单.xlsx” is not a spreadsheet" in message
    assert described in message
    assert "xlsx, xls, ods, csv, dbf" in message


def test_a_spreadsheet_of_a_format_the_upload_does_not_take_is_refused():
    _name, data = GOOD["dbf"]
    with pytest.raises(forms.ValidationError) as caught:
        check_spreadsheet(upload("付款.xlsx", data), formats=("xlsx", "xls", "csv"))
    assert "it holds a dbf file" in caught.value.messages[0]
    assert "(xlsx, xls, csv)" in caught.value.messages[0]


def test_text_with_nul_characters_is_not_csv():
    assert content_format(b"a,b\n1,\x002\n") is None


def test_every_format_has_a_sample():
    assert set(GOOD) == set(SPREADSHEET_FORMATS)


def test_a_form_refuses_the_file_with_the_message_beside_the_field():
    class Form(forms.Form):
        file = forms.FileField()

        def clean_file(self):
            return check_spreadsheet(self.cleaned_data["file"])

    form = Form(files=MultiValueDict({"file": [upload("成绩.xlsx", b"<html>x</html>")]}))
    assert not form.is_valid()
    assert "“成绩.xlsx” is not a spreadsheet" in form.errors["file"][0]
    good = Form(files=MultiValueDict({"file": [upload("成绩.xlsx", xlsx_bytes())]}))
    assert good.is_valid(), good.errors
