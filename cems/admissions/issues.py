"""Problems found in an admission file: a rejection (error) or a warning, tied to a row and
a column.

A message is kept as its English source text (marked with gettext_noop) and its
parameters, and translated when it is shown: a preview stored in one language can be read
in the other, and the command line and the xlsx report use the active language.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext

Params = dict[str, str | int]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str) -> str:
    """Text quoted from a file, safe to store and show: control characters (a NUL cannot be
    stored by PostgreSQL) become a replacement mark."""
    return _CONTROL.sub("\ufffd", text)


@dataclass(frozen=True)
class Issue:
    message: str  # the English source text, a msgid
    params: Params = field(default_factory=dict)
    column: str = ""  # the column's heading as written in the file; "" for the whole file

    def text(self) -> str:
        translated = gettext(self.message)
        return translated % self.params if self.params else translated

    def as_json(self) -> list[Any]:
        params = {key: clean(value) if isinstance(value, str) else value
                  for key, value in self.params.items()}  # fmt: skip
        return [clean(self.column), self.message, params]

    @classmethod
    def from_json(cls, value: list[Any]) -> "Issue":
        column, message, params = value
        return cls(message=str(message), params=dict(params), column=str(column))

    @classmethod
    def from_validation_error(cls, error: ValidationError, column: str) -> list["Issue"]:
        """Issues carrying the source text of a validator's messages (e.g. the ID number's)."""
        issues = []
        for item in error.error_list:
            with translation.override(None):
                message = str(item.message)
            params = {key: _plain(value) for key, value in (item.params or {}).items()}
            issues.append(cls(message=message, params=params, column=column))
        return issues


def _plain(value: Any) -> str | int:
    return value if isinstance(value, int) else str(value)


class ImportStopped(Exception):
    """The file cannot be imported at all: unreadable, empty, or missing a required column.
    Nothing is written; the command exits with status 2."""

    def __init__(self, message: str, params: Params | None = None) -> None:
        self.issue = Issue(message=message, params=params or {})
        super().__init__(self.issue.text())

    def text(self) -> str:
        return self.issue.text()
