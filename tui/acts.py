"""The everyday acts (new plan, evaluation, bespreking, oudergesprek, consent, niveau, toets).

Each act is a small form; `apply_act` adds its result to the dossier's YAML with the
round-trip codec, so comments and key order stay and the diff shows only the new entry.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from dossier_format import codec


@dataclass(frozen=True)
class Field:
    """One form field; `key` is the dossier key it fills."""

    key: str
    kind: str = "text"  # text, date, choice, level (a choice stored as int), bool, list
    required: bool = False
    choices: Sequence[str] = ()
    default: str = ""


@dataclass(frozen=True)
class Act:
    """A form and where its result goes in the dossier."""

    id: str
    fields: Sequence[Field] = field(default_factory=tuple)


def _weeks(today: datetime.date, weeks: int) -> str:
    return (today + datetime.timedelta(weeks=weeks)).isoformat()


def acts(
    today: datetime.date,
    user_id: str,
    niveaus: Sequence[int],
    plans: Sequence[str],
    current: int | None = None,
) -> dict[str, Act]:
    """The acts with defaults for today, this user, the route's niveaus, the open plans and
    the pupil's current niveau."""
    levels = tuple(str(n) for n in niveaus)
    level = "" if current is None else str(current)
    # A change of niveau most often goes one step up the route.
    higher = next((lv for lv in levels if current is not None and int(lv) > current), level)
    return {
        "plan": Act(
            "plan",
            (
                Field(
                    "soort",
                    "choice",
                    True,
                    ("handelingsplan", "groepsplan", "ihp", "plan_van_aanpak", "begeleidingsplan"),
                ),
                Field(
                    "aanpak",
                    "choice",
                    False,
                    ("basis", "intensief", "verdiept", "talent", "ster", "maan", "zon"),
                ),
                Field("niveau", "level", True, levels, default=level),
                Field("vakgebied"),
                Field("hulpvraag", required=True),
                Field("doelen", "list", True),
                Field("uitvoerder", default=user_id),
                Field("start", "date", True, default=today.isoformat()),
                Field("evaluatie_gepland", "date", True, default=_weeks(today, 8)),
            ),
        ),
        "evaluatie": Act(
            "evaluatie",
            (
                Field("plan", "choice", True, tuple(plans)),
                Field("datum", "date", True, default=today.isoformat()),
                Field("uitkomst", "choice", True, ("voldoende", "gedeeltelijk", "onvoldoende")),
                Field("toelichting"),
            ),
        ),
        "bespreking": Act(
            "bespreking",
            (
                Field(
                    "soort",
                    "choice",
                    True,
                    (
                        "leerlingbespreking",
                        "groepsbespreking",
                        "sot",
                        "bot",
                        "zorgteam",
                        "clb",
                        "mdo",
                        "intervisie",
                        "ondersteuningsteam",
                    ),
                ),
                Field("datum", "date", True, default=today.isoformat()),
                Field("ingebracht_door", default=user_id),
                Field("aanwezig", "list"),
                Field("hulpvraag"),
                Field("doel"),
                Field("afspraken", "list"),
                Field("evaluatie_gepland", "date", default=_weeks(today, 8)),
            ),
        ),
        "gesprek": Act(
            "gesprek",
            (
                Field("datum", "date", True, default=today.isoformat()),
                Field(
                    "thema",
                    "choice",
                    True,
                    (
                        "zorg",
                        "plan",
                        "ontwikkeling",
                        "onderzoek",
                        "doublure",
                        "opp",
                        "okr",
                        "overig",
                    ),
                ),
                Field("aanwezig", "list", default="ouders"),
                Field("onderwerp", required=True),
                Field("afspraken", "list"),
                Field("ouders_akkoord", "bool"),
            ),
        ),
        "toestemming": Act(
            "toestemming",
            (
                Field(
                    "voor",
                    "choice",
                    True,
                    (
                        "onderzoek",
                        "bot",
                        "zorgteam",
                        "overdracht",
                        "ondersteuningsteam",
                        "externen",
                    ),
                ),
                Field("datum", "date", True, default=today.isoformat()),
                Field("schriftelijk", "bool", True, default="ja"),
                Field("gegeven_door", default="ouders"),
                Field("toelichting"),
            ),
        ),
        "niveau": Act(
            "niveau",
            (
                Field("niveau", "level", True, levels, default=higher),
                Field("vanaf", "date", True, default=today.isoformat()),
                Field("reden", required=True),
                Field("ouders_geinformeerd", "date"),
            ),
        ),
        "toets": Act(
            "toets",
            (
                Field("toets", required=True),
                Field("soort", "choice", False, ("lvs", "methode", "signalering", "overig")),
                Field("moment"),
                Field("datum", "date", True, default=today.isoformat()),
                Field("score"),
                Field(
                    "niveau",
                    "choice",
                    False,
                    ("A", "B", "C", "D", "E", "I", "II", "III", "IV", "V"),
                ),
            ),
        ),
    }


