"""The demo vault: one fictional school, ~200 fictional pupils with generated care histories.

Everything here is made up: the school, the staff and the pupils (first names from common
Dutch name lists, surnames invented), and the histories are drawn from a seeded random
generator so the same seed, route and date always give the same vault content. Histories
follow the chosen route: each step up a niveau brings what that niveau requires (plan,
meeting, consent, talk, request), and a few pupils are deliberately left with open findings
(an overdue evaluation, a missing consent) so the checks have something to show.

`generate` is pure (data only); `create_demo` builds the vault (keys, users, signed commits)
and `open_demo` finds an existing one.
"""

from __future__ import annotations

import datetime
import json
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dossier_format.routes import Niveau, Route, load_route
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
_SUBJECTS = (
    ("technisch lezen", "DMT"),
    ("spelling", "Cito Spelling"),
    ("rekenen", "Cito Rekenen-Wiskunde"),
    ("begrijpend lezen", "Cito Begrijpend Lezen"),
)
_LEVELS = ("I", "II", "III", "IV", "V")


@dataclass(frozen=True)
class StaffMember:
    """A fictional staff member of the demo school."""

    id: str
    naam: str
    rol: str
    groep: int | None = None


@dataclass
class DemoPupil:
    """One generated pupil: the dossier's versions, each saved by a staff member."""

    id: str
    groep: int
    versions: list[tuple[str, str]] = field(default_factory=list)  # (staff id, YAML text)


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


def leerkracht(groep: int) -> StaffMember:
    """The demo teacher of a groep."""
    return next(s for s in STAFF if s.groep == groep)


def _pupil_id(rng: random.Random) -> str:
    return "ll-" + "".join(rng.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(10))


def _school_year_start(today: datetime.date) -> datetime.date:
    year = today.year if today.month >= 8 else today.year - 1
    return datetime.date(year, 8, 25)


