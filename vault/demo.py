"""The demo vault: one fictional school, ~200 fictional pupils with generated care histories.

Everything here is made up: the school, the staff and the pupils (first names from common
Dutch name lists, surnames invented), and the histories are drawn from a seeded random
generator so the same seed, route and date always give the same vault content.

Most pupils need no extra care: tests with their levels, sometimes a talk with the parents.
The others follow the chosen route up (and sometimes down again): each step brings what the
route asks there (the meeting that decides it, consent, talk, plan, request, groeidocument),
each handelingsperiode ends in an evaluation, low reading or spelling scores are discussed in a
groepsbespreking. Protocols run where they fit (dyslexie with its steps and, for a few, research
and a verklaring; dyscalculie by phase; meerbegaafdheid with compacten/verrijken and the
Plusklas; doublure; herfstkinderen on route 003); pupils on the top niveau in groep 7-8 have an
OPP; pupils who left have an OKR seen by their parents (one with the parents' zienswijze).

A few pupils are given open findings on purpose so every signal of the pupil list shows up
(see `_SPECIALS_WITH_FINDINGS`); everything else is generated to pass the route's checks.

Each pupil's versions are the dossier as it was on the day it was saved and by whom: the
IB-er's import at the start of the school year, then every later change by the groep's teacher,
the IB-er or the orthopedagoog; `create_demo` commits them in date order with those dates, and
the IB-er has reviewed everything but the last week.

`generate` is pure (data only); `create_demo` builds the vault (keys, users, signed commits)
and `open_demo` finds an existing one.
"""

from __future__ import annotations

import datetime
import functools
import json
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dossier_format import parts
from dossier_format.routes import Route, load_route
from vault import review
from vault.crypto import sshkeys
from vault.errors import ChecksFailedError
from vault.repository import Vault

DEMO_PASSPHRASE = "demo-zorgkluis"
"""The passphrase of every demo staff key (printed by `zorgkluis demo`)."""

DEMO_SEED = 2026
DEMO_COUNT = 200
DEMO_ROUTE = "003"
DEMO_SCHOOL = "Fictieve basisschool De Verzonnen Linde"
INFO_FILE = "demo.json"
OVERRIDE_REASON = "Demogegevens: open bevinding bewust laten staan om de controles te tonen."

_FIRST_NAMES = (
    "Noor",
    "Emma",
    "Julia",
    "Mila",
    "Tess",
    "Sophie",
    "Zoë",
    "Sara",
    "Nina",
    "Eva",
    "Liv",
    "Fenna",
    "Lotte",
    "Yara",
    "Saar",
    "Roos",
    "Fleur",
    "Lina",
    "Isa",
    "Evi",
    "Daan",
    "Sem",
    "Lucas",
    "Levi",
    "Finn",
    "Milan",
    "Jesse",
    "Noah",
    "Luuk",
    "Bram",
    "Thijs",
    "Sam",
    "Mees",
    "Ruben",
    "Gijs",
    "Adam",
    "Jayden",
    "Stijn",
    "Teun",
    "Siem",
    "Ayoub",
    "Mohammed",
    "Ilias",
    "Amira",
    "Hiba",
    "Ravi",
    "Priya",
    "Mateo",
    "Olaf",
    "Jens",
)
_SURNAMES = (
    "Akkerhof",
    "Beekveld",
    "Brinkhorst",
    "Dijkstee",
    "Esdoorn",
    "Grasmeijer",
    "Heidekamp",
    "Hulstbosch",
    "Kolkman",
    "Kreekmolen",
    "Lindeboom",
    "Maasdonk",
    "Meerhoven",
    "Molenkamp",
    "Nieuwerf",
    "Oosterweel",
    "Polderman",
    "Rietvink",
    "Schouwenaar",
    "Slootmaker",
    "Steenakker",
    "Terpstrand",
    "Uiterwijk",
    "Veldhoeve",
    "Vlierbeek",
    "Waterkamp",
    "Wilgenrode",
    "Zandvliet",
    "Zwanenburgh",
    "Eikenhorst",
)
_TUSSENVOEGSELS = ("", "", "", "", "van", "van der", "de", "van den", "ter")
_LEVELS = ("I", "II", "III", "IV", "V")
_LVS_TESTS = {
    "technisch lezen": "DMT",
    "spelling": "Cito Spelling",
    "rekenen": "Cito Rekenen-Wiskunde",
    "begrijpend lezen": "Cito Begrijpend Lezen",
}
_KLEUTER_AREAS = ("mondelinge taal", "sociaal-emotionele ontwikkeling", "motoriek")
_PMB = "meer- en hoogbegaafdheid"
_HULPVRAGEN = {
    "technisch lezen": (
        "Hoe verhoogt deze leerling het leestempo op woordniveau?",
        "Welke aanpak helpt bij het nauwkeurig lezen van meerlettergrepige woorden?",
        "Hoe automatiseert deze leerling de letter-klankkoppeling?",
        "Hoe houdt deze leerling het leesplezier vast bij extra oefening?",
    ),
    "spelling": (
        "Hoe past deze leerling de spellingregels toe in een dictee?",
        "Welke aanpak helpt bij werkwoordspelling?",
        "Hoe gebruikt deze leerling de spellingstrategieën bij eigen teksten?",
    ),
    "rekenen": (
        "Hoe krijgt deze leerling meer grip op de tafels tot en met 10?",
        "Welke aanpak helpt bij getalbegrip en de getallenlijn?",
        "Hoe leert deze leerling bewerkingen met breuken en kommagetallen?",
        "Hoe zet deze leerling rekenstrategieën in bij contextsommen?",
    ),
    "begrijpend lezen": (
        "Hoe past deze leerling leesstrategieën toe bij zaakvakteksten?",
        "Hoe vat deze leerling een tekst in eigen woorden samen?",
        "Welke aanpak helpt bij het maken van verwijzingen in een tekst?",
    ),
    "mondelinge taal": (
        "Hoe breidt deze leerling de woordenschat uit?",
        "Hoe vertelt deze leerling een kort verhaal in de goede volgorde?",
    ),
    "sociaal-emotionele ontwikkeling": (
        "Hoe gaat deze leerling om met samenspel en conflicten?",
        "Hoe leert deze leerling om hulp te vragen?",
    ),
    "motoriek": (
        "Hoe ontwikkelt deze leerling de fijne motoriek voor het schrijven?",
        "Hoe verbetert deze leerling de pengreep en de werkhouding?",
    ),
    _PMB: (
        "Welke uitdaging heeft deze leerling nodig naast de compacte basisstof?",
        "Hoe leert deze leerling plannen en doorzetten bij verrijkingswerk?",
        "Hoe reflecteert deze leerling op het eigen leerproces?",
    ),
}
_DOELEN = {
    "technisch lezen": "{naam} leest aan het eind van de periode {n} woorden per minuut op de DMT.",
    "spelling": "{naam} maakt in het dictee hoogstens {k} fouten op de geoefende regels.",
    "rekenen": "{naam} beheerst de geoefende bewerkingen en maakt de methodetoets voldoende.",
    "begrijpend lezen": "{naam} beantwoordt vragen over een zaakvaktekst met de leesstrategieën.",
    "mondelinge taal": "{naam} gebruikt de woorden van het thema in de kring.",
    "sociaal-emotionele ontwikkeling": "{naam} speelt tien minuten samen zonder hulp.",
    "motoriek": "{naam} houdt de pen in de driepuntsgreep bij schrijfopdrachten.",
    _PMB: "{naam} werkt een verrijkingsopdracht zelfstandig af en presenteert die aan de groep.",
}
_ACCENTS = (
    "",
    "Nu gericht op zelfstandig toepassen in de groep.",
    "Nu gericht op tempo en automatiseren.",
    "Nu gericht op onderhoud en transfer naar andere vakken.",
    "Nu gericht op plannen en zelf nakijken.",
    "Nu gericht op de overgang naar de volgende groep.",
)
_VO_SCHOLEN = (
    "Fictief Lyceum De Verzonnen Eik",
    "Denkbeeldig College Westrand",
    "Fictieve scholengemeenschap Het Luchtkasteel",
    "Verzonnen Vakcollege De Ankerplaats",
)
_BASISSCHOLEN = ("Fictieve basisschool De Papieren Molen", "Fictieve basisschool 't Luchtschip")
_SCHOOLADVIEZEN = ("vmbo-kader", "vmbo-gt", "vmbo-gt/havo", "havo", "havo/vwo", "vwo")
_EXTERN_DYSLEXIE = "Fictief dyslexie-instituut De Letterboom"
_EXTERN_REKENEN = "Fictief expertisecentrum Rekenrijk"
_EXTERN_PSYCHOLOOG = {"naam": "drs. E. Verzonnen-Jansen", "kwalificatie": "gz_psycholoog"}
_EXTERN_ORTHO = {"naam": "dr. R. Denkbeeld", "kwalificatie": "orthopedagoog_generalist"}
_NOTES = (
    "Afstemmen met {lk} over de aanpak {vak}; extra instructie lijkt te helpen.",
    "Moeder belde: thuis veel spanning rond huiswerk {vak}. Terugbellen na de evaluatie.",
    "{lk} twijfelt of het plan haalbaar is naast de groepsinstructie; meenemen.",
    "Observatie: werkt geconcentreerd in de kleine instructiegroep, minder in de kring.",
    "Vragen aan de orthopedagoog of verder onderzoek zinvol is.",
)
_PREFIXES = {
    "plannen": "pl",
    "besprekingen": "bs",
    "gesprekken": "gs",
    "toestemmingen": "ts",
    "toetsen": "tt",
    "onderzoeken": "oz",
    "verklaringen": "vk",
    "aanvragen": "av",
    "zienswijzen": "zw",
    "correcties": "cr",
    "werkaantekeningen": "wa",
}
# The date that says when an entry came into the dossier, in order of preference; a dict with
# `_sinds` appears whole on that date (its own dates may lie in the future: targets).
_START_KEYS = ("_sinds", "aangevraagd", "opgesteld", "gestart", "vanaf", "verzoek_datum", "start")
_PLANNED = frozenset({"evaluatie_gepland", "eind"})
_CONSENT_MEETINGS = frozenset({"bot", "zorgteam", "ondersteuningsteam"})

