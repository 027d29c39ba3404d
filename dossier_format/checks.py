"""The check engine: a dossier, its route and today's date in, findings out.

``check`` is pure and total: it never raises on any mapping. Shape problems become
``formaat.ongeldig`` findings; a rule that still fails on unexpected data becomes an
``intern.regel_fout`` finding instead of an exception (the tests make sure that never happens
for the shapes they generate).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from dossier_format.findings import Finding
from dossier_format.routes import Route
from dossier_format.rules import dossier, protocols
from dossier_format.rules import route as route_rules
from dossier_format.rules.context import Ctx

RULE_GROUPS: tuple[tuple[str, Callable[[Ctx], None]], ...] = (
    ("route", route_rules.check),
    ("dossier", dossier.check),
    ("protocollen", protocols.check),
)
"""The rule modules, in the order they run."""

INTERNAL_ERROR = "intern.regel_fout"
"""Rule id of the finding that replaces an unexpected failure inside a rule group."""


def check(data: Mapping[str, Any], route: Route, today: dt.date) -> list[Finding]:
    """Check a dossier against its route and the route's protocols.

    Args:
        data: the plain dict of a dossier (``codec.load_fast``); any mapping is accepted.
        route: the school's route (``routes.load_route``).
        today: the date that date rules (overdue evaluations, passed terms) measure against.

    Returns:
        The findings, without duplicates, sorted errors first, then by path, rule and message.
    """
    if not isinstance(data, Mapping):
        return [
            Finding(
                "formaat.ongeldig",
                "error",
                "Een dossier is een mapping (sleutel: waarde) op het hoogste niveau.",
                "",
                "docs/format.md",
            )
        ]
    try:
        ctx = Ctx(data, route, today)
    except Exception as exc:
        return [_internal("context", exc)]
    for name, run in RULE_GROUPS:
        try:
            run(ctx)
        except Exception as exc:
            ctx.findings.append(_internal(name, exc))
    return sorted(set(ctx.findings), key=Finding.sort_key)


def _internal(group: str, exc: Exception) -> Finding:
    return Finding(
        INTERNAL_ERROR,
        "error",
        f"De controles ({group}) konden niet alles lezen: {type(exc).__name__}. Controleer de "
        "vorm van het dossier met het schema.",
        "",
        "docs/format.md",
    )
