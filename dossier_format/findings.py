"""A finding: one result of checking a dossier against its route and protocols."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]

SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
"""All severities, most serious first."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem or remark found by a check.

    Attributes:
        rule: the stable rule id from ``docs/rules.md`` (for example ``"route.max_perioden"``).
        severity: ``"error"`` (refuses a save without an override), ``"warning"`` or ``"info"``.
        message: the explanation in Dutch, for school staff.
        path: where in the dossier (for example ``"plannen[2].evaluatie"``; ``""`` = whole dossier).
        source: the seed citation the rule enforces (for example ``"003 §6 Dyscalculie"``).
    """

    rule: str
    severity: Severity
    message: str
    path: str
    source: str

    def to_dict(self) -> dict[str, str]:
        """Return the finding as a plain dict with exactly the five keys (for ``--json``)."""
        return asdict(self)

    def sort_key(self) -> tuple[int, str, str, str]:
        """Deterministic order: severity (errors first), then path, rule and message."""
        return (SEVERITIES.index(self.severity), self.path, self.rule, self.message)