class _Builder:
    """Builds one pupil's dossier as plain data, step by step along the route."""

    def __init__(self, rng: random.Random, route: Route, today: datetime.date) -> None:
        self.rng = rng
        self.route = route
        self.today = today
        self.counters: dict[str, int] = {}

    def next_id(self, prefix: str) -> str:
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{prefix}-{self.counters[prefix]}"

    def dossier(self, pupil_id: str, groep: int, neglected: bool) -> dict[str, Any]:
        rng, today = self.rng, self.today
        year_start = _school_year_start(today)
        ingeschreven = year_start.replace(year=year_start.year - (groep - 1))
        born = ingeschreven - datetime.timedelta(days=4 * 365 + rng.randint(0, 360))
        first = rng.choice(_FIRST_NAMES)
        tussen = rng.choice(_TUSSENVOEGSELS)
        leerling: dict[str, Any] = {"id": pupil_id, "voornaam": first}
        if tussen:
            leerling["tussenvoegsel"] = tussen
        leerling |= {
            "achternaam": rng.choice(_SURNAMES),
            "geboortedatum": born,
            "groep": groep,
            "stamgroep": f"{groep}{rng.choice('ab')}",
        }
        teacher = leerkracht(groep)
        data: dict[str, Any] = {
            "formaat": "zorgkluis-dossier/1",
            "leerling": leerling,
            "inschrijving": {
                "aangemeld": ingeschreven - datetime.timedelta(weeks=10),
                "ingeschreven": ingeschreven,
            },
            "route": self.route.id,
            "betrokkenen": [
                {"medewerker": teacher.id, "rol": "leerkracht", "vanaf": year_start},
                {"medewerker": IB.id, "rol": "intern_begeleider"},
            ],
            "niveaus": [
                {
                    "niveau": self.route.laagste,
                    "vanaf": ingeschreven,
                    "reden": "Instroom, basisondersteuning in de groep.",
                }
            ],
        }
        path = self.path()
        weeks_back = rng.randint(10, 26) * max(1, len(path))
        step_date = today - datetime.timedelta(weeks=weeks_back)
        step_date = max(step_date, ingeschreven + datetime.timedelta(weeks=8))
        subject, test = rng.choice(_SUBJECTS)
        self.toetsen(data, groep, test, len(path))
        for index, niveau in enumerate(path):
            last = index == len(path) - 1
            self.step(data, niveau, step_date, subject, teacher, neglected and last)
            step_date += datetime.timedelta(weeks=rng.randint(10, 20))
            if step_date > today - datetime.timedelta(weeks=3):
                break
        if path and rng.random() < 0.4:
            data["werkaantekeningen"] = [
                {
                    "id": self.next_id("wa"),
                    "auteur": IB.id,
                    "datum": today - datetime.timedelta(days=rng.randint(5, 60)),
                    "tekst": f"Afstemmen met {teacher.naam.split()[0]} over de aanpak {subject}.",
                }
            ]
        return data

    def path(self) -> list[Niveau]:
        """The niveaus above the lowest this pupil climbs, following allowed transitions."""
        height = self.rng.choices((0, 1, 2, 3, 4), weights=(58, 20, 12, 7, 3))[0]
        levels = list(self.route.niveaus)
        path: list[Niveau] = []
        current = levels[0]
        for candidate in levels[1:]:
            if len(path) >= height:
                break
            if self.route.overgang(current.niveau, candidate.niveau) is None:
                break
            path.append(candidate)
            current = candidate
        return path

    def step(
        self,
        data: dict[str, Any],
        niveau: Niveau,
        start: datetime.date,
        subject: str,
        teacher: StaffMember,
        neglected: bool,
    ) -> None:
        """Enter `niveau` on `start` with everything the route requires there."""
        rng, today = self.rng, self.today
        day = datetime.timedelta(days=1)
        needs_roles = set(niveau.wie)
        if niveau.toestemming and not (neglected and rng.random() < 0.5):
            data.setdefault("toestemmingen", []).append(
                {
                    "id": self.next_id("ts"),
                    "voor": (niveau.toestemming.soorten or ("onderzoek",))[0],
                    "datum": start - 7 * day,
                    "schriftelijk": True,
                    "gegeven_door": "beide ouders",
                }
            )
        entry: dict[str, Any] = {
            "niveau": niveau.niveau,
            "vanaf": start,
            "reden": f"Onvoldoende groei bij {subject}; {niveau.naam.lower()}.",
        }
        if niveau.bespreking:
            soort = (niveau.bespreking.soorten or ("leerlingbespreking",))[0]
            bespreking_id = self.next_id("bs")
            rule = self.route.besprekingen.get(soort)
            roles = set(niveau.bespreking.aanwezig) | set(rule.aanwezig if rule else ())
            needs_roles |= roles
            for voor in (rule.toestemming if rule else ())[:1]:
                data.setdefault("toestemmingen", []).append(
                    {
                        "id": self.next_id("ts"),
                        "voor": voor,
                        "datum": start - 5 * day,
                        "schriftelijk": True,
                        "gegeven_door": "beide ouders",
                    }
                )
            aanwezig = sorted({self.staff_for(role, teacher) for role in roles} | {IB.id})
            meeting: dict[str, Any] = {
                "id": bespreking_id,
                "soort": soort,
                "datum": start,
                "formulier_verstuurd": start - 3 * day,
                "ingebracht_door": teacher.id,
                "aanwezig": aanwezig,
                "hulpvraag": f"Wat helpt deze leerling bij {subject}?",
                "doel": f"Zichtbare groei bij {subject} binnen de periode.",
                "afspraken": [f"Plan {subject} op niveau {niveau.niveau}."],
                "evaluatie_gepland": start + 6 * 7 * day,
            }
            if start + 6 * 7 * day < today:
                meeting["evaluatie"] = {"datum": start + 6 * 7 * day, "uitkomst": "gedeeltelijk"}
            data.setdefault("besprekingen", []).append(meeting)
            entry["besloten_in"] = bespreking_id
        if niveau.ouders_geinformeerd or niveau.gesprek:
            entry["ouders_geinformeerd"] = start + 3 * day
        if niveau.gesprek:
            data.setdefault("gesprekken", []).append(
                {
                    "id": self.next_id("gs"),
                    "soort": "oudergesprek",
                    "datum": start + 3 * day,
                    "thema": "zorg",
                    "aanwezig": [teacher.id, "ouders"],
                    "onderwerp": f"Overstap naar zorgniveau {niveau.niveau} ({subject}).",
                    "afspraken": ["Ouders oefenen thuis tien minuten per dag."],
                    "ouders_akkoord": True,
                }
            )
        if niveau.groeidocument:
            for part in niveau.groeidocument.soorten:
                data.setdefault("groeidocument", {}).setdefault(part, start - 14 * day)
        if niveau.aanvraag:
            data.setdefault("aanvragen", []).append(
                {
                    "id": self.next_id("av"),
                    "soort": (niveau.aanvraag.soorten or ("overig",))[0],
                    "datum": start + 7 * day,
                    "ingediend_door": IB.id,
                    "besluit": "open",
                }
            )
        data["niveaus"].append(entry)
        for role in needs_roles - {"leerkracht", "intern_begeleider", "ouders"}:
            member = self.staff_for(role, teacher)
            if all(b["medewerker"] != member or b["rol"] != role for b in data["betrokkenen"]):
                data["betrokkenen"].append({"medewerker": member, "rol": role})
        self.plan(data, niveau, start, subject, teacher, neglected)

    def staff_for(self, role: str, teacher: StaffMember) -> str:
        if role == "leerkracht":
            return teacher.id
        if role == "ouders":
            return "ouders"
        if role == "directie":
            return STAFF[1].id
        if role == "orthopedagoog":
            return STAFF[2].id
        return IB.id

    def plan(
        self,
        data: dict[str, Any],
        niveau: Niveau,
        start: datetime.date,
        subject: str,
        teacher: StaffMember,
        neglected: bool,
    ) -> None:
        soorten = niveau.plan.soorten if niveau.plan else ()
        soort = soorten[0] if soorten else "handelingsplan"
        begin = start + datetime.timedelta(days=4)
        weeks = 8
        if niveau.plan_duur_weken:
            weeks = max(niveau.plan_duur_weken[0], min(weeks, niveau.plan_duur_weken[1]))
        if niveau.evaluatie_binnen_weken:
            weeks = min(weeks, niveau.evaluatie_binnen_weken)
        due = begin + datetime.timedelta(weeks=weeks)
        plan: dict[str, Any] = {
            "id": self.next_id("pl"),
            "soort": soort,
            "niveau": niveau.niveau,
            "vakgebied": subject,
            "hulpvraag": f"Hoe krijgt deze leerling meer grip op {subject}?",
            # A neglected plan lacks its goals: an error the checks show in the demo.
            "doelen": [] if neglected else [f"Groei van minstens één niveau bij {subject}."],
            "frequentie": {"keer_per_week": self.rng.choice((2, 3, 4)), "minuten": 20},
            "uitvoerder": teacher.id,
            "start": begin,
            "evaluatie_gepland": due,
            "ouders_geinformeerd": begin,
        }
        if due < self.today and not neglected:
            plan["evaluatie"] = {
                "datum": due,
                "uitkomst": self.rng.choice(("voldoende", "gedeeltelijk")),
                "toelichting": "Besproken met de intern begeleider.",
            }
        data.setdefault("plannen", []).append(plan)

    def toetsen(self, data: dict[str, Any], groep: int, test: str, care: int) -> None:
        if groep < 3:
            return
        year_start = _school_year_start(self.today)
        results = []
        level = min(4, max(0, self.rng.randint(0, 1) + care))
        for years_back in range(min(groep - 2, 3), -1, -1):
            for month, moment in ((1, "M"), (6, "E")):
                when = datetime.date(year_start.year - years_back + 1, month, 25)
                if when > self.today:
                    continue
                level = min(4, max(0, level + self.rng.choice((-1, 0, 0, 1))))
                results.append(
                    {
                        "id": self.next_id("tt"),
                        "toets": test,
                        "soort": "lvs",
                        "moment": f"{moment}{groep - years_back}",
                        "datum": when,
                        "niveau": _LEVELS[level],
                    }
                )
        if results:
            data["toetsen"] = results