# act id -> (dossier list key, id prefix of new entries)
_TARGETS = {
    "plan": ("plannen", "pl"),
    "bespreking": ("besprekingen", "bs"),
    "gesprek": ("gesprekken", "gs"),
    "toestemming": ("toestemmingen", "ts"),
    "toets": ("toetsen", "tt"),
    "niveau": ("niveaus", ""),
}


class FormError(ValueError):
    """A form value cannot be used; `field` names the form field."""

    def __init__(self, field_key: str, problem: str) -> None:
        super().__init__(f"{field_key}: {problem}")
        self.field = field_key
        self.problem = problem


def convert(act: Act, values: Mapping[str, str]) -> dict[str, Any]:
    """Typed dossier values from the form's strings; empty optional fields are left out.

    Raises:
        FormError: a required field is empty, or a date, number or choice is not valid.
    """
    result: dict[str, Any] = {}
    for spec in act.fields:
        raw = values.get(spec.key, "").strip()
        if not raw:
            if spec.required:
                raise FormError(spec.key, "required")
            continue
        if spec.kind == "date":
            try:
                result[spec.key] = datetime.date.fromisoformat(raw)
            except ValueError as exc:
                raise FormError(spec.key, "date") from exc
        elif spec.kind == "list":
            result[spec.key] = [item.strip() for item in raw.split(";") if item.strip()]
        elif spec.kind == "bool":
            result[spec.key] = raw in ("ja", "yes", "true")
        elif spec.kind in ("choice", "level") and spec.choices and raw not in spec.choices:
            raise FormError(spec.key, "choice")
        else:
            result[spec.key] = int(raw) if spec.kind == "level" else raw
    return result


def _next_id(items: Sequence[Any], prefix: str) -> str:
    numbers = [
        int(m.group(1))
        for item in items
        if isinstance(item, Mapping)
        and (m := re.fullmatch(rf"{prefix}-(\d+)", str(item.get("id", ""))))
    ]
    return f"{prefix}-{max(numbers, default=0) + 1}"


def apply_act(text: str, act: Act, values: Mapping[str, str]) -> str:
    """The dossier YAML with the act's entry added (or, for an evaluation, filled in).

    Raises:
        FormError: see `convert`; also when the plan to evaluate does not exist.
        DossierError: the dossier YAML itself is broken.
    """
    entry = convert(act, values)
    doc = codec.load(text)
    if act.id == "evaluatie":
        plan_id = entry.pop("plan")
        plans = doc.get("plannen") or []
        plan = next((p for p in plans if isinstance(p, dict) and p.get("id") == plan_id), None)
        if plan is None:
            raise FormError("plan", "choice")
        plan["evaluatie"] = CommentedMap(entry)
        return codec.dump(doc)
    key, prefix = _TARGETS[act.id]
    if not isinstance(doc.get(key), list):
        doc[key] = CommentedSeq()
    items = doc[key]
    new = CommentedMap()
    if prefix:
        new["id"] = _next_id(items, prefix)
    if act.id == "gesprek":
        new["soort"] = "oudergesprek"
    for name, value in entry.items():
        new[name] = CommentedSeq(value) if isinstance(value, list) else value
    items.append(new)
    return codec.dump(doc)


def open_plans(data: Mapping[str, Any]) -> list[str]:
    """Ids of the plans without an evaluation yet."""
    plans = data.get("plannen")
    if not isinstance(plans, list):
        return []
    return [
        str(p["id"])
        for p in plans
        if isinstance(p, Mapping) and "id" in p and not p.get("evaluatie")
    ]