# Intentional specials, by (groep, k): the k-th pupil of that groep (pupil index k * 8 + groep
# - 1), so a small demo (16 pupils: k = 0, 1) gets a few and the full demo all of them.
# Open findings are deliberate and few (see _SPECIALS_WITH_FINDINGS); everything else is
# generated to pass the route's checks.
_SPECIALS: dict[tuple[int, int], str] = {
    (8, 1): "oud_okr_zienswijze",
    (7, 1): "top",
    (6, 1): "dyslexie_verklaring",
    (5, 1): "meerbegaafd_plusklas",
    (3, 1): "herfstkind_besluit",
    (2, 2): "herfstkind_signalering",
    (8, 2): "dyslexie_verklaring",
    (7, 2): "dyscalculie_verklaring",
    (4, 2): "correctie_open",
    (5, 2): "verhuisd_okr_open",
    (3, 2): "evaluatie_verlopen",
    (8, 3): "top",
    (6, 3): "toestemming_ontbreekt",
    (4, 3): "doublure_a",
    (8, 4): "oud_okr",
    (6, 4): "doublure_ouders",
    (5, 3): "evaluatie_verlopen",
    (8, 6): "oud_bewaartermijn",
    (8, 7): "oud_okr",
    (2, 5): "toestemming_ontbreekt",
    (8, 10): "oud_okr",
    (7, 4): "evaluatie_verlopen",
    (8, 13): "oud_okr",
}
_SPECIALS_WITH_FINDINGS = frozenset(
    {
        # A plan whose evaluation date passed without an evaluation: warning, signal
        # 'evaluatie verlopen'.
        "evaluatie_verlopen",
        # A team meeting (zorgteam/BOT/ondersteuningsteam) without the parents' consent:
        # error, signal 'toestemming ontbreekt'.
        "toestemming_ontbreekt",
        # A parents' correction request still open: info, signal 'correctieverzoek open'.
        "correctie_open",
        # Moved away two weeks ago, OKR seen by the parents but not yet sent: signal.
        "verhuisd_okr_open",
        # Left for VO more than two years ago: the OKR's retention term has passed (warning,
        # signal 'bewaartermijn verstreken'), for the retention sweep to act on.
        "oud_bewaartermijn",
    }
)


@dataclass(frozen=True)
class StaffMember:
    """A fictional staff member of the demo school."""

    id: str
    naam: str
    rol: str
    groep: int | None = None


@dataclass
class DemoPupil:
    """One generated pupil: the dossier's versions, each saved by a staff member on a date."""

    id: str
    groep: int
    versions: list[tuple[str, str]] = field(default_factory=list)  # (staff id, YAML text)
    dates: list[datetime.date] = field(default_factory=list)  # when each version was saved


STAFF: tuple[StaffMember, ...] = (
    StaffMember("ib-verbeek", "Anouk Verbeek", "intern_begeleider"),
    StaffMember("dir-hofstede", "Karel Hofstede", "directie"),
    StaffMember("ortho-lindeman", "Marit Lindeman", "orthopedagoog"),
    *(
        StaffMember(f"lk-groep{g}", name, "leerkracht", g)
        for g, name in enumerate(
            (
                "Ilse Bosman",
                "Jeroen Smeets",
                "Fatima el Amrani",
                "Peter Dekkers",
                "Sanne Wouters",
                "Ahmet Yilmaz",
                "Lisa Kuipers",
                "Tom Vermeulen",
            ),
            start=1,
        )
    ),
)
IB = STAFF[0]
DIRECTIE = STAFF[1]
ORTHO = STAFF[2]


def leerkracht(groep: int) -> StaffMember:
    """The demo teacher of a groep."""
    return next(s for s in STAFF if s.groep == groep)


def _pupil_id(rng: random.Random) -> str:
    return "ll-" + "".join(rng.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(10))


def _school_year_start(today: datetime.date) -> datetime.date:
    year = today.year if today.month >= 8 else today.year - 1
    return datetime.date(year, 8, 25)


def _schooljaar(day: datetime.date) -> int:
    return day.year if day.month >= 8 else day.year - 1


def _weeks(n: float) -> datetime.timedelta:
    return datetime.timedelta(days=round(7 * n))


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def _schoolday(day: datetime.date) -> datetime.date:
    """`day`, or the first school day after it (no weekends, summer or Christmas holiday)."""
    if (day.month, day.day) >= (7, 12) and (day.month, day.day) < (8, 25):
        day = datetime.date(day.year, 8, 25)
    elif (day.month, day.day) >= (12, 21) or (day.month, day.day) < (1, 5):
        day = datetime.date(day.year + (day.month == 12), 1, 5)
    while day.weekday() >= 5:
        day += _days(1)
    return day


def _plan_day(day: datetime.date, step: bool = False) -> datetime.date:
    """A school day to start a handelingsperiode (or, with `step`, to step to a niveau and
    start its first period): not in the last weeks before the summer; then after it."""
    holiday_from = (5, 29) if step else (6, 6)
    if holiday_from <= (day.month, day.day) < (8, 25):
        day = datetime.date(day.year, 8, 25)
    return _schoolday(day)


class _Ref:
    """A reference to another entry; becomes that entry's id once ids are numbered."""

    def __init__(self, entry: dict[str, Any]) -> None:
        self.entry = entry