def to_yaml(data: dict[str, Any]) -> str:
    """Canonical dossier YAML for generated data (2-space indent, lists indented)."""

    class _Dumper(yaml.SafeDumper):
        def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
            super().increase_indent(flow, False)

        def ignore_aliases(self, data: Any) -> bool:
            return True  # shared date objects must not become YAML anchors

    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def generate(
    route: Route, today: datetime.date, count: int = DEMO_COUNT, seed: int = DEMO_SEED
) -> list[DemoPupil]:
    """Generate `count` fictional pupils over groepen 1–8 (pure, deterministic).

    Each pupil has one or two versions: the first by the IB-er; for about one in seven, a later
    update by the groep's leerkracht (a new toets), which fills the IB-er's review queue.

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
        builder = _Builder(rng, route, today)
        data = builder.dossier(pupil_id, groep, neglected=rng.random() < 0.08)
        pupil = DemoPupil(pupil_id, groep, [(IB.id, to_yaml(data))])
        if groep >= 3 and rng.random() < 0.15:
            _, test = rng.choice(_SUBJECTS)
            data.setdefault("toetsen", []).append(
                {
                    "id": builder.next_id("tt"),
                    "toets": test,
                    "soort": "methode",
                    "datum": today - datetime.timedelta(days=rng.randint(1, 20)),
                    "score": rng.randint(40, 95),
                    "voldoende": True,
                }
            )
            # The teacher saves what they see: not the IB-er's werkaantekeningen.
            teacher_view = {k: v for k, v in data.items() if k != "werkaantekeningen"}
            pupil.versions.append((leerkracht(groep).id, to_yaml(teacher_view)))
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
    )
    for member in STAFF[1:]:
        vault.add_user(member.id, member.naam, member.rol, keys[member.id][1])
    vaults = {IB.id: vault}
    pupils = generate(route, today, count, seed)
    total = sum(len(p.versions) for p in pupils)
    later: list[tuple[str, str, str]] = []  # (pupil id in the vault, staff id, text)
    for done, pupil in enumerate(pupils, start=1):
        saved_id = _save(vault, None, pupil.versions[0][1], today)
        # The vault gives each new pupil its own opaque id; later versions must carry it.
        later += [
            (saved_id, staff, text.replace(pupil.id, saved_id))
            for staff, text in pupil.versions[1:]
        ]
        if progress:
            progress(done, total)
    # The IB-er has seen the initial load; the teachers' later updates wait for review.
    review.mark_reviewed(vault, review.head(vault) or "", today)
    for done, (saved_id, staff_id, text) in enumerate(later, start=len(pupils) + 1):
        if staff_id not in vaults:
            vaults[staff_id] = Vault.open(info.vault, keys[staff_id][0])
        _save(vaults[staff_id], saved_id, text, today)
        if progress:
            progress(done, total)
    (info.data_dir / INFO_FILE).write_text(
        json.dumps({"route": route_id, "school": DEMO_SCHOOL, "leerlingen": count}, indent=2)
    )
    return info


def _save(vault: Vault, pupil_id: str | None, text: str, today: datetime.date) -> str:
    """Save a generated version; open findings are kept with a recorded override."""
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
