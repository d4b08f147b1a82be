"""Checking what an uploaded spreadsheet really is, by its content (magic bytes), before it
is read: a file called list.xlsx that holds a web page or a program is refused with a
message naming the file.

The formats (cems/admissions/reader.py reads them all):
- xlsx: a ZIP archive holding xl/workbook.xml;
- ods: a ZIP archive whose `mimetype` member names an OpenDocument spreadsheet (or that
  holds content.xml);
- xls: an OLE2 compound document (Excel 97–2003);
- csv: text in UTF-8 (with or without BOM), UTF-16 with BOM or GBK (GB18030), without NUL
  characters, that is not a web page or XML;
- dbf: a dBASE/FoxPro header (version byte, date of last update, field descriptors up to
  the 0x0D terminator).

A file is accepted when its content is one of the formats the upload accepts, whatever its
name says: exam systems often call an xlsx workbook .xls, and the reader warns about that.
"""

import codecs
import io
import re
import struct
import zipfile
from collections.abc import Iterable

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

SPREADSHEET_FORMATS = ("xlsx", "xls", "ods", "csv", "dbf")

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_DBF_VERSIONS = frozenset(
    {0x02, 0x03, 0x04, 0x05, 0x30, 0x31, 0x32, 0x43, 0x63, 0x83, 0x8B, 0x8E, 0xCB, 0xF5, 0xFB}
)
_MARKUP = re.compile(r"\s*<[!?a-zA-Z/]")

# What a refused file holds, by its first bytes.
_KNOWN_CONTENTS: tuple[tuple[bytes, Promise], ...] = (
    (b"MZ", _("a Windows program")),
    (b"\x7fELF", _("a program")),
    (b"%PDF", _("a PDF document")),
    (b"\x89PNG", _("an image")),
    (b"\xff\xd8\xff", _("an image")),
    (b"GIF8", _("an image")),
    (b"Rar!", _("a RAR archive")),
    (b"7z\xbc\xaf", _("a 7-Zip archive")),
    (b"\x1f\x8b", _("a gzip archive")),
    (b"{\\rtf", _("an RTF document")),
)

# Signatures that text never starts with ("MZ" may: a program holds NUL bytes anyway).
_NOT_TEXT = tuple(magic for magic, _label in _KNOWN_CONTENTS if magic != b"MZ")


def content_format(data: bytes) -> str | None:
    """The spreadsheet format of the content (one of SPREADSHEET_FORMATS), or None."""
    if data.startswith(_ZIP):
        return _zip_format(data)
    if data.startswith(_OLE2):
        return "xls"
    if _is_dbf(data):
        return "dbf"
    if data.startswith(_NOT_TEXT):  # a short PDF or RTF could pass for GBK text
        return None
    return "csv" if _is_csv_text(data) else None


def _zip_format(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return "xlsx"
            if (
                "mimetype" in names
                and archive.getinfo("mimetype").file_size < 200
                and archive.read("mimetype").strip() == _ODS_MIMETYPE
            ):
                return "ods"
            if "content.xml" in names and "xl/workbook.bin" not in names:
                return "ods"
    except Exception:  # zipfile, zlib, bz2 and lzma each raise their own errors
        return None
    return None


def _is_dbf(data: bytes) -> bool:
    if len(data) < 65 or data[0] not in _DBF_VERSIONS:
        return False
    if not (1 <= data[2] <= 12 and 1 <= data[3] <= 31):
        return False
    (header_length,) = struct.unpack_from("<H", data, 8)
    end = min(header_length, len(data))
    for position in range(32, end, 32):
        if data[position] == 0x0D:
            return position > 32
    return False


def decode_text(data: bytes) -> tuple[str, str] | None:
    """The text and its encoding ("utf-8-sig", "utf-16", "utf-8" or "gbk"): UTF-8 with or
    without BOM, UTF-16 with BOM, else GB18030 (a superset of GBK and GB2312, which Chinese
    Excel writes); None when it is none of them. The importers read csv with it too."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            return data.decode(encoding), "gbk" if encoding == "gb18030" else encoding
        except UnicodeDecodeError:
            continue
    return None


def _decoded(data: bytes) -> str | None:
    decoded = decode_text(data)
    return decoded[0] if decoded else None


def _is_csv_text(data: bytes) -> bool:
    text = _decoded(data)
    if text is None or "\x00" in text or not text.strip():
        return False
    return not _MARKUP.match(text.lstrip("\ufeff")[:512])


def _undecodable_text(data: bytes) -> bool:
    """Text that is neither UTF-8 nor GBK (no NUL bytes, no known binary signature, no
    markup): a csv in a wrong encoding rather than something else."""
    if not data.strip() or b"\x00" in data or data.startswith((_ZIP, _OLE2, *_NOT_TEXT)):
        return False
    if data.startswith(b"MZ"):
        return False
    return not _MARKUP.match(data.decode("latin-1").lstrip()[:512])


def describe(data: bytes) -> str:
    """What a file holds, in a few words, for the message that refuses it."""
    found = content_format(data)
    if found is not None:
        return str(_("a %(format)s file") % {"format": found})
    if not data.strip():
        return str(_("nothing (it is empty)"))
    for magic, label in _KNOWN_CONTENTS:
        if data.startswith(magic):
            return str(label)
    if data.startswith(_ZIP):
        return str(_("a ZIP archive that is not a spreadsheet"))
    text = _decoded(data)
    if text is not None and _MARKUP.match(text.lstrip("\ufeff")[:512]):
        return str(_("a web page or XML"))
    return str(_("data of an unknown kind"))


def check_spreadsheet(
    upload: UploadedFile, formats: Iterable[str] = SPREADSHEET_FORMATS
) -> UploadedFile:
    """The upload, or ValidationError (code "content") naming the file when its content is
    none of `formats`. Call it after limit_upload_size (it reads the whole file)."""
    allowed = tuple(formats)
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if content_format(data) in allowed:
        return upload
    if "csv" in allowed and _undecodable_text(data):
        # Text in another encoding: the reader names the encoding problem and the row.
        return upload
    raise forms.ValidationError(
        _("“%(name)s” is not a spreadsheet (%(formats)s): it holds %(content)s."),
        params={
            "name": upload.name or "",
            "formats": ", ".join(allowed),
            "content": describe(data),
        },
        code="content",
    )
