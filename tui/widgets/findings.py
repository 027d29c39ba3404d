"""The findings panel: each finding with its severity, message, place and seed citation."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

from dossier_format.findings import Finding
from tui.i18n import t

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}
_ORDER = {"error": 0, "warning": 1, "info": 2}


class FindingsPanel(DataTable[Text | str]):
    """A read-only table of findings, errors first."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.add_column(t("col.severity"), key="severity")
        self.add_column(t("col.source"), key="source")
        self.add_column(t("col.path"), key="path")
        self.add_column(t("col.message"), key="message")

    def show(self, findings: Sequence[Finding]) -> None:
        """Replace the rows with `findings`."""
        self.clear()
        ordered = sorted(findings, key=lambda f: (_ORDER.get(f.severity, 3), f.path, f.rule))
        for finding in ordered:
            self.add_row(
                Text(
                    t(f"severity.{finding.severity}"),
                    style=SEVERITY_STYLE.get(finding.severity, ""),
                ),
                finding.source,
                finding.path,
                finding.message,
            )
        if not ordered:
            self.add_row("", "", "", Text(t("dossier.no_findings"), style="dim"))


def findings_text(findings: Sequence[Finding]) -> Text:
    """Findings as wrapped lines: severity, citation and place, then the message."""
    text = Text()
    for finding in sorted(findings, key=lambda f: (_ORDER.get(f.severity, 3), f.path, f.rule)):
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
