"""Render the "Route rules per seed route" section of docs/rules.md from the route files.

Run `python tests/checks/route_tables.py` to print the section after changing a route;
`test_catalogue.py` fails while docs/rules.md differs from this output.
"""

from __future__ import annotations

from dossier_format.routes import Niveau, Route, available_routes

EISEN = (
    "toestemming",
    "bespreking",
    "plan",
    "gesprek",
    "groeidocument",
    "aanvraag",
    "ouders_geinformeerd",
)


def _must(niveau: Niveau) -> str:
    out = []
    for key in EISEN:
        eis = getattr(niveau, key)
        if eis is None:
            continue
        text = key.replace("_", " ")
        if eis.soorten:
            text += f" ({' / '.join(eis.soorten)})"
        if eis.schriftelijk:
            text += ", written"
        if eis.aanwezig:
            text += f", with {', '.join(eis.aanwezig)}"
        text += " at entry" if eis.binnen_weken == 0 else f" within {eis.binnen_weken} wk"
        out.append(text)
    return "; ".join(out) or "—"


def _limits(n: Niveau) -> str:
    out = []
    if n.max_perioden is not None:
        out.append(f"max {n.max_perioden} periods")
    if n.max_perioden_per_hulpvraag is not None:
        out.append(f"max {n.max_perioden_per_hulpvraag} period per hulpvraag")
    if n.max_besprekingen:
        out.append(f"max {n.max_besprekingen[1]} × {n.max_besprekingen[0]}")
    if n.plan_duur_weken:
        out.append(f"plan {n.plan_duur_weken[0]}–{n.plan_duur_weken[1]} wk")
    if n.evaluatie_binnen_weken is not None:
        out.append(f"evaluate within {n.evaluatie_binnen_weken} wk")
    if n.min_weken_ondersteuning is not None:
        out.append(f"after ≥{n.min_weken_ondersteuning} wk support")
    return "; ".join(out) or "—"


def route_section(route: Route) -> str:
    """The markdown block of one route."""
    lines = [
        f"### Route {route.id}: {route.naam} ({route.school})",
        "",
        "| niveau | name | who | must exist | limits |",
        "|---|---|---|---|---|",
    ]
    for n in route.niveaus:
        lines.append(f"| {n.niveau} | {n.naam} | {', '.join(n.wie)} | {_must(n)} | {_limits(n)} |")
    moves = [
        f"{o.van} → {', '.join(map(str, o.naar))}" + (f" ({o.voorwaarde})" if o.voorwaarde else "")
        for o in route.overgangen
    ]
    if route.omlaag_altijd:
        moves.append("any move down")
    lines += ["", f"Transitions: {'; '.join(moves)}."]
    if route.besprekingen:
        parts = []
        for soort, b in route.besprekingen.items():
            x = []
            if b.aanwezig:
                x.append("present: " + ", ".join(b.aanwezig))
            if b.ingebracht_door:
                x.append("brought in by: " + ", ".join(b.ingebracht_door))
            if b.toestemming:
                x.append("written consent: " + ", ".join(b.toestemming))
            if b.hulpvraag:
                x.append("hulpvraag")
            if b.evaluatie_binnen_weken is not None:
                x.append(f"evaluation within {b.evaluatie_binnen_weken} wk")
            parts.append(f"`{soort}` ({'; '.join(x)})")
        lines.append(f"Meetings: {'; '.join(parts)}.")
    lines.append(f"Protocols: {', '.join(route.protocollen) or 'none'}.")
    return "\n".join(lines) + "\n\n"


def all_sections() -> str:
    """The blocks of every shipped route."""
    return "".join(route_section(r) for r in available_routes())


if __name__ == "__main__":
    print(all_sections(), end="")