class _Pupil:
    """One pupil's full history as plain data, dated, with the author of every entry.

    Entries carry two private keys that never reach the YAML: `_door` (who recorded it) and
    `_tijdlijn` (later changes: `(date, {key: value})`). `_snapshot` turns the history into the
    dossier as it was on a given date, which is how the versions are made.
    """

    def __init__(
        self,
        rng: random.Random,
        route: Route,
        today: datetime.date,
        pupil_id: str,
        groep: int,
        special: str | None,
    ) -> None:
        self.rng, self.route, self.today, self.groep = rng, route, today, groep
        self.special = special
        self.levels = route.niveaus
        self.top = len(self.levels) - 1
        self.year_start = _school_year_start(today)
        # The school started with Zorgkluis in the first week of this school year: everything
        # before that is the IB-er's import, everything after it was saved when it happened.
        self.since = _schoolday(self.year_start + _days(7))
        former = special in {"oud_okr", "oud_okr_zienswijze", "oud_bewaartermijn"}
        years_gone = 3 if special == "oud_bewaartermijn" else 1 if former else 0
        self.ref = self.year_start.replace(year=self.year_start.year - years_gone)
        self.end = today  # the last day the pupil was at school
        if former:
            self.end = datetime.date(self.ref.year + 1, 7, 10)
        elif special == "verhuisd_okr_open":
            self.end = _schoolday(today - _days(14))
        self.teacher = leerkracht(groep)
        self.data: dict[str, Any] = {}
        self.name = rng.choice(_FIRST_NAMES)
        self.pupil_id = pupil_id
        self.neglected = special == "evaluatie_verlopen"
        self.no_consent = special == "toestemming_ontbreekt"
        self.current = 0  # index of the current niveau while the history is built
        self.support_since: datetime.date | None = None

    # -- small helpers ------------------------------------------------------------------
    def year(self, groep: int) -> datetime.date:
        """The start of the school year in which the pupil was in `groep`."""
        return self.ref.replace(year=self.ref.year - (self.groep - groep))

    def groep_op(self, day: datetime.date) -> int:
        return self.groep - (_schooljaar(self.ref) - _schooljaar(day))

    def lk(self, day: datetime.date) -> str:
        return leerkracht(min(8, max(1, self.groep_op(day)))).id

    def add(self, key: str, entry: dict[str, Any]) -> dict[str, Any]:
        self.data.setdefault(key, []).append(entry)
        return entry

    def staff_for(self, role: str, day: datetime.date) -> str:
        return {
            "leerkracht": self.lk(day),
            "instructieleerkracht": self.lk(day),
            "ouders": "ouders",
            "directie": DIRECTIE.id,
            "orthopedagoog": ORTHO.id,
        }.get(role, IB.id)

    def involve(self, member: str, rol: str, day: datetime.date) -> None:
        betrokkenen = self.data["betrokkenen"]
        if not any(b["medewerker"] == member and b["rol"] == rol for b in betrokkenen):
            betrokkenen.append({"medewerker": member, "rol": rol, "vanaf": day, "_door": IB.id})

    # -- the dossier ----------------------------------------------------------------------
    def build(self) -> dict[str, Any]:
        rng = self.rng
        special = self.special
        ingeschreven = _schoolday(self.year(1) + _days(rng.randint(-150, 120)))
        born = ingeschreven.replace(year=ingeschreven.year - 4, day=min(ingeschreven.day, 28))
        if special in {"herfstkind_besluit", "herfstkind_signalering"}:
            born = datetime.date(
                self.year(1).year - 4, rng.choice((10, 11, 12)), rng.randint(1, 28)
            )
            ingeschreven = _schoolday(born.replace(year=born.year + 4))
        vorige_school = None
        if self.groep >= 3 and special is None and rng.random() < 0.08:
            ingeschreven = _schoolday(self.year(rng.randint(2, self.groep)))
            vorige_school = rng.choice(_BASISSCHOLEN)
        self.ingeschreven = min(ingeschreven, self.today - _days(10))
        leerling: dict[str, Any] = {"id": self.pupil_id, "voornaam": self.name}
        tussen = rng.choice(_TUSSENVOEGSELS)
        if tussen:
            leerling["tussenvoegsel"] = tussen
        leerling |= {
            "achternaam": rng.choice(_SURNAMES),
            "geboortedatum": born,
            "groep": self.groep,
            "stamgroep": f"{self.groep}{rng.choice('ab')}",
        }
        inschrijving: dict[str, Any] = {
            "aangemeld": self.ingeschreven - _weeks(rng.randint(6, 14)),
            "ingeschreven": self.ingeschreven,
        }
        if vorige_school:
            inschrijving["vorige_school"] = vorige_school
        self.data = {
            "formaat": "zorgkluis-dossier/1",
            "leerling": leerling,
            "inschrijving": inschrijving,
            "route": self.route.id,
            "betrokkenen": [
                {"medewerker": self.teacher.id, "rol": "leerkracht", "vanaf": self.ref},
                {"medewerker": IB.id, "rol": "intern_begeleider", "vanaf": self.ingeschreven},
            ],
            "niveaus": [
                {
                    "niveau": self.levels[0].niveau,
                    "vanaf": self.ingeschreven,
                    "reden": "Instroom, basisondersteuning in de groep.",
                    "_door": IB.id,
                }
            ],
        }
        profile, height, focus = self.profile()
        start = self.care_start(profile, height, focus)
        self.toetsen(profile, focus, start)
        if height and start is not None:
            self.care(profile, height, focus, start)
        self.protocols(profile, focus)
        self.talks(profile)
        self.leaving()
        self.notes(focus, height)
        self.past_teachers()
        return self.data

    def profile(self) -> tuple[str, int, str]:
        """The kind of care this pupil needs: profile, target niveau index, subject."""
        rng, special, top = self.rng, self.special, self.top
        groep_then = self.groep
        subjects = ("technisch lezen", "spelling", "rekenen", "begrijpend lezen")
        focus = rng.choice(subjects if groep_then >= 3 else _KLEUTER_AREAS)
        if special in {"dyslexie_verklaring"}:
            return "dyslexie", min(2, top), "technisch lezen"
        if special == "dyscalculie_verklaring":
            return "dyscalculie", min(3, top), "rekenen"
        if special == "top":
            return "top", top, rng.choice(("rekenen", "begrijpend lezen", "technisch lezen"))
        if special == "meerbegaafd_plusklas":
            return "meerbegaafd", 2 if self.route.id == "003" else 1, _PMB
        if special in {"doublure_a", "doublure_ouders"}:
            return special, min(2, top), rng.choice(("rekenen", "technisch lezen"))
        if special == "toestemming_ontbreekt":
            return "toestemming_ontbreekt", self.consent_index(), focus
        if special == "evaluatie_verlopen":
            return "zorg", 1, "sociaal-emotionele ontwikkeling"
        if special == "correctie_open":
            return "zorg", 1, focus
        if special in {"herfstkind_besluit", "herfstkind_signalering"}:
            return "geen", 0, focus
        if special == "verhuisd_okr_open":
            return "zorg", min(2, top), focus
        roll = rng.random()
        if self.groep >= 3 and roll < 0.035:
            return "meerbegaafd", 1, _PMB
        if roll < 0.62:
            return "geen", 0, focus
        if roll < 0.82:
            return "zorg", 1, focus
        if roll < 0.93:
            return "zorg", min(2, top), focus
        if top >= 3 and self.groep >= 7 and roll < 0.965:
            return "top", top, focus
        if self.groep >= 4:
            return "zorg", min(3, top - 1) if top >= 3 else top, focus
        return "zorg", min(2, top), focus

    def consent_index(self) -> int:
        for index, niveau in enumerate(self.levels[1:], start=1):
            kinds = niveau.bespreking.soorten if niveau.bespreking else ()
            if niveau.toestemming or set(kinds) & _CONSENT_MEETINGS:
                return index
        return self.top  # 000: an extra ondersteuningsteam meeting on the top step

    def period_weeks(self, index: int, focus: str) -> int:
        niveau = self.levels[index]
        weeks = self.rng.randint(10, 12) if focus == _PMB or index >= 2 else self.rng.randint(7, 9)
        if niveau.evaluatie_binnen_weken:
            weeks = min(weeks, niveau.evaluatie_binnen_weken)
        if niveau.plan_duur_weken:
            weeks = max(niveau.plan_duur_weken[0], min(weeks, niveau.plan_duur_weken[1] - 1))
        return weeks

    def period_weeks_max(self, index: int) -> int:
        niveau = self.levels[index]
        weeks = 12 if index >= 2 else 9
        if niveau.evaluatie_binnen_weken:
            weeks = min(weeks, niveau.evaluatie_binnen_weken)
        if niveau.plan_duur_weken:
            weeks = max(niveau.plan_duur_weken[0], min(weeks, niveau.plan_duur_weken[1] - 1))
        following = self.levels[index + 1] if index < self.top else None
        if following is not None and following.min_weken_ondersteuning:
            weeks = max(weeks, following.min_weken_ondersteuning // 2)
        return weeks + 1

    def care_start(self, profile: str, height: int, focus: str) -> datetime.date | None:
        """When the extra care began (the first step up), or None for no care."""
        if not height:
            return None
        rng = self.rng
        stay = {
            "top": rng.randint(14, 30),
            "dyslexie": rng.randint(70, 90),
            "dyscalculie": rng.randint(30, 40),
            "doublure_a": rng.randint(8, 10),
            "doublure_ouders": rng.randint(50, 56),
            "meerbegaafd": rng.randint(6, 24),
            "toestemming_ontbreekt": rng.randint(3, 5),
        }.get(profile, rng.randint(3, 40))
        if self.special == "meerbegaafd_plusklas":
            stay = rng.randint(30, 34)
        # Periods on each niveau on the way up: one for pupils who must arrive (the specials),
        # otherwise one or two; the climb takes about that many periods.
        must_arrive = (
            profile
            in {
                "top",
                "dyscalculie",
                "doublure_a",
                "toestemming_ontbreekt",
            }
            or self.special == "meerbegaafd_plusklas"
        )
        self.climb_periods = [
            1 if must_arrive or limit == 1 else rng.randint(1, 2)
            for limit in (self.levels[i].max_perioden for i in range(1, height))
        ]
        climb = sum(
            n * (self.period_weeks_max(i) + 1) for i, n in enumerate(self.climb_periods, start=1)
        ) + (12 if must_arrive else 0)  # a summer holiday on the way
        if self.neglected:
            climb, stay = 0, rng.randint(9, 12)
        start = self.end - _weeks(climb + stay)
        earliest = self.ingeschreven + _weeks(10)
        if focus in _LVS_TESTS:
            earliest = max(earliest, self.year(3) + _weeks(22))
        if start < earliest:
            start = earliest
        if start > self.end - _weeks(3):
            return None
        return _schoolday(start)

    # -- toetsen --------------------------------------------------------------------------
    def toetsen(self, profile: str, focus: str, care: datetime.date | None) -> None:
        rng = self.rng
        if self.groep_op(self.end) < 3:
            return
        moments = []
        for g in range(3, self.groep + 1):
            year = self.year(g).year + 1
            moments.append((g, "M", datetime.date(year, 1, rng.randint(19, 30))))
            if g < 8:
                moments.append((g, "E", datetime.date(year, 6, rng.randint(8, 19))))
        moments = [m for m in moments if m[2] <= min(self.end, self.today) - _days(3)]
        if not moments:
            return
        others = [s for s in _LVS_TESTS if s != focus]
        subjects = [(focus, moments)] if focus in _LVS_TESTS else []
        subjects.append((rng.choice(others), moments[-3:]))
        if profile == "geen" and rng.random() < 0.5:
            subjects.append((rng.choice([s for s in others if s != subjects[-1][0]]), moments[-2:]))
        for subject, series in subjects:
            level = rng.randint(0, 2) if profile != "meerbegaafd" else 0
            previous = None
            for g, moment, when in series:
                if profile == "meerbegaafd":
                    level = 0
                elif subject == focus and care is not None:
                    weak = when >= care - _weeks(20)
                    level = rng.choice((3, 4)) if weak else rng.choice((1, 2, 3))
                    if profile in {"dyslexie", "top", "dyscalculie"} and weak:
                        level = 4 if previous != 4 else 3
                    if previous == 4 and level == 4:
                        level = 3  # never two E/V scores in a row without a plan
                else:
                    level = min(2, max(0, level + rng.choice((-1, 0, 0, 1))))
                previous = level
                test = _LVS_TESTS[subject]
                entry: dict[str, Any] = {
                    "toets": test,
                    "soort": "lvs",
                    "moment": f"{moment}{g}",
                    "datum": when,
                }
                if test == "DMT":
                    base = 18 + 14 * (g - 3) + (7 if moment == "E" else 0)
                    entry["score"] = max(5, base + (2 - level) * 8 + rng.randint(-3, 3))
                entry["niveau"] = _LEVELS[level]
                entry["_door"] = self.lk(when)
                self.add("toetsen", entry)
                if level >= 3 and subject in {"technisch lezen", "spelling"}:
                    self.toetsbespreking(when, subject)
        if self.groep >= 3 and self.end == self.today and rng.random() < 0.12:
            when = _schoolday(self.today - _days(rng.randint(1, 14)))
            self.add(
                "toetsen",
                {
                    "toets": rng.choice(("Methodetoets rekenen", "Methodetoets spelling")),
                    "soort": "methode",
                    "datum": when,
                    "score": rng.randint(55, 95),
                    "voldoende": True,
                    "_door": self.teacher.id,
                },
            )

    def toetsbespreking(self, when: datetime.date, subject: str) -> None:
        """The groepsbespreking after a test round where a D/E score is discussed (003 §6)."""
        day = _schoolday(when + _days(self.rng.randint(10, 20)))
        if day > min(self.today, self.end):
            return
        for b in self.data.get("besprekingen", []):
            if b["soort"] == "groepsbespreking" and abs((b["datum"] - day).days) < 30:
                return
        self.add(
            "besprekingen",
            {
                "soort": "groepsbespreking",
                "datum": day,
                "ingebracht_door": self.lk(day),
                "aanwezig": [self.lk(day), IB.id],
                "hulpvraag": f"Wat heeft deze leerling nodig na de lage score {subject}?",
                "afspraken": [
                    f"Extra instructie {subject} in de verlengde instructie.",
                    "Volgende toetsperiode opnieuw bekijken.",
                ],
                "_door": IB.id,
            },
        )

    # -- the care route -------------------------------------------------------------------
    def care(self, profile: str, height: int, focus: str, start: datetime.date) -> None:
        rng = self.rng
        t = start
        index = 0
        self.support_since = start
        for target in range(1, height + 1):
            t = _plan_day(t, step=True)
            if t > self.end - _weeks(2):
                return
            self.step(target, t, focus, profile, last=target == height)
            index = target
            periods = self.climb_periods[target - 1] if target < height else 99
            limit = self.levels[target].max_perioden
            done = 0
            following = self.levels[target + 1] if target < self.top else None
            if following is not None and following.min_weken_ondersteuning and target < height:
                # 004: a zorggesprek only after 12 weeks of extra support.
                needed = _weeks(following.min_weken_ondersteuning + 1)
                periods = max(periods, 1 + (needed - (t - start)).days // 35)
            while done < periods:
                if limit is not None and done >= limit:
                    # The limit of handelingsperioden on this niveau: the help sufficed.
                    if t < self.end - _weeks(3):
                        self.step_down(index, t, focus)
                    return
                t_next = self.period(index, t, focus, done, profile)
                done += 1
                if t_next is None:
                    return
                t = t_next
            t = _schoolday(t + _days(rng.randint(0, 4)))

    def step(self, index: int, t: datetime.date, focus: str, profile: str, last: bool) -> None:
        """Enter niveau `index` on `t` with what the route asks there."""
        rng = self.rng
        niveau = self.levels[index]
        lk = self.lk(t)
        skip_consent = self.no_consent and last
        if niveau.toestemming and not skip_consent:
            self.consent(niveau.toestemming.soorten[0], t - _days(rng.randint(8, 20)))
        kinds = niveau.bespreking.soorten if niveau.bespreking else ()
        if kinds:
            soort = kinds[0]
            if "ondersteuningsteam" in kinds and (profile == "top" or skip_consent):
                soort = "ondersteuningsteam"
        else:
            soort = "groepsbespreking" if index == 1 else "leerlingbespreking"
        rule = self.route.besprekingen.get(soort)
        roles = set(niveau.bespreking.aanwezig if niveau.bespreking else ())
        roles |= set(rule.aanwezig if rule else ()) | {"leerkracht"}
        if soort in _CONSENT_MEETINGS | {"mdo", "sot"}:
            roles |= {"ouders", "intern_begeleider"}
        if soort == "zorgteam":
            roles |= {"orthopedagoog"}
        if soort != "intervisie":
            roles.add("intern_begeleider")
        if self.route.id == "001" and index == 3:
            roles.add("orthopedagoog")  # external expertise within the school: consultation
        for role in ("orthopedagoog", "directie"):
            if role in roles or role in niveau.wie:
                self.involve(self.staff_for(role, t), role, t - _days(21))
        if "orthopedagoog" in roles and not self.data.get("onderzoeken"):
            observed = _schoolday(t + _weeks(rng.randint(2, 4)))
            if observed <= min(self.end, self.today) - _days(3):
                self.research(
                    "observatie",
                    t,
                    observed,
                    f"{ORTHO.naam}, orthopedagoog",
                    False,
                    f"Observatie in de groep tijdens {focus}: taakgericht in de kleine groep, "
                    "haakt af bij klassikale uitleg.",
                )
        if "kwaliteitscoordinator" in roles | set(niveau.wie):
            self.involve(IB.id, "kwaliteitscoordinator", t - _days(21))
        needed = set(rule.toestemming if rule else ()) | ({soort} & _CONSENT_MEETINGS)
        for voor in sorted(needed):
            if not skip_consent:
                self.consent(voor, t - _days(rng.randint(9, 25)))
        if niveau.groeidocument:
            doc = self.data.setdefault("groeidocument", {})
            for n, part in enumerate(niveau.groeidocument.soorten):
                doc.setdefault(part, t - _days(14 - 5 * n))
            self.data.setdefault("_saves", []).append((t - _days(9), IB.id))
        meeting = self.meeting(soort, t, roles, focus, index, rule)
        if skip_consent and soort not in _CONSENT_MEETINGS:
            # 000 has no team meeting of its own: the step brings the ondersteuningsteam in.
            self.meeting(
                "ondersteuningsteam",
                _schoolday(t + _days(7)),
                {"leerkracht", "intern_begeleider", "ouders"},
                focus,
                index,
                None,
            )
        if niveau.aanvraag:
            kinds_av = niveau.aanvraag.soorten
            kind = "oec" if soort == "ondersteuningsteam" and "oec" in kinds_av else kinds_av[0]
            self.request(kind, t - _days(rng.randint(3, 10)))
        entry: dict[str, Any] = {
            "niveau": niveau.niveau,
            "vanaf": t,
            "reden": self.reason(index, focus, profile),
            "besloten_in": _Ref(meeting),
        }
        informed = t + _days(rng.randint(1, 6))
        if informed <= self.end:
            entry["ouders_geinformeerd"] = informed
        entry["_door"] = IB.id
        self.data["niveaus"].append(entry)
        self.current = index
        gesprek = niveau.gesprek
        if gesprek or index >= 2:
            present = [lk, "ouders"]
            ib_asked = gesprek and {"intern_begeleider", "kwaliteitscoordinator"} & set(
                gesprek.aanwezig
            )
            if ib_asked or (index >= 2 and rng.random() < 0.5):
                present.insert(1, IB.id)
            day = _schoolday(t + _days(rng.randint(2, 8)))
            if day <= self.end:
                self.talk(
                    day,
                    "zorg",
                    present,
                    f"Overstap naar {niveau.naam.lower()} ({focus}).",
                    ["Ouders lezen het plan mee en oefenen thuis tien minuten per dag."],
                )
        if index == self.top and self.groep >= 7 and not self.team_day():
            # An OPP is discussed in a team first: the ondersteuningsteam with the parents.
            self.consent("ondersteuningsteam", t - _days(12))
            self.meeting(
                "ondersteuningsteam",
                _schoolday(t + _days(2)),
                {"leerkracht", "intern_begeleider", "ouders"},
                focus,
                index,
                None,
            )

    def team_day(self) -> datetime.date | None:
        """The last team meeting (zorgteam, SOT, BOT, ondersteuningsteam), if any."""
        teams = {"zorgteam", "bot", "sot", "ondersteuningsteam"}
        days = [b["datum"] for b in self.data.get("besprekingen", []) if b["soort"] in teams]
        return max(days, default=None)

    def step_down(self, index: int, t: datetime.date, focus: str) -> None:
        niveau = self.levels[index - 1]
        entry: dict[str, Any] = {
            "niveau": niveau.niveau,
            "vanaf": t,
            "reden": f"Doelen {focus} gehaald; terug naar {niveau.naam.lower()}.",
        }
        if t + _days(3) <= self.end:
            entry["ouders_geinformeerd"] = t + _days(3)
        entry["_door"] = IB.id
        self.data["niveaus"].append(entry)
        self.current = index - 1

    def reason(self, index: int, focus: str, profile: str) -> str:
        if focus == _PMB:
            return (
                "Plusklas; verrijking buiten de eigen groep."
                if index >= 2
                else "Signalering meerbegaafdheid: compacten en verrijken buiten de methode."
            )
        if profile.startswith("doublure") and index >= 2:
            return f"Grote zorg over {focus}; mogelijke doublure (A-leerling)."
        return self.rng.choice(
            (
                f"Onvoldoende groei bij {focus} ondanks de verlengde instructie.",
                f"Het vorige plan {focus} is geëvalueerd: de doelen zijn niet gehaald.",
                f"Achterstand {focus} groeit; extra ondersteuning nodig.",
            )
        )

    def consent(self, voor: str, day: datetime.date, toelichting: str | None = None) -> None:
        entry: dict[str, Any] = {
            "voor": voor,
            "datum": _schoolday(day),
            "schriftelijk": True,
            "gegeven_door": self.rng.choice(("beide ouders", "moeder", "vader", "beide ouders")),
        }
        if toelichting:
            entry["toelichting"] = toelichting
        entry["_door"] = IB.id
        self.add("toestemmingen", entry)

    def request(self, kind: str, day: datetime.date, toelichting: str | None = None) -> None:
        day = _schoolday(day)
        entry: dict[str, Any] = {
            "soort": kind,
            "datum": day,
            "ingediend_door": IB.id,
            "besluit": "open",
        }
        if toelichting:
            entry["toelichting"] = toelichting
        decided = _schoolday(day + _weeks(self.rng.randint(4, 7)))
        if decided <= self.today:
            entry["_tijdlijn"] = [(decided, {"besluit": "toegekend", "besluit_datum": decided})]
        entry["_door"] = IB.id
        self.add("aanvragen", entry)

    def meeting(
        self,
        soort: str,
        day: datetime.date,
        roles: set[str],
        focus: str,
        index: int,
        rule: Any,
    ) -> dict[str, Any]:
        rng = self.rng
        lk = self.lk(day)
        aanwezig = sorted({self.staff_for(r, day) for r in roles})
        if soort == "intervisie":
            colleague = leerkracht(self.groep_op(day) % 8 + 1).id
            aanwezig = sorted({*aanwezig, colleague})
        brought = IB.id if rule and "intern_begeleider" in rule.ingebracht_door else lk
        entry: dict[str, Any] = {
            "soort": soort,
            "datum": day,
            "formulier_verstuurd": day - _days(rng.randint(3, 6)),
            "ingebracht_door": brought,
            "aanwezig": aanwezig,
            "hulpvraag": rng.choice(_HULPVRAGEN[focus]),
            "doel": f"Zichtbare groei bij {focus} binnen de volgende periode.",
            "afspraken": [
                f"Plan {focus} op {self.levels[index].naam.lower()}.",
                rng.choice(
                    (
                        "Leerkracht observeert twee weken en deelt de bevindingen.",
                        "IB-er sluit aan bij het volgende oudergesprek.",
                        "Extra instructie vier keer per week in een klein groepje.",
                    )
                ),
            ],
        }
        weeks = rule.evaluatie_binnen_weken if rule and rule.evaluatie_binnen_weken else 8
        planned = _schoolday(day + _weeks(min(weeks, rng.randint(6, 8))))
        entry["evaluatie_gepland"] = planned
        if planned <= min(self.end, self.today):
            entry["evaluatie"] = {
                "datum": planned,
                "uitkomst": rng.choice(("voldoende", "gedeeltelijk", "gedeeltelijk")),
                "toelichting": "Afspraken nagekomen; het plan loopt door.",
                "_door": IB.id,
            }
        elif self.end < self.today:
            entry["evaluatie"] = {
                "datum": self.end - _days(2),
                "uitkomst": "gedeeltelijk",
                "toelichting": "Afgesloten bij het vertrek van de leerling.",
                "_door": IB.id,
            }
        entry["_door"] = lk if soort == "intervisie" else IB.id
        return self.add("besprekingen", entry)

    def talk(
        self,
        day: datetime.date,
        thema: str,
        aanwezig: list[str],
        onderwerp: str,
        afspraken: list[str],
        *,
        soort: str = "oudergesprek",
        signed: bool = False,
        akkoord: bool | None = True,
    ) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "soort": soort,
            "datum": day,
            "thema": thema,
            "aanwezig": aanwezig,
            "onderwerp": onderwerp,
            "afspraken": afspraken,
        }
        if soort == "oudergesprek":
            entry["ouders_akkoord"] = akkoord
        if signed:
            entry["ondertekend_ouders"] = day
            entry["ondertekend_school"] = day
        entry["_door"] = aanwezig[0] if aanwezig[0].startswith("lk-") else IB.id
        return self.add("gesprekken", entry)

    def period(
        self, index: int, start: datetime.date, focus: str, nth: int, profile: str
    ) -> datetime.date | None:
        """One handelingsperiode on niveau `index`; returns its evaluation date, or None when
        it is still running (or the history ends)."""
        rng = self.rng
        niveau = self.levels[index]
        begin = _plan_day(start + _days(rng.randint(2, 5)))
        if begin > self.end - _days(5):
            return None
        weeks = self.period_weeks(index, focus)
        due = begin + _weeks(weeks)
        summer = datetime.date(begin.year, 7, 4)
        if begin < summer <= due:
            due = summer - _days(1)  # evaluated in the last week before the summer holiday
        while due.weekday() >= 5:
            due -= _days(1)
        soorten = niveau.plan.soorten if niveau.plan else ()
        if soorten:
            soort = soorten[0] if nth == 0 or len(soorten) == 1 else soorten[-1]
        elif index == self.top and profile == "top":
            soort = "ihp"
        else:
            soort = "handelingsplan" if index >= 2 or focus == _PMB else "groepsplan"
        if self.route.id == "004" and not soorten:
            soort = "plan_van_aanpak"
        lk = self.lk(begin)
        plan: dict[str, Any] = {"soort": soort}
        if soort == "groepsplan":
            plan["aanpak"] = (
                "talent" if focus == _PMB else "ster" if self.route.id == "003" else "intensief"
            )
        intensive = profile == "dyslexie" or focus in {"technisch lezen", "spelling"}
        plan |= {
            "niveau": niveau.niveau,
            "vakgebied": focus,
            "hulpvraag": self.question(focus, nth + index),
            "doelen": [
                _DOELEN[focus].format(
                    naam=self.name,
                    n=20 + 12 * max(0, self.groep_op(begin) - 3) + rng.randint(0, 8),
                    k=rng.randint(2, 5),
                )
            ],
            "frequentie": {
                "keer_per_week": rng.choice((3, 4)) if intensive else rng.choice((2, 3, 4)),
                "minuten": rng.choice((20, 30)) if intensive else rng.choice((15, 20, 30)),
            },
            "uitvoerder": lk,
            "start": begin,
            "evaluatie_gepland": due,
            "ouders_geinformeerd": begin + _days(rng.randint(0, 4)),
        }
        if plan["ouders_geinformeerd"] > self.end:
            del plan["ouders_geinformeerd"]
        if focus == _PMB:
            plan["doelen"].append("Werkt met een weektaak met compacte basisstof.")
        plan["_door"] = lk
        self.add("plannen", plan)
        limit = min(self.end, self.today)
        if due > limit:
            if self.end < self.today:
                plan["evaluatie"] = {
                    "datum": self.end - _days(3),
                    "uitkomst": "gedeeltelijk",
                    "toelichting": "Afgesloten bij vertrek; overgedragen aan de nieuwe school.",
                    "_door": lk,
                }
            return None
        if self.neglected and due <= limit - _days(7) < due + _weeks(weeks) + _days(4):
            return None  # deliberately left without its evaluation (see _SPECIALS_WITH_FINDINGS)
        plan["evaluatie"] = {
            "datum": due,
            "uitkomst": rng.choice(("voldoende", "gedeeltelijk", "gedeeltelijk", "onvoldoende")),
            "toelichting": rng.choice(
                (
                    "Doelen deels gehaald; aanpak wordt voortgezet.",
                    "Goede groei in de kleine groep, nog niet zelfstandig in de klas.",
                    "Besproken met de intern begeleider; nieuw doel voor de volgende periode.",
                    "Doel gehaald; het automatiseren vraagt nog aandacht.",
                )
            ),
            "_door": lk,
        }
        if self.groep_op(due) >= 4 and rng.random() < 0.25:
            self.talk(
                _schoolday(due - _days(3)),
                "plan",
                [lk, "leerling"],
                f"Kindgesprek: wat helpt jou bij {focus}?",
                ["Leerling kiest zelf een oefenmoment per dag."],
                soort="kindgesprek",
            )
        return due

    def question(self, focus: str, n: int) -> str:
        """The n-th hulpvraag for `focus`: each period on a niveau asks its own question."""
        questions = _HULPVRAGEN[focus]
        question = questions[n % len(questions)]
        accent = _ACCENTS[(n // len(questions)) % len(_ACCENTS)]
        return f"{question} {accent}".strip()

    # -- protocols ------------------------------------------------------------------------
    def first_plan(self) -> dict[str, Any] | None:
        plans = self.data.get("plannen", [])
        return plans[0] if plans else None

    def step_dates(self) -> list[tuple[datetime.date, int]]:
        return [(n["vanaf"], n["niveau"]) for n in self.data["niveaus"][1:]]

    def protocols(self, profile: str, focus: str) -> None:
        protocols: dict[str, Any] = {}
        steps = self.step_dates()
        if (
            focus in {"technisch lezen", "spelling"}
            and steps
            and (profile == "dyslexie" or (self.groep >= 4 and self.rng.random() < 0.5))
        ):
            protocols["dyslexie"] = self.dyslexie(profile == "dyslexie")
        if focus == "rekenen" and steps and (profile == "dyscalculie" or self.rng.random() < 0.6):
            protocols["dyscalculie"] = self.dyscalculie(profile == "dyscalculie")
        if focus == _PMB and steps:
            protocols["meerbegaafdheid"] = self.meerbegaafdheid()
        if profile in {"doublure_a", "doublure_ouders"} and steps:
            protocols["doublure"] = self.doublure(profile)
        herfst = self.special in {"herfstkind_besluit", "herfstkind_signalering"}
        if herfst and self.route.id == "003":
            protocols["herfstkind"] = self.herfstkind()
        on_top = self.current == self.top and self.top >= 2
        if (profile == "top" or on_top) and steps and self.groep >= 7 and self.end == self.today:
            self.opp(focus)
        if protocols:
            self.data["protocollen"] = protocols

    def dyslexie(self, verklaring: bool) -> dict[str, Any]:
        rng = self.rng
        plan = self.first_plan()
        gestart = self.step_dates()[0][0]
        state: dict[str, Any] = {"status": "lopend", "gestart": gestart}
        state["toelichting"] = "Signalering na een E-score op de DMT; dyslexiedossier aangelegd."
        timeline: list[tuple[datetime.date, dict[str, Any]]] = []
        hulp = plan["start"] if plan else gestart
        timeline.append((hulp, {"intensieve_hulp_vanaf": hulp}))
        vermoeden = _schoolday(hulp + _weeks(rng.randint(27, 30)))
        evaluations = [
            datetime.date(year + 1, 6, 24)
            for year in range(_schooljaar(gestart), _schooljaar(self.today))
            if datetime.date(year + 1, 6, 24) > gestart
        ]
        if evaluations:
            state["dossier_evaluaties"] = evaluations
        e_score = any(
            t["niveau"] == "V"
            and t["toets"] in {"DMT", "Cito Spelling"}
            and t["datum"] <= vermoeden
            for t in self.data.get("toetsen", [])
        )
        if e_score and vermoeden <= self.today - _weeks(2):
            talked = _schoolday(vermoeden + _days(rng.randint(3, 9)))
            timeline.append((vermoeden, {"vermoeden": vermoeden}))
            timeline.append((talked, {"besproken_met_ouders": talked}))
            self.talk(
                talked,
                "dyslexie",
                [self.lk(talked), IB.id, "ouders"],
                "Vermoeden van dyslexie: een half jaar intensieve hulp had weinig effect.",
                ["Ouders melden hun kind aan voor vergoed dyslexieonderzoek."],
            )
            if verklaring:
                asked = _schoolday(talked + _weeks(3))
                self.consent(
                    "onderzoek",
                    talked + _days(7),
                    "Dyslexieonderzoek (vergoede dyslexiezorg) bij " + _EXTERN_DYSLEXIE + ".",
                )
                done = _schoolday(asked + _weeks(rng.randint(10, 13)))
                research = self.research(
                    "dyslexie",
                    asked,
                    done,
                    _EXTERN_DYSLEXIE,
                    True,
                    "Ernstige enkelvoudige dyslexie vastgesteld; behandeling gestart.",
                )
                issued = _schoolday(done + _weeks(1))
                self.add(
                    "verklaringen",
                    {
                        "soort": "dyslexie",
                        "datum": issued,
                        "afgegeven_door": dict(_EXTERN_PSYCHOLOOG),
                        "voor": ["lezen", "spellen"],
                        "onderzoek": _Ref(research),
                        "_door": IB.id,
                    },
                )
                timeline.append(
                    (
                        _schoolday(issued + _weeks(2)),
                        {
                            "dyslexiepas": True,
                            "maatregelen": [
                                "Geen onvoorbereide leesbeurten.",
                                "Toetsen zonder tijdsdruk en vergroot.",
                                "Spelfouten bij zaakvakken tellen niet mee.",
                                "Voorleessoftware bij zaakvakteksten.",
                            ],
                        },
                    )
                )
        if self.groep == 8:
            po_vo = datetime.date(self.year(7).year + 1, 6, 10)
            if po_vo > gestart:
                timeline.append((po_vo, {"besproken_po_vo": po_vo}))
        state["_tijdlijn"] = timeline
        state["_door"] = IB.id
        return state

    def research(
        self,
        soort: str,
        asked: datetime.date,
        done: datetime.date,
        who: str,
        extern: bool,
        uitslag: str,
        iq: int | None = None,
    ) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "soort": soort,
            "aangevraagd": asked,
            "uitvoerder": who,
            "extern": extern,
        }
        result: dict[str, Any] = {"datum": done, "uitslag": uitslag}
        if iq is not None:
            result["totaal_iq"] = iq
        talked = _schoolday(done + _days(self.rng.randint(4, 10)))
        result_talk = {"besproken_met_ouders": talked}
        entry["_tijdlijn"] = [(done, result), (talked, result_talk)]
        entry["_door"] = ORTHO.id if who.startswith(ORTHO.naam) else IB.id
        return self.add("onderzoeken", entry)

    def fase(self, niveau: int) -> str:
        index = next(i for i, n in enumerate(self.levels) if n.niveau == niveau)
        return ("groen", "geel", "oranje", "rood")[min(3, index)]

    def dyscalculie(self, verklaring: bool) -> dict[str, Any]:
        steps = self.step_dates()
        state: dict[str, Any] = {
            "status": "lopend",
            "gestart": steps[0][0],
            "fase": self.fase(steps[0][1]),
            "voorwaarden_vervuld": [1, 2, 3, 4, 5],
            "toelichting": "Rekenproblemen op getalbegrip; diagnostisch rekengesprek gevoerd.",
        }
        timeline: list[tuple[datetime.date, dict[str, Any]]] = []
        for vanaf, niveau in steps[1:]:
            fase = self.fase(niveau)
            done = {"groen": 4, "geel": 5, "oranje": 6, "rood": 7}[fase]
            change: dict[str, Any] = {"fase": fase, "voorwaarden_vervuld": list(range(1, done + 1))}
            if fase == "oranje":
                change["erw_indicatie"] = vanaf + _weeks(2)
            timeline.append((vanaf, change))
        if verklaring and steps[-1][0] < self.today - _weeks(10):
            red = steps[-1][0]
            iq_day = _schoolday(red + _weeks(1))
            self.research(
                "intelligentie",
                iq_day - _weeks(2),
                iq_day,
                f"{ORTHO.naam}, orthopedagoog",
                False,
                "Gemiddelde intelligentie; disharmonisch profiel met zwak werkgeheugen.",
                iq=self.rng.randint(88, 101),
            )
            self.consent(
                "onderzoek", red - _days(5), "Dyscalculieonderzoek bij " + _EXTERN_REKENEN + "."
            )
            done_day = _schoolday(red + _weeks(5))
            research = self.research(
                "dyscalculie",
                red + _days(2),
                done_day,
                _EXTERN_REKENEN,
                True,
                "Ernstige, hardnekkige rekenproblemen vanaf getalbegrip: dyscalculie.",
            )
            issued = _schoolday(done_day + _weeks(3))
            timeline.append((done_day, {"voorwaarden_vervuld": list(range(1, 9))}))
            timeline.append((issued - _days(1), {"voorwaarden_vervuld": list(range(1, 10))}))
            self.add(
                "verklaringen",
                {
                    "soort": "dyscalculie",
                    "datum": issued,
                    "afgegeven_door": dict(_EXTERN_ORTHO),
                    "voor": ["rekenen"],
                    "onderzoek": _Ref(research),
                    "_door": IB.id,
                },
            )
        state["_tijdlijn"] = timeline
        state["_door"] = IB.id
        return state

    def meerbegaafdheid(self) -> dict[str, Any]:
        rng = self.rng
        steps = self.step_dates()
        start = steps[0][0]
        signal = _schoolday(start - _weeks(rng.randint(3, 6)))
        lk = self.lk(signal)
        signaleringen = [
            {
                "datum": signal,
                "instrument": "SIDI-3 signaleringslijst"
                if self.groep_op(signal) >= 3
                else "Quickscan DHH",
                "uitslag": "ja",
                "ib_betrokken": True,
                "ouders_geinformeerd": signal + _days(rng.randint(3, 8)),
            }
        ]
        signaleringen[0]["_sinds"] = signaleringen[0]["ouders_geinformeerd"]
        if self.groep_op(signal) >= 4 and rng.random() < 0.5:
            earlier = _schoolday(self.year(self.groep_op(signal) - 1) + _weeks(30))
            signaleringen.insert(
                0,
                {
                    "datum": earlier,
                    "instrument": "SIDI-3 signaleringslijst",
                    "uitslag": "nee",
                    "ib_betrokken": True,
                    "ouders_geinformeerd": earlier + _days(5),
                    "_sinds": earlier + _days(5),
                },
            )
        state: dict[str, Any] = {
            "status": "lopend",
            "gestart": signaleringen[0]["datum"],
            "toelichting": "Signalering meerbegaafdheid; compacten en verrijken.",
            "signaleringen": signaleringen,
            "compact_verrijken": {"start": start, "ouders_geinformeerd_start": start + _days(2)},
        }
        self.talk(
            _schoolday(signal + _days(5)),
            "meerbegaafdheid",
            [lk, "ouders"],
            "Uitslag van de signalering meerbegaafdheid en start compacten en verrijken.",
            ["Leerling werkt met een weektaak; verrijkingsmap in de klas."],
        )
        if len(steps) >= 2:
            plus = steps[1][0]
            self.request("plusklas", plus - _weeks(3), "Aanmelding bovenschoolse Plusklas.")
            periods = [{"start": plus, "eind": plus + _weeks(11)}]
            second = _schoolday(plus + _weeks(13))
            if second <= self.today - _weeks(1):
                periods.append({"start": second, "eind": second + _weeks(11)})
            state["plusklas"] = periods
        state["_door"] = IB.id
        return state

    def doublure(self, profile: str) -> dict[str, Any]:
        rng = self.rng
        steps = self.step_dates()
        day = _schoolday((steps[-1][0] if profile == "doublure_a" else steps[0][0]) + _days(10))
        gestart = day if profile == "doublure_a" else steps[0][0]
        if day <= self.today:
            self.meeting(
                "leerlingbespreking",
                day,
                {"leerkracht", "intern_begeleider", "orthopedagoog"},
                "rekenen" if "rekenen" in str(self.data.get("plannen")) else "technisch lezen",
                self.current,
                self.route.besprekingen.get("leerlingbespreking"),
            )
            self.involve(ORTHO.id, "orthopedagoog", day - _days(14))
        state: dict[str, Any] = {"status": "lopend", "gestart": gestart, "type_leerling": "A"}
        if profile == "doublure_a":
            state["toelichting"] = (
                "Twijfel over de overgang; voorlopig besluit in maart, definitief in mei."
            )
            talk_day = _schoolday(day + _days(7))
            if talk_day <= self.today:
                self.talk(
                    talk_day,
                    "doublure",
                    [self.lk(talk_day), IB.id, "ouders"],
                    "Zorgen over de overgang: de leerling is A-leerling (mogelijke doublure).",
                    ["Evaluatie na de toetsweek in januari."],
                    signed=True,
                )
            state["_door"] = IB.id
            return state
        year = self.year(self.groep - 1).year + 1
        first = _schoolday(datetime.date(year, 4, rng.randint(8, 16)))
        second = _schoolday(datetime.date(year, 5, rng.randint(18, 26)))
        lk = self.lk(first)
        g1 = self.talk(
            first,
            "doublure",
            [lk, "ouders"],
            "Advies van school: doubleren. Ouders willen dat hun kind overgaat.",
            ["Tweede gesprek in mei met de intern begeleider."],
            signed=True,
            akkoord=False,
        )
        g2 = self.talk(
            second,
            "doublure",
            [lk, IB.id, "ouders"],
            "Tweede gesprek: ouders houden vast aan overgaan; vastgelegd in het formulier.",
            [
                "Kind gaat over op uitdrukkelijk verzoek van de ouders.",
                "Ouders dragen daarvoor de verantwoordelijkheid.",
            ],
            signed=True,
            akkoord=False,
        )
        state |= {
            "toelichting": "A-leerling in het vorige schooljaar.",
            "advies": "doubleren",
            "motivatie": "Meer dan een jaar achter op rekenen en lezen; speelse werkhouding.",
            "gesprekken": [_Ref(g1), _Ref(g2)],
        }
        state["_tijdlijn"] = [
            (
                second,
                {
                    "besluit": "overgaan_op_verzoek_ouders",
                    "besluit_datum": second,
                    "formulier": _Ref(g2),
                    "status": "afgerond",
                    "afgerond": second,
                },
            )
        ]
        state["_door"] = IB.id
        return state

    def herfstkind(self) -> dict[str, Any]:
        rng = self.rng
        if self.special == "herfstkind_signalering":
            gestart = _schoolday(self.year_start + _weeks(rng.randint(5, 8)))
            day = gestart
            self.meeting(
                "leerlingbespreking",
                day,
                {"leerkracht", "intern_begeleider"},
                "sociaal-emotionele ontwikkeling",
                0,
                None,
            )
            return {
                "status": "signalering",
                "gestart": gestart,
                "toelichting": "Herfstkind in groep 2: gegevens volgen in januari en februari.",
                "_door": IB.id,
            }
        year = self.year(2).year + 1
        gestart = _schoolday(datetime.date(year, 1, 12))
        collected = _schoolday(datetime.date(year, 2, rng.randint(2, 12)))
        bespreking = _schoolday(datetime.date(year, 2, 24))
        informed = _schoolday(datetime.date(year, 3, rng.randint(8, 12)))
        besluit = _schoolday(datetime.date(year, 3, 24))
        self.meeting(
            "leerlingbespreking",
            bespreking,
            {"leerkracht", "intern_begeleider"},
            "sociaal-emotionele ontwikkeling",
            0,
            None,
        )
        self.talk(
            informed,
            "kleuterverlenging",
            [self.lk(informed), "ouders"],
            "Uitkomst van de leerlingbespreking: het advies is doorstromen naar groep 3.",
            ["Ouders en school zijn het eens: doorstromen."],
            signed=True,
        )
        return {
            "status": "afgerond",
            "gestart": gestart,
            "afgerond": besluit,
            "gegevens_verzameld": collected,
            "gebieden": ["emotioneel", "sociaal", "motorisch", "cognitief"],
            "ouders_geinformeerd": informed,
            "besluit": "doorstromen",
            "besluit_datum": besluit,
            "besloten_door": "school_en_ouders",
            "_door": IB.id,
        }

    def opp(self, focus: str) -> None:
        rng = self.rng
        team_day = self.team_day() or self.step_dates()[-1][0]
        groep6 = datetime.date(self.year(6).year + 1, 1, 20)
        opgesteld = _schoolday(max(team_day + _weeks(rng.randint(3, 5)), groep6))
        if opgesteld > self.today - _weeks(3):
            return
        agreed = opgesteld  # drawn up with the parents in one talk
        criteria = ["achterstand_1_jaar", "eindniveau_groep_7"]
        if self.route.id in {"001", "002"}:
            criteria.append("sbo_indicatie")
        opp: dict[str, Any] = {
            "opgesteld": opgesteld,
            "criteria": criteria,
            "vakgebieden": sorted({focus, "begrijpend lezen"}),
            "uitstroomperspectief": rng.choice(
                ("praktijkonderwijs", "vmbo basisberoepsgerichte leerweg met lwoo")
            ),
            "besproken_in_zorgteam": team_day,
        }
        goals = []
        for n in range(1, 4):
            when = opgesteld + _weeks(12 * n)
            goal: dict[str, Any] = {
                "datum": when,
                "doel": f"Tussendoel {n} {focus}: niveau eind groep {min(7, 3 + n)} bereikt.",
                "_sinds": opgesteld,
            }
            if when <= self.today:
                goal["_tijdlijn"] = [(when, {"behaald": rng.random() < 0.7})]
            goals.append(goal)
        opp["tussendoelen"] = goals
        evaluations = []
        timeline: list[tuple[datetime.date, dict[str, Any]]] = []
        when = opgesteld
        while True:
            nxt = _schoolday(when + _weeks(rng.randint(18, 22)))
            timeline.append((when, {"evaluatie_gepland": nxt}))
            if nxt > self.today:
                break
            evaluations.append(
                {
                    "datum": nxt,
                    "toelichting": "Voortgang besproken met ouders en leerling; doel bijgesteld.",
                    "ouders_aanwezig": True,
                }
            )
            self.talk(
                nxt,
                "opp",
                [self.lk(nxt), IB.id, "ouders", "leerling"],
                "Evaluatie van het ontwikkelingsperspectief.",
                ["Tussendoelen voor het volgende halfjaar vastgesteld."],
            )
            when = nxt
        if evaluations:
            opp["evaluaties"] = evaluations
        timeline.append((agreed, {"ouders_instemming": agreed, "ondertekend_ouders": agreed}))
        opp["_tijdlijn"] = timeline
        opp["_door"] = IB.id
        self.data["opp"] = opp
        self.talk(
            agreed,
            "opp",
            [self.lk(agreed), IB.id, "ouders"],
            "Ontwikkelingsperspectief besproken en ondertekend.",
            ["Leerling werkt op een eigen leerlijn voor " + focus + "."],
        )

    # -- talks, leaving, notes --------------------------------------------------------------
    def talks(self, profile: str) -> None:
        rng = self.rng
        if self.end == self.today and rng.random() < 0.25:
            day = _schoolday(self.year_start + _days(rng.randint(10, 35)))
            if day <= self.today:
                present = [self.teacher.id, "ouders"] + (["leerling"] if self.groep >= 5 else [])
                self.talk(
                    day,
                    "ontwikkeling",
                    present,
                    "Startgesprek: kennismaking en verwachtingen voor dit schooljaar.",
                    ["Ouders laten het weten als er thuis iets verandert."],
                )
        if self.groep == 8 and rng.random() < 0.5:
            day = _schoolday(datetime.date(self.year(8).year, 6, rng.randint(8, 20)))
            if day <= self.today:
                self.talk(
                    day,
                    "schooladvies",
                    [self.lk(day), "ouders", "leerling"],
                    f"Voorlopig schooladvies: {rng.choice(_SCHOOLADVIEZEN)}.",
                    ["Definitief advies na de doorstroomtoets in groep 8."],
                )
        if self.special == "correctie_open":
            talk = self.data.get("gesprekken", [None])[0]
            if talk is None:
                day = _schoolday(self.year_start + _days(20))
                talk = self.talk(
                    day,
                    "ontwikkeling",
                    [self.teacher.id, "ouders"],
                    "Startgesprek: kennismaking en verwachtingen voor dit schooljaar.",
                    ["Ouders laten het weten als er thuis iets verandert."],
                )
            asked = _schoolday(self.today - _days(9))
            self.add(
                "correcties",
                {
                    "verzoek_datum": asked,
                    "wat": "Gespreksverslag: ouders hebben geen huiswerkafspraak gemaakt.",
                    "besluit": "open",
                    "_door": IB.id,
                },
            )
        elif profile != "geen" and rng.random() < 0.06:
            asked = _schoolday(self.today - _weeks(rng.randint(8, 40)))
            if asked > self.ingeschreven:
                decided = _schoolday(asked + _weeks(2))
                self.add(
                    "correcties",
                    {
                        "verzoek_datum": asked,
                        "wat": "inschrijving.aangemeld: de aanmelddatum was een week eerder.",
                        "besluit": "open",
                        "_tijdlijn": [
                            (
                                decided,
                                {
                                    "besluit": "toegekend",
                                    "besluit_datum": decided,
                                    "reden": "Aangepast na controle van het aanmeldformulier.",
                                },
                            )
                        ],
                        "_door": IB.id,
                    },
                )

    def leaving(self) -> None:
        rng = self.rng
        special = self.special
        if special in {"oud_okr", "oud_okr_zienswijze", "oud_bewaartermijn"}:
            year = self.ref.year + 1
            school = rng.choice(_VO_SCHOLEN)
            opgesteld = _schoolday(datetime.date(year, 4, rng.randint(6, 12)))
            inzage = _schoolday(opgesteld + _days(rng.randint(6, 10)))
            sent = _schoolday(datetime.date(year, 6, rng.randint(1, 5)))
            advies = rng.choice(_SCHOOLADVIEZEN)
            okr: dict[str, Any] = {
                "opgesteld": opgesteld,
                "compleet": True,
                "schooladvies": advies,
                "aandachtspunten": [
                    "Werkt het best met een duidelijke planning.",
                    "Heeft baat bij extra uitleg bij nieuwe stof.",
                ],
                "_tijdlijn": [
                    (
                        inzage,
                        {
                            "inzage_ouders": inzage,
                            "ouders_akkoord": True,
                            "ondertekend_ouders": inzage,
                        },
                    ),
                    (
                        sent,
                        {
                            "ouders_geinformeerd_verzending": sent - _days(2),
                            "verzonden": sent,
                            "ontvanger": school,
                            "afschrift_ouders": sent,
                            "mondelinge_overdracht": sent + _days(5),
                        },
                    ),
                ],
                "_door": IB.id,
            }
            if special == "oud_okr_zienswijze":
                okr["_tijdlijn"][0][1]["opmerkingen_ouders"] = "Zie de zienswijze van de ouders."
                self.add(
                    "zienswijzen",
                    {
                        "datum": inzage,
                        "namens": "beide ouders",
                        "onderdeel": "okr",
                        "tekst": (
                            "Wij herkennen ons niet in het aandachtspunt over de werkhouding: "
                            "thuis werkt onze zoon of dochter zelfstandig en geconcentreerd."
                        ),
                        "_door": IB.id,
                    },
                )
            self.data["okr"] = okr
            self.data["inschrijving"]["_tijdlijn"] = [
                (
                    self.end,
                    {
                        "uitgeschreven": self.end,
                        "reden_uitschrijving": "vo",
                        "vervolgschool": school,
                    },
                ),
                (
                    datetime.date(year, 8, 25),
                    {"toegelaten_vervolgschool": datetime.date(year, 8, 25)},
                ),
            ]
            self.data["_saves"] = [*self.data.get("_saves", []), (sent, IB.id)]
        elif special == "verhuisd_okr_open":
            school = rng.choice(_BASISSCHOLEN)
            opgesteld = _schoolday(self.end - _days(8))
            inzage = _schoolday(opgesteld + _days(3))
            self.data["okr"] = {
                "opgesteld": opgesteld,
                "compleet": True,
                "aandachtspunten": ["Loopt door in een handelingsplan; zie de plannen."],
                "ontvanger": school,
                "_tijdlijn": [
                    (
                        inzage,
                        {
                            "inzage_ouders": inzage,
                            "ouders_akkoord": True,
                            "ondertekend_ouders": inzage,
                            "afschrift_ouders": inzage,
                        },
                    )
                ],
                "_door": IB.id,
            }
            self.data["inschrijving"]["_tijdlijn"] = [
                (
                    self.end,
                    {
                        "uitgeschreven": self.end,
                        "reden_uitschrijving": "verhuizing",
                        "vervolgschool": school,
                    },
                )
            ]

    def notes(self, focus: str, height: int) -> None:
        rng = self.rng
        if not height or not self.data.get("plannen") or rng.random() > 0.35:
            return
        first = self.data["plannen"][0]["start"]
        for _ in range(rng.randint(1, 3)):
            span = max(1, (min(self.end, self.today) - first).days)
            day = _schoolday(first + _days(rng.randint(0, span)))
            if day > min(self.end, self.today):
                continue
            text = rng.choice(_NOTES).format(
                lk=leerkracht(self.groep_op(day)).naam.split()[0], vak=focus
            )
            self.add(
                "werkaantekeningen", {"auteur": IB.id, "datum": day, "tekst": text, "_door": IB.id}
            )

    def past_teachers(self) -> None:
        """Teachers of earlier years are no longer betrokken (their access ended with the
        year, docs/access.md); meetings and talks they attended name them as 'leerkracht
        (name, groep)', which the checks read as the role leerkracht."""
        current = {b["medewerker"] for b in self.data["betrokkenen"]}
        staff = {s.id: s for s in STAFF}
        for key in ("besprekingen", "gesprekken"):
            for entry in self.data.get(key, []):
                entry["aanwezig"] = [
                    f"leerkracht ({staff[who].naam}, groep {staff[who].groep})"
                    if who.startswith("lk-") and who not in current
                    else who
                    for who in entry.get("aanwezig", [])
                ]


# -- turning a history into versions ------------------------------------------------------
_DROP = object()


def _start(entry: dict[str, Any]) -> datetime.date | None:
    for key in (*_START_KEYS, "datum"):
        value = entry.get(key)
        if isinstance(value, datetime.date):
            return value
    return None


def _at(value: Any, day: datetime.date) -> Any:
    """`value` as it was on `day` (entries from later dates left out), or _DROP."""
    if isinstance(value, dict):
        state = {k: v for k, v in value.items() if not k.startswith("_")}
        for when, change in value.get("_tijdlijn", ()):
            if when <= day:
                state.update(change)
        start = _start(value)
        if start is not None and start > day:
            return _DROP
        whole = "_sinds" in value
        out: dict[str, Any] = {}
        for key, item in state.items():
            if isinstance(item, datetime.date):
                if whole or item <= day or key in _PLANNED:
                    out[key] = item
                continue
            kept = _at(item, day)
            if kept is _DROP or (isinstance(item, dict | list) and item and not kept):
                continue
            out[key] = kept
        return out
    if isinstance(value, list):
        items = [_at(item, day) for item in value]
        return [
            item
            for item in items
            if item is not _DROP and not (isinstance(item, datetime.date) and item > day)
        ]
    return value


def _snapshot(data: dict[str, Any], day: datetime.date, author: str) -> dict[str, Any]:
    """The dossier as `author` saved it on `day` (only the author's own working notes)."""
    state = _at(data, day)
    notes = [n for n in state.pop("werkaantekeningen", []) if n["auteur"] == author]
    if notes:
        state["werkaantekeningen"] = notes
    return {key: state[key] for key in parts.TOP_LEVEL_ORDER if key in state}


def _number(data: dict[str, Any]) -> None:
    """Give every entry its id (numbered by date, as they were added) and resolve references."""
    for key, prefix in _PREFIXES.items():
        entries = data.get(key)
        if not entries:
            continue
        entries.sort(key=lambda e: _start(e) or datetime.date.min)
        for n, entry in enumerate(entries, start=1):
            entry["id"] = f"{prefix}-{n}"
        data[key] = [{"id": e["id"], **{k: v for k, v in e.items() if k != "id"}} for e in entries]
        # References point at the old dicts; keep them findable.
        for old, new in zip(entries, data[key], strict=True):
            old["_nieuw"] = new

    def resolve(value: Any) -> Any:
        if isinstance(value, _Ref):
            return value.entry["id"]
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items() if k != "_nieuw"}
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, tuple):
            return tuple(resolve(v) for v in value)
        return value

    data.update({k: resolve(v) for k, v in data.items()})


