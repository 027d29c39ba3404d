"""The findings panel: each finding with its severity, message, place and seed citation.

Messages wrap inside the panel (a row is as high as its message needs), so a long finding is
read in full at any width instead of running off the edge.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widgets import DataTable

from dossier_format.findings import Finding
from tui.i18n import t

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}
_ORDER = {"error": 0, "warning": 1, "info": 2}
# The message column never gets narrower than this (the panel scrolls sideways instead).
MIN_MESSAGE_WIDTH = 24


def ordered(findings: Sequence[Finding]) -> list[Finding]:
    """Errors first, then warnings and info, each by place and rule."""
    return sorted(findings, key=lambda f: (_ORDER.get(f.severity, 3), f.path, f.rule))


class FindingsPanel(DataTable[Text | str]):
    """A read-only table of findings, errors first, with wrapped messages."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.findings: list[Finding] = []
        self._shown = False  # nothing to say before the first `show` (still loading)
        self._message_width = 0

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self._fill()

    def show(self, findings: Sequence[Finding]) -> None:
        """Replace the rows with `findings`."""
        self.findings = ordered(findings)
        self._shown = True
        self._fill()

    def on_resize(self, event: events.Resize) -> None:
        if self.findings and self._fit_message_width() != self._message_width:
            self._fill()

    def _cells(self, finding: Finding) -> tuple[Text, str, str]:
        severity = Text(
            t(f"severity.{finding.severity}"), style=SEVERITY_STYLE.get(finding.severity, "")
        )
        return severity, finding.source, finding.path

    def _widths(self) -> list[int]:
        """The severity, source and path columns: as wide as their widest cell or label."""
        labels = (t("col.severity"), t("col.source"), t("col.path"))
        rows = [tuple(str(cell) for cell in self._cells(f)) for f in self.findings]
        return [
            max([cell_len(label), *(cell_len(row[i]) for row in rows)])
            for i, label in enumerate(labels)
        ]

    def _fit_message_width(self) -> int:
        """What is left of the panel's width for the message column (room is kept for a
        vertical scrollbar, which comes and goes with the number of rows)."""
        available = self.content_region.width - self.styles.scrollbar_size_vertical
        used = sum(self._widths()) + 2 * self.cell_padding * 4
        return max(MIN_MESSAGE_WIDTH, available - used)

    def _fill(self) -> None:
        row = self.cursor_row
        self.clear(columns=True)
        widths = self._widths()
        self._message_width = self._fit_message_width()
        for (key, label), width in zip(
            (
                ("severity", t("col.severity")),
                ("source", t("col.source")),
                ("path", t("col.path")),
                ("message", t("col.message")),
            ),
            (*widths, self._message_width),
            strict=True,
        ):
            self.add_column(label, key=key, width=width)
        for finding in self.findings:
            self.add_row(*self._cells(finding), Text(finding.message), height=None)
        if self._shown and not self.findings:
            self.add_row("", "", "", Text(t("dossier.no_findings"), style="dim"))
        elif 0 < row < len(self.findings):
            self.move_cursor(row=row, animate=False)


def findings_text(findings: Sequence[Finding]) -> Text:
    """Findings as wrapped lines: severity, citation and place, then the message."""
    text = Text()
    for finding in ordered(findings):
        text.append(
            t(f"severity.{finding.severity}"), style=SEVERITY_STYLE.get(finding.severity, "")
        )
        text.append(f"  {finding.source}  ", style="bold")
        text.append(f"{finding.path}\n", style="dim")
        text.append(f"  {finding.message}\n")
    return text


def count(findings: Sequence[Finding], severity: str) -> int:
    """How many findings have `severity`."""
    return sum(1 for f in findings if f.severity == severity)
