"""Reports as functions from filters to columns and rows.

A report names the capability it needs, the form of its filters and a function
`run(user, filters) -> Table`. The page (a table and a chart), the xlsx download and the
csv download are three formatters over the same Table, so that what a user downloads is
what they saw. The reports themselves are in cems/reports/library/.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django import forms
from django.http import Http404
from django.utils.functional import Promise
from django.utils.safestring import SafeString

from cems.accounts.access import AnyUser, Capability, has_capability
from cems.reports.charts import Point, bar_chart, column_chart

Label = str | Promise


@dataclass(frozen=True)
class Column:
    key: str
    title: Label
    numeric: bool = False


@dataclass(frozen=True)
class Chart:
    """A chart of one column of the table: horizontal bars, or columns over years/months."""

    title: Label
    points: Sequence[Point]
    kind: Literal["bar", "column"] = "bar"

    def svg(self) -> SafeString:
        draw = column_chart if self.kind == "column" else bar_chart
        return draw(self.points, title=str(self.title))


@dataclass
class Table:
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    chart: Chart | None = None
    totals: list[Any] | None = None  # a last row of sums, shown apart, downloaded last

    def titles(self) -> list[str]:
        return [str(column.title) for column in self.columns]

    def numeric_positions(self) -> set[int]:
        return {index for index, column in enumerate(self.columns) if column.numeric}

    def download_rows(self) -> list[list[Any]]:
        return [*self.rows, self.totals] if self.totals is not None else list(self.rows)


class ReportForm(forms.Form):
    """A report's filters; the choices offered (stations) are the user's own, so that a
    station outside the user's scope is an invalid choice, never another station's figures."""

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user


Filters = dict[str, Any] | None  # None: the filters are invalid, the table is empty


@dataclass(frozen=True)
class Report:
    key: str
    title: Label
    description: Label
    capability: Capability
    form_class: type[ReportForm]
    run: Callable[[AnyUser, Filters], Table]


_REPORTS: dict[str, Report] = {}


def register(report: Report) -> Report:
    if report.key in _REPORTS and _REPORTS[report.key] is not report:
        raise ValueError(f"two reports are registered as {report.key!r}")
    _REPORTS[report.key] = report
    return report


def _loaded() -> dict[str, Report]:
    import cems.reports.library  # noqa: F401  (registers the reports on import)

    return _REPORTS


def all_reports() -> list[Report]:
    """Every report, in the order registered."""
    return list(_loaded().values())


def reports_for(user: AnyUser) -> list[Report]:
    """The reports the user's role may open."""
    return [report for report in all_reports() if has_capability(user, report.capability)]


def get_report(key: str) -> Report:
    """The report registered as key; Http404 for an unknown key."""
    try:
        return _loaded()[key]
    except KeyError:
        raise Http404(key) from None
