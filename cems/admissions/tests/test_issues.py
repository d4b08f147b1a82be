"""Issues keep their source text and are translated when shown."""

from django.core.exceptions import ValidationError
from django.utils import translation

from cems.admissions.issues import ImportStopped, Issue, clean
from cems.core import idcard


def test_an_issue_is_translated_when_shown():
    issue = Issue.from_json(["身份证号", "An ID number has 18 characters; this one has %(count)d.",
                             {"count": 17}])  # fmt: skip
    assert issue.text() == "An ID number has 18 characters; this one has 17."
    with translation.override("zh-hans"):
        assert "17" in issue.text()
        assert issue.text() != "An ID number has 18 characters; this one has 17."


def test_a_validators_message_keeps_its_source_text():
    try:
        idcard.parse("1234")
    except ValidationError as error:
        with translation.override("zh-hans"):
            [issue] = Issue.from_validation_error(error, "sfzh")
    assert issue.message == "An ID number has 18 characters; this one has %(count)d."
    assert issue.params == {"count": 4}
    assert issue.column == "sfzh"


def test_text_quoted_from_a_file_is_stored_without_control_characters():
    issue = Issue("No station %(value)s is known (give its name or code).", {"value": "a\x00b"},
                  "站\x01点")  # fmt: skip
    column, _message, params = issue.as_json()
    assert (column, params["value"]) == ("站\ufffd点", "a\ufffdb")
    assert clean("长沙\n") == "长沙\n"


def test_import_stopped_carries_its_issue():
    stopped = ImportStopped("The file is empty.")
    assert stopped.text() == "The file is empty." == str(stopped)