def _events(value: Any, author: str, out: list[tuple[datetime.date, str]]) -> None:
    """Every (date, author) at which something in `value` was written."""
    if isinstance(value, dict):
        author = value.get("_door", author)
        for key, item in value.items():
            if key == "_tijdlijn":
                out.extend((when, author) for when, _ in item)
            elif isinstance(item, datetime.date):
                if key not in _PLANNED and "_sinds" not in value:
                    out.append((item, author))
            elif key != "_saves":
                _events(item, author, out)
    elif isinstance(value, list):
        for item in value:
            _events(item, author, out)


def _versions(
    data: dict[str, Any], today: datetime.date, first: datetime.date
) -> list[tuple[datetime.date, str]]:
    """When the dossier was saved and by whom: the IB-er's import (or the enrolment) on
    `first`, then every later change on its own day by who made it (a few days of one
    person's work are one save)."""
    events: list[tuple[datetime.date, str]] = []
    _events(data, IB.id, events)
    events += data.get("_saves", [])
    later = sorted({(d, a) for d, a in events if first < d <= today})
    saves = [(first, IB.id)]
    for day, author in later:
        last_day, last_author = saves[-1]
        if author == last_author and (day - last_day).days <= 10 and len(saves) > 1:
            saves[-1] = (day, author)
        else:
            saves.append((day, author))
    return saves


