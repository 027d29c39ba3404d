"""Rendering dossier data (plain dicts from `load_fast`) as Rich text for the dossier tabs.

The renderers are tolerant: a dossier that fails the schema still shows what it has, so the
user can see and fix it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from tui.i18n import t

_TITLE_KEYS = ("soort", "toets", "voor", "thema", "vakgebied", "moment", "onderwerp", "hulpvraag")
_DATE_KEYS = ("datum", "start", "vanaf", "opgesteld", "verzoek_datum")
# Test levels best to worst; both LVS scales.
_LEVEL_ORDER = {
    **{v: i for i, v in enumerate(["A", "B", "C", "D", "E"])},
    **{v: i for i, v in enumerate(["I", "II", "III", "IV", "V"])},
}


def entry_date(entry: Mapping[str, Any]) -> datetime.date | None:
    """The date an entry happened: the first known date key, else any date value."""
    for key in _DATE_KEYS:
        value = entry.get(key)
        if isinstance(value, datetime.date):
            return value
    for value in entry.values():
        if isinstance(value, datetime.date):
            return value
    return None


def entry_title(entry: Mapping[str, Any]) -> str:
    """A short title of an entry from its most telling keys."""
    parts = [str(entry[key]) for key in _TITLE_KEYS if isinstance(entry.get(key), str | int)]
    return " · ".join(parts[:3])


def _value_text(value: Any) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(_value_text(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_value_text(v)}" for k, v in value.items())
    return str(value)


def entries(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    """The mapping entries of a list key (other shapes are skipped)."""
    value = data.get(key)
    if not isinstance(value, list):
        return []
    return [e for e in value if isinstance(e, Mapping)]


def render_entries(items: Sequence[Mapping[str, Any]], heading: str | None = None) -> Text:
    """Entries newest first: a bold date + title line, then each field on its own line."""
    text = Text()
    if heading:
        text.append(f"{heading}\n", style="bold underline")
    if not items:
        text.append(t("dossier.empty") + "\n", style="dim")
        return text
    ordered = sorted(items, key=lambda e: entry_date(e) or datetime.date.min, reverse=True)
    for entry in ordered:
        when = entry_date(entry)
        text.append(when.isoformat() if when else "----------", style="bold cyan")
        text.append(f"  {entry_title(entry)}\n", style="bold")
        for key, value in entry.items():
            text.append(f"    {key}: ", style="dim")
            text.append(_value_text(value) + "\n")
        text.append("\n")
    return text


def render_sections(data: Mapping[str, Any], keys: Iterable[str]) -> Text:
    """Several list or mapping keys one after another, each under its own heading."""
    text = Text()
    for key in keys:
        value = data.get(key)
        if isinstance(value, Mapping):
            text.append(f"{key}\n", style="bold underline")
            for name, item in value.items():
                text.append(f"    {name}: ", style="dim")
                text.append(_value_text(item) + "\n")
            text.append("\n")
        else:
            text.append_text(render_entries(entries(data, key), heading=key))
    return text


def niveau_of(entry: Mapping[str, Any]) -> str | None:
    """The niveau an entry of `niveaus` records."""
    for key in ("niveau", "zorgniveau", "stap", "level"):
        value = entry.get(key)
        if isinstance(value, str | int):
            return str(value)
    return None


def current_niveau(data: Mapping[str, Any]) -> int | None:
    """The niveau of the latest `niveaus` entry, if it is a number."""
    dated = [(entry_date(e) or datetime.date.min, niveau_of(e)) for e in entries(data, "niveaus")]
    levels = [level for _, level in sorted(dated, key=lambda d: d[0]) if level]
    return int(levels[-1]) if levels and levels[-1].isdigit() else None


def render_timeline(data: Mapping[str, Any], niveaus: Sequence[int]) -> Table:
    """The route over time: each niveau change, plan and meeting on one dated line.

    Args:
        data: the dossier.
        niveaus: the route's niveau ids in order, so the bar shows how high the care is.
    """
    events: list[tuple[datetime.date, str, str, str]] = []
    current: int | None = None
    for entry in sorted(entries(data, "niveaus"), key=lambda e: entry_date(e) or datetime.date.min):
        when = entry_date(entry)
        level = niveau_of(entry)
        if when and level:
            events.append((when, "niveau", level, ""))
    for key, label in (
        ("plannen", "plan"),
        ("besprekingen", "bespreking"),
        ("gesprekken", "gesprek"),
    ):
        for entry in entries(data, key):
            when = entry_date(entry)
            if when:
                events.append((when, label, "", entry_title(entry)))
    events.sort(key=lambda e: (e[0], e[1] != "niveau"))
    table = Table(box=None, show_header=False, pad_edge=False, expand=True)
    table.add_column(style="cyan", no_wrap=True)
    table.add_column(no_wrap=True, min_width=12)
    table.add_column(no_wrap=True)
    table.add_column(ratio=1)
    for when, kind, level, title in events:
        if kind == "niveau":
            current = int(level) if level.isdigit() else None
        height = niveaus.index(current) + 1 if current in niveaus else 0
        bar = Text("█" * (2 * height), style="magenta")
        what = Text(f"niveau {level}", style="bold magenta") if kind == "niveau" else Text(kind)
        table.add_row(when.isoformat(), bar, what, title)
    if not events:
        table.add_row("", "", Text(t("dossier.empty"), style="dim"), "")
    return table


def level_trend(data: Mapping[str, Any]) -> Text:
    """Per test (vak/toets) the levels in time order with an arrow for the last change."""
    series: dict[str, list[tuple[datetime.date, str]]] = {}
    for entry in entries(data, "toetsen"):
        when = entry_date(entry)
        level = next((str(entry[k]) for k in ("niveau", "score") if k in entry), None)
        if when is None or level is None:
            continue
        name = str(entry.get("toets", "toets"))
        series.setdefault(name, []).append((when, level))
    text = Text(f"{t('dossier.trend')}\n", style="bold underline")
    if not series:
        text.append(t("dossier.empty") + "\n", style="dim")
    for name in sorted(series):
        points = sorted(series[name])
        text.append(f"{name:<28}", style="bold")
        text.append(" → ".join(level for _, level in points))
        if len(points) > 1:
            before, after = (_LEVEL_ORDER.get(points[-2][1]), _LEVEL_ORDER.get(points[-1][1]))
            if before is not None and after is not None and after != before:
                better = after < before
                text.append("  ▲" if better else "  ▼", style="green" if better else "red")
        text.append("\n")
    return text


def colour_diff(diff: str) -> Text:
    """A unified diff with added lines green, removed red and hunk headers cyan.

    The `---`/`+++` file lines are left out: they name opaque ids and commits, and the screen
    shows its own title.
    """
    text = Text()
    styles = {"+": "green", "-": "red", "@": "cyan"}
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            continue
        text.append(line + "\n", style=styles.get(line[:1], ""))
    if not diff.strip():
        text.append(t("history.no_diff"), style="dim")
    return text


def overview(data: Mapping[str, Any], niveaus: Sequence[int]) -> RenderableType:
    """The overview tab: who the pupil is, then the timeline."""
    leerling = data.get("leerling")
    head = Text()
    if isinstance(leerling, Mapping):
        for key, value in leerling.items():
            if key == "id":
                continue
            head.append(f"{key}: ", style="dim")
            head.append(_value_text(value) + "   ")
    head.append(f"\n\n{t('dossier.timeline')}\n", style="bold underline")
    return Group(head, render_timeline(data, niveaus))
