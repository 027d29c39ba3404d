"""The everyday acts (new plan, evaluation, bespreking, oudergesprek, consent, niveau, toets).

Each act is a small form; `apply_act` adds its result to the dossier's YAML with the
round-trip codec, so comments and key order stay and the diff shows only the new entry.

Form values are strings as typed or chosen (`FormDialog` returns them so); `convert` turns
them into dossier values: dates as typed by Dutch users (23-11-2026, 23/11/26, 2026-11-23)
become dates, numbers become numbers, and every refusal is a `FormError` with a Dutch (or
English) message that names the field by its label.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from dossier_format import codec
from tui.i18n import has, t

TYPED_KINDS = frozenset({"text", "date", "list", "score", "moment", "staff"})
"""Kinds the user types in (an `Input`); the others are chosen from `choices`."""

PEOPLE = ("ouders", "moeder", "vader", "verzorger", "leerling")
"""The reserved `aanwezig` words (format 3.0); the checks count the first four as `ouders`."""

OUTSIDERS = ("orthopedagoog (extern)",)
"""Outsiders offered in `aanwezig`; the checks read the role from the first words."""


@dataclass(frozen=True)
class Field:
    """One form field; `key` is the dossier key it fills.

    Kinds: `text`; `date`; `list` (items separated by `;`); `choice` (one of `choices`);
    `level` (a choice stored as int); `bool` (`ja`/`nee`); `multi` (any of `choices` plus
    free items, stored as a list); `score` (a number, or text such as `E4`); `moment`
    (`B`/`M`/`E` with an optional groep); `staff` (a staff id).
    `labels` gives the text shown for a choice where it is not the choice's usual label.
    """

    key: str
    kind: str = "text"
    required: bool = False
    choices: Sequence[str] = ()
    default: str = ""
    labels: Mapping[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Act:
    """A form and where its result goes in the dossier."""

    id: str
    fields: Sequence[Field] = field(default_factory=tuple)


# -- texts ------------------------------------------------------------------------------------
def field_label(act_id: str, key: str) -> str:
    """The readable label of a form field, in the current language."""
    for name in (f"form.label.{act_id}.{key}", f"form.label.{key}"):
        if has(name):
            return t(name)
    return key.replace("_", " ")


def field_hint(act_id: str, spec: Field) -> str:
    """How to fill a field in, where the format is not obvious ("" when it is)."""
    for name in (
        f"form.hint.{act_id}.{spec.key}",
        f"form.hint.{spec.key}",
        f"form.hint.{spec.kind}",
    ):
        if has(name):
            return t(name)
    return ""


def choice_label(value: str) -> str:
    """The readable text of a choice value (`plan_van_aanpak` -> "plan van aanpak")."""
    name = f"form.keuze.{value}"
    return t(name) if has(name) else value.replace("_", " ")


def role_label(role: str) -> str:
    """The readable text of a betrokkene's `rol`."""
    name = f"form.rol.{role}"
    return t(name) if has(name) else role.replace("_", " ")