class _ScalarDumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


@functools.lru_cache(maxsize=8192)
def _text_scalar(text: str) -> str:
    """A string as a YAML scalar: plain when YAML allows it, otherwise quoted (PyYAML decides,
    so 'ja', '003' or 'a: b' come out quoted); never folded over lines."""
    out = yaml.dump(text, Dumper=_ScalarDumper, allow_unicode=True, width=1 << 30)
    return out.removesuffix("\n...\n").removesuffix("\n")


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, str) and "\n" not in value:
        return _text_scalar(value)
    return (
        yaml.dump(value, Dumper=_ScalarDumper, allow_unicode=True, width=1 << 30)
        .rstrip("\n")
        .removesuffix("\n...")
    )


def _emit(value: Any, indent: int, lines: list[str], prefix: str) -> None:
    """Write a mapping's keys (the first after `prefix`, e.g. a list item's '- ')."""
    pad = " " * indent
    first = True
    for key, item in value.items():
        lead = prefix if first else pad
        first = False
        if isinstance(item, dict) and item:
            lines.append(f"{lead}{key}:")
            _emit(item, indent + 2, lines, " " * (indent + 2))
        elif isinstance(item, list) and item:
            lines.append(f"{lead}{key}:")
            for element in item:
                if isinstance(element, dict) and element:
                    _emit(element, indent + 4, lines, " " * (indent + 2) + "- ")
                else:
                    lines.append(f"{pad}  - {_scalar(element)}")
        elif isinstance(item, dict | list):
            lines.append(f"{lead}{key}: {'{}' if isinstance(item, dict) else '[]'}")
        else:
            lines.append(f"{lead}{key}: {_scalar(item)}")


