"""Retention terms per dossier part: the rules, their defaults and the deadline arithmetic.

Pure: no I/O, no keys, no git. `vault.retention` feeds it the facts of each pupil and acts on
the outcome (crypto-shredding).

Date semantics (documented in docs/retention.md):

* A term is added to the date of its event (`uitschrijving`, `toelating_vervolgschool`).
  Years and months are calendar years/months; when the target month has no such day (29 February
  plus one year, 31 January plus one month) the last day of that month is used, as in
  EU Regulation 1182/71 art. 3(2)(c). Weeks and days are plain day counts.
* The result is the *last day of the term* (`deadline`). A part is expired from the day after
  (`today > deadline`), so a part is never destroyed before its whole term has run.
* A rule may also say by when destruction must have happened (`uiterlijk`, e.g. funding data at
  most eight weeks after the five years); past that date the item is flagged `te_laat`.
* When several rules apply to one part, the latest deadline wins: destroying earlier would
  break the longer obligation.
* A date that is missing or malformed never crashes and never destroys anything by itself:
  the part gets the state `onbepaald` with the reason.
* The fallback (`vangnet`, docs/retention.md): a pupil who has left keeps no part longer than
  the pupil's longest term counted from uitschrijving (with the defaults: the administratie,
  five years). A part whose own start date is missing or malformed (an OKR whose admission at
  the next school was never recorded) is `onbepaald` until that date, showing it as its
  deadline, and expires after it, together with the administratie. Once the administratie is
  destroyed no date can be read any more: a remaining part is kept until the deadline the
  sweep recorded for it, else it expires (`decide_after_administratie`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import yaml

from dossier_format.errors import DossierError

RULES_FORMAT = "zorgkluis-bewaartermijnen/1"
"""The `formaat` value of a vault's retention configuration file."""

PARTS: tuple[str, ...] = ("administratie", "zorg", "okr", "werkaantekeningen")
"""Part kinds a rule can apply to; "werkaantekeningen" covers every "werkaantekeningen/<id>"."""

EVENTS: tuple[str, ...] = ("uitschrijving", "toelating_vervolgschool")
"""Events a term counts from."""

CONDITIONS: tuple[str, ...] = ("adviezen",)
"""Conditions under which a rule applies only: "adviezen" = the part holds advice/referral
decisions (see `RetentionFacts.has_adviezen`)."""

FALLBACK_RULE = "vangnet"
"""Rule id recorded when a part expires by the fallback instead of its own term (no part is
kept longer than the pupil's longest term counted from uitschrijving)."""

# States of a retention item, as shown to the user.
BEWAREN = "bewaren"
VERLOPEN = "verlopen"
ONBEPAALD = "onbepaald"
VERNIETIGD = "vernietigd"

_UNITS = {
    "dag": "dagen",
    "dagen": "dagen",
    "week": "weken",
    "weken": "weken",
    "maand": "maanden",
    "maanden": "maanden",
    "jaar": "jaar",
    "jaren": "jaar",
}
_TERM_RE = re.compile(r"^\s*(\d{1,3})\s+([a-z]+)\s*$")