def shorten(text: str, width: int) -> str:
    """`text` on one line, cut at a word with an ellipsis when longer than `width`."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if text[width - 1] != " " and " " in cut:  # do not end in the middle of a word
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


# -- dates and numbers -----------------------------------------------------------------------
_DATE = re.compile(r"(\d{1,4})([-/.])(\d{1,2})\2(\d{1,4})")


def parse_date(raw: str) -> datetime.date:
    """A date as Dutch users type it: `23-11-2026`, `23-11-26`, `23/11/2026`, `23.11.2026`
    (day first), or ISO `2026-11-23`. A two-digit year is in this century.

    Raises:
        ValueError: not written as a date (`args[0] == "format"`), or a date that does not
            exist such as 31-02-2026 (`args[0] == "impossible"`).
    """
    match = _DATE.fullmatch(raw.strip())
    if match is None:
        raise ValueError("format")
    first, _, month, last = match.groups()
    if len(first) == 4 and len(last) <= 2:
        year, day = first, last
    elif len(first) <= 2 and len(last) in (2, 4):
        day, year = first, last
    else:
        raise ValueError("format")
    number = int(year) + (2000 if len(year) == 2 else 0)
    try:
        return datetime.date(number, int(month), int(day))
    except ValueError as exc:
        raise ValueError("impossible") from exc


def show_date(value: str) -> str:
    """An ISO date as `dd-mm-jjjj` for a form; anything else is shown as it is."""
    try:
        return datetime.date.fromisoformat(value).strftime("%d-%m-%Y")
    except ValueError:
        return value


def parse_score(raw: str) -> int | float | str:
    """A score: `38` -> 38, `7,5` or `7.5` -> 7.5, anything else (`E4`) stays text."""
    if re.fullmatch(r"[-+]?\d+", raw):
        return int(raw)
    if re.fullmatch(r"[-+]?\d+[.,]\d+", raw):
        return float(raw.replace(",", "."))
    return raw


_MOMENT = re.compile(r"[BME][1-8]?")
_STAFF_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


# -- the acts ---------------------------------------------------------------------------------
def _weeks(today: datetime.date, weeks: int) -> str:
    return (today + datetime.timedelta(weeks=weeks)).isoformat()


def plan_label(plan: Mapping[str, Any], width: int = 59) -> str:
    """A plan as a choice: id, soort, start date and the hulpvraag, shortened so the whole
    fits in `width` (a form's choice) but keeps at least 20 characters of the hulpvraag."""
    parts = [str(plan.get("id", "?"))]
    if plan.get("soort"):
        parts.append(choice_label(str(plan["soort"])))
    start = plan.get("start")
    if isinstance(start, datetime.date):
        parts.append(start.strftime("%d-%m-%Y"))
    if plan.get("hulpvraag"):
        room = width - len(" · ".join(parts)) - 3
        parts.append(shorten(str(plan["hulpvraag"]), max(room, 20)))
    return " · ".join(parts)


def _people(
    user_id: str,
    dossier: Mapping[str, Any] | None,
    staff: Mapping[str, str] | None,
    today: datetime.date,
) -> dict[str, str]:
    """Who can be recorded as present, value -> label: the pupil's current betrokkenen and
    the user (staff ids, which the checks turn into roles), the reserved words for parents
    and the pupil, and the usual outsiders."""
    names = staff or {}
    roles: dict[str, list[str]] = {}
    betrokkenen = dossier.get("betrokkenen") if dossier else None
    for entry in betrokkenen if isinstance(betrokkenen, list) else ():
        if not isinstance(entry, Mapping) or not entry.get("medewerker"):
            continue
        tot = entry.get("tot")
        if isinstance(tot, datetime.date) and tot < today:
            continue
        role = str(entry.get("rol") or "")
        roles.setdefault(str(entry["medewerker"]), []).extend([role] if role else [])
    if user_id not in roles:
        roles = {user_id: [], **roles}
    people: dict[str, str] = {}
    for who, rols in roles.items():
        text = ", ".join(dict.fromkeys(role_label(r) for r in rols))
        if who == user_id:
            text = f"{text}, {t('form.you')}" if text else t("form.you")
        people[who] = f"{names.get(who, who)} ({text})" if text else names.get(who, who)
    for word in (*PEOPLE, *OUTSIDERS):
        people[word] = choice_label(word)
    return people


def acts(
    today: datetime.date,
    user_id: str,
    niveaus: Sequence[int],
    plans: Sequence[str] | Mapping[str, str],
    current: int | None = None,
    *,
    dossier: Mapping[str, Any] | None = None,
    staff: Mapping[str, str] | None = None,
) -> dict[str, Act]:
    """The acts with defaults for today, this user, the route's niveaus, the open plans and
    the pupil's current niveau.

    `plans` are the ids of the plans that can be evaluated, or (as `open_plans` gives them)
    a mapping of id to the text shown for it. `dossier` (the pupil's data) supplies the
    betrokkenen for `aanwezig` and plan texts for bare ids; `staff` maps staff ids to names.
    Required choices have no default: choosing is the user's judgement, never a preset.
    """
    levels = tuple(str(n) for n in niveaus)
    level = "" if current is None else str(current)
    # A change of niveau most often goes one step up the route.
    higher = next((lv for lv in levels if current is not None and int(lv) > current), level)
    if isinstance(plans, Mapping):
        plan_texts = {str(k): str(v) for k, v in plans.items()}
    else:
        known = open_plans(dossier) if dossier else {}
        plan_texts = {p: known.get(p, p) for p in plans}
    # The only open plan is not a judgement: it is the one to evaluate.
    only_plan = next(iter(plan_texts)) if len(plan_texts) == 1 else ""
    people = _people(user_id, dossier, staff, today)
    present = tuple(people)
    return {
        "plan": Act(
            "plan",
            (
                Field("hulpvraag", required=True),
                Field("vakgebied"),
                Field("doelen", "list", True),
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
                Field("uitvoerder", "staff", default=user_id),
                Field("start", "date", True, default=today.isoformat()),
                Field("evaluatie_gepland", "date", True, default=_weeks(today, 8)),
            ),
        ),
        "evaluatie": Act(
            "evaluatie",
            (
                Field("plan", "choice", True, tuple(plan_texts), only_plan, plan_texts),
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
                Field("ingebracht_door", "staff", default=user_id),
                Field("aanwezig", "multi", choices=present, labels=people),
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
                Field("onderwerp", required=True),
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
                        "kleuterverlenging",
                        "versnelling",
                        "bijzondere_aanpak",
                        "dyslexie",
                        "dyscalculie",
                        "meerbegaafdheid",
                        "opp",
                        "okr",
                        "schooladvies",
                        "grenzen_zorg",
                        "overig",
                    ),
                ),
                Field("aanwezig", "multi", choices=present, default="ouders", labels=people),
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
                Field("schriftelijk", "bool", True),
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
                Field("moment", "moment"),
                Field("datum", "date", True, default=today.isoformat()),
                Field("score", "score"),
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
    """A form value cannot be used; `field` names the form field, `problem` says what is
    wrong (`required`, `choice`, `date`, `impossible_date`, `moment`, `staff`), and
    `str(error)` is a message for the user that names the field by its label."""

    def __init__(self, field_key: str, problem: str, message: str = "") -> None:
        super().__init__(message or f"{field_key}: {problem}")
        self.field = field_key
        self.problem = problem


def _refuse(act: Act, spec: Field, problem: str, raw: str = "") -> FormError:
    label = field_label(act.id, spec.key)
    key = {
        "required": "form.must_choose" if spec.kind not in TYPED_KINDS else "form.must_fill",
        "choice": "form.bad_choice",
        "date": "form.date_unreadable",
        "impossible_date": "form.date_impossible",
        "moment": "form.bad_moment",
        "staff": "form.bad_staff",
    }[problem]
    return FormError(spec.key, problem, t(key, field=label, value=raw))


def _items(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(";") if item.strip()]


def convert(act: Act, values: Mapping[str, str]) -> dict[str, Any]:
    """Typed dossier values from the form's strings; empty optional fields are left out.

    Raises:
        FormError: a required field is empty, or a date, number or choice is not valid.
    """
    result: dict[str, Any] = {}
    for spec in act.fields:
        raw = str(values.get(spec.key) or "").strip()
        if not raw or (spec.kind in ("list", "multi") and not _items(raw)):
            if spec.required:
                raise _refuse(act, spec, "required")
            continue
        if spec.kind == "date":
            try:
                result[spec.key] = parse_date(raw)
            except ValueError as exc:
                problem = "impossible_date" if exc.args == ("impossible",) else "date"
                raise _refuse(act, spec, problem, raw) from exc
        elif spec.kind in ("list", "multi"):
            result[spec.key] = list(dict.fromkeys(_items(raw)))
        elif spec.kind == "bool":
            if raw not in ("ja", "nee"):
                raise _refuse(act, spec, "choice", raw)
            result[spec.key] = raw == "ja"
        elif spec.kind in ("choice", "level") and spec.choices and raw not in spec.choices:
            raise _refuse(act, spec, "choice", raw)
        elif spec.kind == "score":
            result[spec.key] = parse_score(raw)
        elif spec.kind == "moment":
            if not _MOMENT.fullmatch(raw.upper()):
                raise _refuse(act, spec, "moment", raw)
            result[spec.key] = raw.upper()
        elif spec.kind == "staff":
            if not _STAFF_ID.fullmatch(raw):
                raise _refuse(act, spec, "staff", raw)
            result[spec.key] = raw
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
            raise FormError("plan", "choice", t("form.plan_gone", plan=plan_id))
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


def open_plans(data: Mapping[str, Any]) -> dict[str, str]:
    """The plans without an evaluation yet: id -> the text shown for it (`plan_label`)."""
    plans = data.get("plannen")
    if not isinstance(plans, list):
        return {}
    return {
        str(p["id"]): plan_label(p)
        for p in plans
        if isinstance(p, Mapping) and "id" in p and not p.get("evaluatie")
    }