def to_yaml(data: dict[str, Any]) -> str:
    """Canonical dossier YAML for generated data (2-space indent, lists indented under their
    key, no anchors, no flow style except [] and {}, long texts never folded).

    A small emitter of its own: the demo writes hundreds of versions and PyYAML's pure-Python
    emitter was most of the generation time; scalars still go through PyYAML (cached).
    """
    lines: list[str] = []
    _emit(data, 0, lines, "")
    return "\n".join(lines) + "\n"


def generate(
    route: Route, today: datetime.date, count: int = DEMO_COUNT, seed: int = DEMO_SEED
) -> list[DemoPupil]:
    """Generate `count` fictional pupils over groepen 1–8 (pure, deterministic).

    Most pupils need no extra care; the others follow the route up and sometimes down again,
    with plans and evaluations, meetings, talks, consents, tests, protocols, an OPP on the top
    niveau and an OKR for those who left. Each pupil's versions are the dossier as it was on
    the day it was saved and by whom: the IB-er's import at the start of the school year (or
    the enrolment, for pupils who came later), then each change by who made it (the groep's
    teacher, the IB-er, the orthopedagoog), each with only its author's werkaantekeningen.

    Args:
        route: the zorgroute the histories follow.
        today: the date the histories lead up to.
        count: number of pupils.
        seed: the random seed.
    """
    rng = random.Random(seed)
    pupils = []
    for index in range(count):
        groep = 1 + index % 8
        pupil_id = _pupil_id(rng)
        special = _SPECIALS.get((groep, index // 8))
        builder = _Pupil(random.Random(rng.random()), route, today, pupil_id, groep, special)
        data = builder.build()
        _number(data)
        first = max(builder.since, builder.ingeschreven)
        readers = {IB.id}
        pupil = DemoPupil(pupil_id, groep)
        previous: Any = None
        for day, author in _versions(data, today, first):
            full = _at(data, day)
            if full == previous:
                continue  # nothing visible changed that day
            previous = full
            saver = author if author in readers else IB.id
            state = _snapshot(data, day, saver)
            readers = {IB.id} | {b["medewerker"] for b in state["betrokkenen"]}
            pupil.versions.append((saver, to_yaml(state)))
            pupil.dates.append(day)
        pupils.append(pupil)
    return pupils


@dataclass(frozen=True)
class DemoInfo:
    """Where the demo vault and keys are and whom the UI opens as."""

    data_dir: Path
    vault: Path
    keys: Path
    route_id: str
    passphrase: str = DEMO_PASSPHRASE

    def key_file(self, staff_id: str) -> Path:
        """The private key file of a demo staff member."""
        return self.keys / f"{staff_id}.key"

    @property
    def ib_key(self) -> Path:
        """The IB-er's key: the demo opens as the IB-er."""
        return self.key_file(IB.id)


def demo_info(data_dir: Path, route_id: str) -> DemoInfo:
    """The demo's paths for one route (each route gets its own vault)."""
    base = data_dir / f"route-{route_id}"
    return DemoInfo(data_dir=base, vault=base / "kluis", keys=base / "sleutels", route_id=route_id)


def open_demo(data_dir: Path, route_id: str) -> DemoInfo | None:
    """The existing, complete demo for `route_id`, or None when it must be created."""
    info = demo_info(data_dir, route_id)
    marker = info.data_dir / INFO_FILE
    return info if marker.is_file() and info.ib_key.is_file() else None


def create_demo(
    data_dir: Path,
    route_id: str = DEMO_ROUTE,
    *,
    today: datetime.date,
    count: int = DEMO_COUNT,
    seed: int = DEMO_SEED,
    progress: Callable[[int, int], None] | None = None,
    passphrase: str | None = DEMO_PASSPHRASE,
) -> DemoInfo:
    """Create the demo vault with its staff keys; a half-built earlier attempt is replaced.

    Args:
        data_dir: the demo's data directory (each route in its own sub-folder).
        route_id: the seed route.
        today: the date histories lead up to and checks run on.
        count: number of pupils.
        seed: the random seed of the generator.
        progress: called as `progress(done, total)` after each pupil.
        passphrase: the staff keys' passphrase (None: unencrypted keys, for fast tests).

    Raises:
        VaultError: the vault could not be built (for example a bad route id).
    """
    route = load_route(route_id)
    info = demo_info(data_dir, route_id)
    if info.data_dir.exists():
        shutil.rmtree(info.data_dir)
    info.keys.mkdir(parents=True)
    secret = passphrase.encode() if passphrase else None
    keys = {}
    for member in STAFF:
        pem, public = sshkeys.generate(f"{member.id}@demo", secret)
        path = info.key_file(member.id)
        path.write_bytes(pem)
        path.chmod(0o600)
        keys[member.id] = (sshkeys.load_private(pem, secret), public)
    ib_key, ib_public = keys[IB.id]
    vault = Vault.init(
        info.vault,
        school=DEMO_SCHOOL,
        route_id=route_id,
        user_id=IB.id,
        name=IB.naam,
        ssh_public_key=ib_public,
        recovery_key_out=info.keys / "herstelsleutel.txt",
        role=IB.rol,
        identity=ib_key,
        durable=False,  # a demo is rebuilt when half-made (see open_demo); no fsync per save
    )
    for member in STAFF[1:]:
        vault.add_user(member.id, member.naam, member.rol, keys[member.id][1])
    _keep_route(vault, route)
    vaults = {IB.id: vault}
    pupils = generate(route, today, count, seed)
    total = sum(len(p.versions) for p in pupils)
    # Every version is saved in date order across the school, dated that day (the history
    # and the review queue look as if the school had worked with the vault since the start of
    # the year). The IB-er reviewed everything up to a week ago; later changes by others wait.
    saves = sorted(
        (day, n, i) for n, pupil in enumerate(pupils) for i, day in enumerate(pupil.dates)
    )
    reviewed = today - datetime.timedelta(days=7)
    saved_ids: dict[int, str] = {}
    marked = False
    for done, (day, n, i) in enumerate(saves, start=1):
        pupil = pupils[n]
        if day > reviewed and not marked:
            _mark_reviewed(vault, reviewed)
            marked = True
        staff_id, text = pupil.versions[i]
        if staff_id not in vaults:
            vaults[staff_id] = Vault.open(info.vault, keys[staff_id][0], durable=False)
            _keep_route(vaults[staff_id], route)
        _backdate(vaults[staff_id], day, done)
        last = i == len(pupil.versions) - 1
        if i == 0:
            saved_ids[n] = _save(vaults[staff_id], None, text, today if last else day)
        else:
            # The vault gives each new pupil its own opaque id; later versions carry it.
            text = text.replace(pupil.id, saved_ids[n])
            _save(vaults[staff_id], saved_ids[n], text, today if last else day)
        if progress:
            progress(done, total)
    if not marked:
        _mark_reviewed(vault, reviewed)
    (info.data_dir / INFO_FILE).write_text(
        json.dumps({"route": route_id, "school": DEMO_SCHOOL, "leerlingen": count}, indent=2)
    )
    return info


def _backdate(vault: Vault, day: datetime.date, n: int) -> None:
    """Date this vault's next commits on `day`, during school hours (demo only).

    `Vault` commits at the current time; the demo's versions happened over months, so the
    demo hands its own time to the git store (which takes one) for the commits it makes.
    """
    minutes = 8 * 60 + (n * 37) % (8 * 60)
    when = datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60)).astimezone()
    store = vault._store
    commit = type(store).commit
    store.__dict__["commit"] = functools.partial(commit, store, when=when)