def add_months(day: dt.date, months: int) -> dt.date:
    """Add calendar months to `day`, clamping to the last day of the target month.

    Args:
        day: the start date.
        months: number of months (may be negative).

    Returns:
        The same day-of-month `months` later, or the month's last day when it is shorter
        (31 January + 1 month = 28 or 29 February; 29 February + 12 months = 28 February).
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last))


@dataclass(frozen=True)
class Term:
    """A length of time such as "5 jaar" or "8 weken".

    Attributes:
        amount: the number (0 or more).
        unit: "jaar", "maanden", "weken" or "dagen".
    """

    amount: int
    unit: str

    @classmethod
    def parse(cls, text: str) -> Term:
        """Parse "5 jaar", "2 maanden", "8 weken", "0 dagen" (singular forms accepted).

        Raises:
            ValueError: the text is not "<number> <unit>" with a known unit.
        """
        match = _TERM_RE.match(str(text).lower())
        if not match or match.group(2) not in _UNITS:
            raise ValueError(
                f"'{text}' is geen termijn; schrijf bijvoorbeeld '5 jaar', '8 weken' of '0 dagen'"
            )
        return cls(int(match.group(1)), _UNITS[match.group(2)])

    def after(self, day: dt.date) -> dt.date:
        """The date this term after `day` (see the module docstring for month-end handling)."""
        if self.unit == "jaar":
            return add_months(day, 12 * self.amount)
        if self.unit == "maanden":
            return add_months(day, self.amount)
        if self.unit == "weken":
            return day + dt.timedelta(weeks=self.amount)
        return day + dt.timedelta(days=self.amount)

    def __str__(self) -> str:
        return f"{self.amount} {self.unit}"


@dataclass(frozen=True)
class RetentionRule:
    """One retention term for one kind of part.

    Attributes:
        id: stable rule id, recorded in the retention log ("administratie", "okr", ...).
        onderdeel: the part kind it applies to (one of `PARTS`).
        termijn: how long the part is kept after the event.
        na: the event the term counts from (one of `EVENTS`).
        uiterlijk: optional extra time within which destruction must have happened.
        alleen_bij: optional condition (one of `CONDITIONS`) under which the rule applies.
        omschrijving: Dutch one-line description for the UI.
        bron: where the term comes from (seed section, law, or "school").
    """

    id: str
    onderdeel: str
    termijn: Term
    na: str
    omschrijving: str
    bron: str
    uiterlijk: Term | None = None
    alleen_bij: str | None = None


DEFAULT_RULES: tuple[RetentionRule, ...] = (
    RetentionRule(
        id="administratie",
        onderdeel="administratie",
        termijn=Term(5, "jaar"),
        na="uitschrijving",
        uiterlijk=Term(8, "weken"),
        omschrijving=(
            "Leerlingadministratie: vijf jaar na uitschrijving bewaren; de gegevens voor de "
            "bekostiging uiterlijk acht weken daarna vernietigen."
        ),
        bron="003 §4.3",
    ),
    RetentionRule(
        id="okr",
        onderdeel="okr",
        termijn=Term(2, "jaar"),
        na="toelating_vervolgschool",
        omschrijving="Onderwijskundig rapport: twee jaar na toelating op de vervolgschool.",
        bron="003 §4.3",
    ),
    RetentionRule(
        id="adviezen",
        onderdeel="zorg",
        termijn=Term(3, "jaar"),
        na="uitschrijving",
        alleen_bij="adviezen",
        omschrijving=(
            "Adviezen en verwijzingsbeslissingen (PCL, TLV): drie jaar nadat de leerling de "
            "school verliet."
        ),
        bron="003 §4.3",
    ),
    RetentionRule(
        id="zorg",
        onderdeel="zorg",
        termijn=Term(2, "jaar"),
        na="uitschrijving",
        omschrijving="Zorgdossier: twee jaar nadat de leerling de school verliet.",
        bron="issue 5 (niet in de seeds; gangbare termijn, door de school te bevestigen)",
    ),
    RetentionRule(
        id="werkaantekeningen",
        onderdeel="werkaantekeningen",
        termijn=Term(0, "dagen"),
        na="uitschrijving",
        omschrijving="Werkaantekeningen: uiterlijk bij vertrek van de leerling.",
        bron=(
            "issue 5; 003 §4.4 (geen onderdeel van het LVS, geen inzage ouders) "
            "en AVG art. 5 lid 1 onder e (niet langer dan nodig)"
        ),
    ),
)
"""The documented defaults; the school confirms or changes them at `init`."""


def part_kind(part: str) -> str:
    """The rule kind of a part name: "werkaantekeningen/ib-1" -> "werkaantekeningen"."""
    return part.split("/", 1)[0]


@dataclass(frozen=True)
class RetentionFacts:
    """The dates and flags of one pupil that the retention rules need.

    Attributes:
        uitschrijving: date the pupil was deregistered (left the school), or None if enrolled.
        toelating_vervolgschool: date of admission at the next school, or None if unknown.
        has_adviezen: the care part holds advice or referral decisions.
        problems: Dutch reasons why a date could not be read, keyed by event name.
    """

    uitschrijving: dt.date | None = None
    toelating_vervolgschool: dt.date | None = None
    has_adviezen: bool = False
    problems: Mapping[str, str] = field(default_factory=dict)

    def event(self, name: str) -> dt.date | None:
        """The date of event `name` (one of `EVENTS`), or None."""
        return self.uitschrijving if name == "uitschrijving" else self.toelating_vervolgschool


_EVENT_LABEL = {
    "uitschrijving": "datum van uitschrijving",
    "toelating_vervolgschool": "datum van toelating op de vervolgschool",
}

# Where the facts live in a dossier (plain dict from `codec.load_fast`, schema v1).
_EVENT_PATHS = {
    "uitschrijving": ("inschrijving", "uitgeschreven"),
    "toelating_vervolgschool": ("inschrijving", "toegelaten_vervolgschool"),
}
_DECIDED = ("toegekend", "afgewezen")


def _lookup(data: Mapping[str, object], path: Sequence[str]) -> object:
    node: object = data
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value.strip())
    raise ValueError(value)


def facts_from_dossier(data: Mapping[str, object]) -> RetentionFacts:
    """Read the retention facts from a dossier dict (as from `codec.load_fast`). Never raises.

    Reads `inschrijving.uitgeschreven` and `inschrijving.toegelaten_vervolgschool`. Advice and
    referral decisions (the PCL advice of 003 §4.3; today the samenwerkingsverband's decisions)
    are the entries of `aanvragen` with `besluit` toegekend or afgewezen. A value that is not a
    valid date becomes a problem (the part will be `onbepaald`), not an exception.
    """
    problems: dict[str, str] = {}
    dates: dict[str, dt.date | None] = {}
    for event, path in _EVENT_PATHS.items():
        dates[event] = None
        raw = _lookup(data, path)
        if raw is None or raw == "":
            continue
        try:
            dates[event] = _as_date(raw)
        except ValueError:
            problems[event] = f"{_EVENT_LABEL[event]} '{raw}' is geen geldige datum"
    requests = data.get("aanvragen")
    has_adviezen = isinstance(requests, list) and any(
        isinstance(r, Mapping) and r.get("besluit") in _DECIDED for r in requests
    )
    return RetentionFacts(
        uitschrijving=dates["uitschrijving"],
        toelating_vervolgschool=dates["toelating_vervolgschool"],
        has_adviezen=has_adviezen,
        problems=problems,
    )


@dataclass(frozen=True)
class RetentionItem:
    """The retention decision for one part of one pupil.

    Attributes:
        pupil_id: opaque pupil id.
        part: part name ("administratie", "werkaantekeningen/ib-1", ...).
        state: `BEWAREN`, `VERLOPEN`, `ONBEPAALD` or `VERNIETIGD`.
        deadline: last day of the retention term, or None when not (yet) known.
        uiterlijk: date by which destruction must have happened, when a rule says so.
        rule_ids: ids of the rules that determine the deadline (the binding one first).
        reason: Dutch explanation for the UI.
        te_laat: destruction is overdue (today is past `uiterlijk`).
    """

    pupil_id: str
    part: str
    state: str
    deadline: dt.date | None
    uiterlijk: dt.date | None
    rule_ids: tuple[str, ...]
    reason: str
    te_laat: bool = False

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict (dates as ISO strings) with Dutch keys for `--json` output."""
        return {
            "leerling": self.pupil_id,
            "onderdeel": self.part,
            "status": self.state,
            "termijn_tot": self.deadline.isoformat() if self.deadline else None,
            "uiterlijk": self.uiterlijk.isoformat() if self.uiterlijk else None,
            "regels": list(self.rule_ids),
            "reden": self.reason,
            "te_laat": self.te_laat,
        }


def applicable_rules(
    part: str, facts: RetentionFacts, rules: Sequence[RetentionRule]
) -> list[RetentionRule]:
    """The rules that apply to `part` given the pupil's facts (conditions evaluated)."""
    kind = part_kind(part)
    return [
        r
        for r in rules
        if r.onderdeel == kind and (r.alleen_bij != "adviezen" or facts.has_adviezen)
    ]


def decide(
    pupil_id: str,
    part: str,
    facts: RetentionFacts,
    rules: Sequence[RetentionRule],
    today: dt.date,
) -> RetentionItem:
    """Decide the retention state of one part. Never raises.

    Args:
        pupil_id: opaque pupil id (only copied into the result).
        part: part name.
        facts: the pupil's dates (see `facts_from_dossier`).
        rules: the vault's rules.
        today: the date to judge on.

    Returns:
        A `RetentionItem`. A pupil that is still enrolled keeps every part (`bewaren`); a missing
        or malformed start date of a left pupil gives `onbepaald` until the pupil's longest
        term counted from uitschrijving has run (the fallback, shown as the deadline) and
        `verlopen` with rule `vangnet` after it; a malformed date of uitschrijving gives
        `onbepaald` with no deadline; no rule for the part gives `onbepaald` too (nothing is
        destroyed without a rule).
    """
    chosen = applicable_rules(part, facts, rules)
    if not chosen:
        return RetentionItem(
            pupil_id, part, ONBEPAALD, None, None, (), "geen bewaartermijn voor dit onderdeel"
        )
    ids = tuple(r.id for r in chosen)
    if facts.uitschrijving is None and "uitschrijving" not in facts.problems:
        return RetentionItem(
            pupil_id, part, BEWAREN, None, None, ids, "leerling staat ingeschreven"
        )
    ends: list[tuple[dt.date, dt.date | None, RetentionRule]] = []
    missing: list[str] = []
    for rule in chosen:
        start = facts.event(rule.na)
        if start is None:
            missing.append(facts.problems.get(rule.na, f"{_EVENT_LABEL[rule.na]} ontbreekt"))
            continue
        end = rule.termijn.after(start)
        ends.append((end, rule.uiterlijk.after(end) if rule.uiterlijk else None, rule))
    if missing:
        return _fallback(pupil_id, part, facts, rules, today, ids, missing[0], ends)
    ends.sort(key=lambda e: e[0], reverse=True)
    deadline, uiterlijk, binding = ends[0]
    ids = (binding.id, *(r.id for _, _, r in ends[1:]))
    if today <= deadline:
        return RetentionItem(
            pupil_id,
            part,
            BEWAREN,
            deadline,
            uiterlijk,
            ids,
            f"bewaren tot en met {deadline.isoformat()} ({binding.termijn} na {binding.na})",
        )
    late = uiterlijk is not None and today > uiterlijk
    reason = f"termijn verstreken op {deadline.isoformat()}"
    if late and uiterlijk is not None:
        reason += f"; had uiterlijk {uiterlijk.isoformat()} vernietigd moeten zijn"
    return RetentionItem(pupil_id, part, VERLOPEN, deadline, uiterlijk, ids, reason, te_laat=late)


def longest_term(
    facts: RetentionFacts, rules: Sequence[RetentionRule]
) -> tuple[dt.date, RetentionRule] | None:
    """The end of the pupil's longest term counted from uitschrijving, over every rule of
    every part that applies to this pupil (conditions evaluated), and that rule; None while
    the pupil is enrolled or the date of uitschrijving is unreadable.

    With the default rules this is the administratie: five years after uitschrijving.
    """
    if facts.uitschrijving is None:
        return None
    ends = [
        (rule.termijn.after(facts.uitschrijving), rule)
        for rule in rules
        if rule.na == "uitschrijving" and (rule.alleen_bij != "adviezen" or facts.has_adviezen)
    ]
    return max(ends, key=lambda e: e[0]) if ends else None


def _fallback(
    pupil_id: str,
    part: str,
    facts: RetentionFacts,
    rules: Sequence[RetentionRule],
    today: dt.date,
    ids: tuple[str, ...],
    problem: str,
    known: Sequence[tuple[dt.date, dt.date | None, RetentionRule]],
) -> RetentionItem:
    """The decision for a part one of whose start dates is missing or malformed."""
    cap = longest_term(facts, rules)
    if cap is None:  # the date of uitschrijving itself is unreadable: no fallback
        return RetentionItem(pupil_id, part, ONBEPAALD, None, None, ids, problem)
    until, longest = cap
    latest = max((end for end, _, _ in known), default=None)
    if latest is not None and latest > until:
        # A known term runs longer than the fallback: keep at least until then.
        until = latest
    if today <= until:
        return RetentionItem(
            pupil_id,
            part,
            ONBEPAALD,
            until,
            None,
            ids,
            f"{problem}; vul die in. Zonder die datum uiterlijk bewaard tot en met "
            f"{until.isoformat()} (vangnet: niet langer dan de langste termijn van deze "
            f"leerling, {longest.id})",
        )
    return RetentionItem(
        pupil_id,
        part,
        VERLOPEN,
        until,
        None,
        (FALLBACK_RULE, *ids),
        f"{problem}; vangnet: niet langer bewaard dan de langste termijn van deze leerling "
        f"({longest.id}, tot en met {until.isoformat()})",
    )


def decide_after_administratie(
    pupil_id: str,
    part: str,
    administratie_until: dt.date | None,
    recorded: tuple[dt.date, str] | None,
    today: dt.date,
) -> RetentionItem:
    """Decide a part that remains after the pupil's administratie was destroyed.

    Without the administratie no date of the pupil can be read any more, so the sweep that
    destroyed it recorded the deadline of every part it kept (`recorded`: the last day and
    the binding rule). A part with a recorded deadline is kept until then; any other part
    has outlived the pupil's longest term (the administratie's) and expires (`vangnet`).

    Args:
        pupil_id: opaque pupil id.
        part: the remaining part.
        administratie_until: the administratie's last day, from the retention log.
        recorded: (last day, rule id) the sweep recorded for this part, or None.
        today: the date to judge on.
    """
    if recorded is not None:
        until, rule_id = recorded
        if today <= until:
            return RetentionItem(
                pupil_id,
                part,
                BEWAREN,
                until,
                None,
                (rule_id,),
                f"bewaren tot en met {until.isoformat()} (vastgelegd toen de administratie "
                "werd vernietigd)",
            )
        return RetentionItem(
            pupil_id,
            part,
            VERLOPEN,
            until,
            None,
            (rule_id,),
            f"termijn verstreken op {until.isoformat()}",
        )
    when = f" (termijn tot en met {administratie_until.isoformat()})" if administratie_until else ""
    return RetentionItem(
        pupil_id,
        part,
        VERLOPEN,
        administratie_until,
        None,
        (FALLBACK_RULE,),
        f"de administratie is vernietigd{when}; vangnet: geen onderdeel wordt langer bewaard "
        "dan de langste termijn van de leerling",
    )


def plan(
    pupils: Mapping[str, tuple[RetentionFacts, Iterable[str]]],
    rules: Sequence[RetentionRule],
    today: dt.date,
) -> list[RetentionItem]:
    """Decide every part of every pupil, sorted by pupil id and part name.

    Args:
        pupils: pupil id -> (facts, the names of the parts that still exist).
        rules: the vault's rules.
        today: the date to judge on.
    """
    items = [
        decide(pid, part, facts, rules, today)
        for pid, (facts, parts) in pupils.items()
        for part in parts
    ]
    return sorted(items, key=lambda i: (i.pupil_id, i.part))


# --- the configuration file -------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionConfig:
    """A vault's confirmed retention terms.

    Attributes:
        rules: the rules in force.
        bevestigd_door: id of the staff member who confirmed them.
        bevestigd_op: date of confirmation.
    """

    rules: tuple[RetentionRule, ...]
    bevestigd_door: str
    bevestigd_op: dt.date


def _err(message: str, source: str) -> DossierError:
    return DossierError(message, source=source)


def validate_rules(rules: Sequence[RetentionRule], source: str = "<bewaartermijnen>") -> None:
    """Check a rule set: known parts, events and conditions, unique ids, every part covered.

    Raises:
        DossierError: with a Dutch message naming the first problem.
    """
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise _err(f"regel '{rule.id}' staat er twee keer in", source)
        seen.add(rule.id)
        if rule.onderdeel not in PARTS:
            raise _err(
                f"regel '{rule.id}': onbekend onderdeel '{rule.onderdeel}' "
                f"(kies uit {', '.join(PARTS)})",
                source,
            )
        if rule.na not in EVENTS:
            raise _err(
                f"regel '{rule.id}': onbekende gebeurtenis '{rule.na}' "
                f"(kies uit {', '.join(EVENTS)})",
                source,
            )
        if rule.alleen_bij is not None and rule.alleen_bij not in CONDITIONS:
            raise _err(f"regel '{rule.id}': onbekende voorwaarde '{rule.alleen_bij}'", source)
    for kind in PARTS:
        if not any(r.onderdeel == kind and r.alleen_bij is None for r in rules):
            raise _err(f"geen bewaartermijn voor onderdeel '{kind}'", source)


def parse_config(text: str, source: str = "bewaartermijnen.yaml") -> RetentionConfig:
    """Parse a vault's retention configuration (YAML, Dutch keys).

    Raises:
        DossierError: broken YAML, wrong `formaat`, a missing key, a bad term or an invalid
            rule set (see `validate_rules`).
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _err(f"het bestand met bewaartermijnen is geen geldige YAML: {exc}", source) from exc
    if not isinstance(data, Mapping) or data.get("formaat") != RULES_FORMAT:
        raise _err(f"het bestand met bewaartermijnen heeft niet 'formaat: {RULES_FORMAT}'", source)
    try:
        rules = tuple(_rule_from_yaml(row) for row in data["regels"])
        confirmed_on = _as_date(data["bevestigd_op"])
        by = str(data["bevestigd_door"])
    except (KeyError, TypeError, ValueError) as exc:
        raise _err(
            f"het bestand met bewaartermijnen is onvolledig of onjuist: {exc}", source
        ) from exc
    if confirmed_on is None:
        raise _err("bevestigd_op ontbreekt", source)
    validate_rules(rules, source)
    return RetentionConfig(rules, by, confirmed_on)


def _rule_from_yaml(row: Mapping[str, object]) -> RetentionRule:
    uiterlijk = row.get("uiterlijk")
    alleen_bij = row.get("alleen_bij")
    return RetentionRule(
        id=str(row["id"]),
        onderdeel=str(row["onderdeel"]),
        termijn=Term.parse(str(row["termijn"])),
        na=str(row["na"]),
        omschrijving=str(row.get("omschrijving", "")),
        bron=str(row.get("bron", "school")),
        uiterlijk=Term.parse(str(uiterlijk)) if uiterlijk is not None else None,
        alleen_bij=str(alleen_bij) if alleen_bij is not None else None,
    )


def dump_config(config: RetentionConfig) -> str:
    """Serialize a configuration to the YAML read by `parse_config` (stable key order)."""
    rows: list[dict[str, str]] = []
    for r in config.rules:
        row = {"id": r.id, "onderdeel": r.onderdeel, "termijn": str(r.termijn), "na": r.na}
        if r.uiterlijk is not None:
            row["uiterlijk"] = str(r.uiterlijk)
        if r.alleen_bij is not None:
            row["alleen_bij"] = r.alleen_bij
        row["omschrijving"] = r.omschrijving
        row["bron"] = r.bron
        rows.append(row)
    doc = {
        "formaat": RULES_FORMAT,
        "bevestigd_door": config.bevestigd_door,
        "bevestigd_op": config.bevestigd_op.isoformat(),
        "regels": rows,
    }
    header = "# Bewaartermijnen van deze kluis, bevestigd door de school (zie docs/retention.md).\n"
    return header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)
