"""The Simplified Chinese catalogue is complete, compiled, in step with the code, and used.

Regenerate after changing strings:
    python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --no-location
    (translate the new entries in locale/zh_Hans/LC_MESSAGES/django.po)
    python manage.py compilemessages -l zh_Hans --ignore=.venv --ignore=var
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
PO_PATH = BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
REGENERATE = (
    "run `python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --no-location`, "
    "translate the entries, then `python manage.py compilemessages -l zh_Hans --ignore=.venv "
    "--ignore=var`"
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


def _catalogue(entries) -> dict[tuple[str | None, str, str | None], tuple[str, ...]]:
    """(msgctxt, msgid, msgid_plural) -> the translations, for every real (non-header) entry."""
    table = {}
    for entry in entries:
        if entry.obsolete or entry.msgid == "":
            continue
        if entry.msgid_plural:
            forms = tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
        else:
            forms = (entry.msgstr,)
        table[(entry.msgctxt, entry.msgid, entry.msgid_plural or None)] = forms
    return table


def _problems(po: polib.POFile) -> dict[str, list[str]]:
    return {
        "untranslated": [e.msgid for e in po.untranslated_entries()],
        "fuzzy": [e.msgid for e in po.fuzzy_entries()],
    }


def test_catalogue_header_is_simplified_chinese_with_one_plural_form():
    po = polib.pofile(str(PO_PATH))
    assert po.metadata["Language"] == "zh_Hans"
    assert po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert not po.metadata_is_fuzzy


def test_catalogue_has_no_untranslated_or_fuzzy_entries():
    po = polib.pofile(str(PO_PATH))
    assert len(_catalogue(po)) > 100  # the catalogue is really there
    assert _problems(po) == {"untranslated": [], "fuzzy": []}, REGENERATE
    for entry in po:
        if entry.msgid_plural:
            assert list(entry.msgstr_plural) == [0], f"zh has one plural form: {entry.msgid!r}"


def test_translations_keep_their_placeholders():
    po = polib.pofile(str(PO_PATH))
    for entry in po.translated_entries():
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(entry.msgid)), (
                entry.msgid
            )


def test_committed_mo_matches_po():
    assert MO_PATH.exists(), f"{MO_PATH} is missing: {REGENERATE}"
    po_table = _catalogue(polib.pofile(str(PO_PATH)))
    mo_table = _catalogue(polib.mofile(str(MO_PATH)))
    assert set(po_table) - set(mo_table) == set(), f"not compiled into the .mo: {REGENERATE}"
    assert set(mo_table) - set(po_table) == set(), f"stale entries in the .mo: {REGENERATE}"
    differing = [key[1] for key in po_table if po_table[key] != mo_table[key]]
    assert differing == [], f"the .mo has other translations than the .po: {REGENERATE}"


@pytest.mark.skipif(
    shutil.which("xgettext") is None or shutil.which("msgmerge") is None,
    reason="GNU gettext (xgettext, msgmerge) is not installed, so makemessages cannot run",
)
def test_every_string_in_the_code_is_in_the_catalogue(tmp_path):
    """makemessages on a copy of the source tree finds nothing that the catalogue lacks."""
    copy = tmp_path / "src"
    copy.mkdir()
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".venv", "var", "node_modules")
    shutil.copytree(BASE_DIR / "cems", copy / "cems", ignore=skip)
    shutil.copytree(BASE_DIR / "locale", copy / "locale", ignore=skip)
    shutil.copy2(BASE_DIR / "manage.py", copy / "manage.py")
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    env = {**os.environ, "CEMS_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "cems.settings"}
    env.pop("PYTHONPATH", None)  # the copy, not the checkout, must provide the `cems` package

    result = subprocess.run(
        [
            sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-location",
            "--ignore=.venv", "--ignore=var",
        ],
        cwd=copy, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr

    regenerated = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    assert _problems(regenerated) == {"untranslated": [], "fuzzy": []}, REGENERATE
    obsolete = [e.msgid for e in regenerated.obsolete_entries()]
    assert obsolete == [], f"the catalogue holds strings the code no longer uses: {REGENERATE}"
    assert set(_catalogue(regenerated)) == set(_catalogue(polib.pofile(str(PO_PATH))))


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        ("en", ["Dashboard", "Registered students by province", "Sign out"], "工作台"),
        ("zh-hans", ["工作台", "按省份统计在籍学生", "退出"], "Dashboard"),
    ],
)
def test_dashboard_is_rendered_in_the_chosen_language(client_for, language, expected, absent):
    client = client_for("academic")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    for text in expected:  # from templates ({% translate %}) and from Python (gettext_lazy)
        assert text in html
    assert absent not in html