def _keep_route(vault: Vault, route: Route) -> None:
    """Let `vault` keep the parsed route when it reloads its settings (demo only).

    Several staff save in turn while the demo is built; each notices the others' commits and
    reloads the vault settings, parsing the route file again (about a tenth of a second, a
    few hundred times). The demo's route never changes, so it is handed back.
    """
    load = vault._load_config

    def reload() -> Any:
        result = load()
        if vault.route_id == route.id:
            vault._route = route
        return result

    vault.__dict__["_load_config"] = reload


def _mark_reviewed(vault: Vault, day: datetime.date) -> None:
    head = review.head(vault)
    if head:
        _backdate(vault, day, 0)
        review.mark_reviewed(vault, head, day)


def _save(vault: Vault, pupil_id: str | None, text: str, today: datetime.date) -> str:
    """Save a generated version, checked as of `today`; the few deliberate open findings
    are kept with a recorded override."""
    try:
        result = (
            vault.new(text, today=today)
            if pupil_id is None
            else vault.put(pupil_id, text, today=today)
        )
    except ChecksFailedError:
        result = (
            vault.new(text, override=OVERRIDE_REASON, today=today)
            if pupil_id is None
            else vault.put(pupil_id, text, override=OVERRIDE_REASON, today=today)
        )
    return result.pupil_id
