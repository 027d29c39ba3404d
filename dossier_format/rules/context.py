"""The read-only view of one dossier that every rule works on.

``Ctx`` reads the plain dict from ``codec.load_fast`` defensively: a section or field with the
wrong shape becomes one ``formaat.ongeldig`` finding and is then treated as absent, so rules
never see (or crash on) unexpected types.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dossier_format.findings import Finding
from dossier_format.routes import Route
from dossier_format.rules.catalogue import CATALOGUE

OUDERS = frozenset({"ouders", "moeder", "vader", "verzorger"})
"""Reserved ``aanwezig`` words that all count as the role ``ouders``."""

VOORAF = dt.timedelta(weeks=8)
"""How long before entering a niveau a meeting, talk or plan still counts for that niveau."""


def weken(n: int) -> dt.timedelta:
    """``n`` weeks as a timedelta."""
    return dt.timedelta(weeks=n)


def schooljaar(d: dt.date) -> int:
    """The calendar year in which the school year containing ``d`` started (1 August)."""
    return d.year if d.month >= 8 else d.year - 1


@dataclass(frozen=True, slots=True)
class Stay:
    """One stay on a niveau: from ``vanaf`` until ``tot`` (exclusive; ``None`` = still on it)."""

    path: str
    niveau: int
    vanaf: dt.date
    tot: dt.date | None
    entry: Mapping[str, Any]

    def bevat(self, d: dt.date) -> bool:
        """Whether ``d`` falls within this stay."""
        return self.vanaf <= d and (self.tot is None or d < self.tot)


class Ctx:
    """A dossier, its route and today's date, plus the findings collected so far."""

    def __init__(self, data: Mapping[str, Any], route: Route, today: dt.date) -> None:
        self.data = data
        self.route = route
        self.today = today
        self.findings: list[Finding] = []
        self._shape_paths: set[str] = set()
        self._entries: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
        self._enabled = frozenset(route.protocollen)
        self.rollen_van = self._betrokkenen()
        self.stays = self._stays()

    # -- findings -------------------------------------------------------------------------
    def add(self, rule: str, message: str, path: str, source: str | None = None) -> None:
        """Record a finding of ``rule`` (severity and default source from the catalogue)."""
        info = CATALOGUE[rule]
        if info.protocollen and not (self._enabled & set(info.protocollen)):
            return
        self.findings.append(Finding(rule, info.severity, message, path, source or info.bron))

    def enabled(self, protocol: str) -> bool:
        """Whether the route enables ``protocol``."""
        return protocol in self._enabled

    def shape(self, path: str, message: str) -> None:
        """Report a shape problem at ``path`` once."""
        if path not in self._shape_paths:
            self._shape_paths.add(path)
            self.add("formaat.ongeldig", message, path)

    # -- reading ----------------------------------------------------------------------------
    def section(self, key: str) -> Mapping[str, Any] | None:
        """The top-level mapping ``key``, or ``None`` when absent or malformed."""
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            self.shape(key, f"'{key}' moet een mapping (sleutel: waarde) zijn.")
            return None
        return value

    def entries(self, key: str) -> list[tuple[str, Mapping[str, Any]]]:
        """The mapping entries of the top-level list ``key`` with their paths."""
        if key not in self._entries:
            self._entries[key] = self.list_of_maps(self.data, key, key)
        return self._entries[key]

    def list_of_maps(
        self, parent: Mapping[str, Any], key: str, path: str
    ) -> list[tuple[str, Mapping[str, Any]]]:
        """The mapping items of list ``parent[key]``, with paths; other items are reported."""
        value = parent.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.shape(path, f"'{path}' moet een lijst zijn.")
            return []
        out = []
        for i, item in enumerate(value):
            item_path = f"{path}[{i}]"
            if isinstance(item, Mapping):
                out.append((item_path, item))
            else:
                self.shape(item_path, f"'{item_path}' moet een mapping (sleutel: waarde) zijn.")
        return out

    def map(self, rec: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any] | None:
        """``rec[key]`` when it is a mapping; ``None`` when absent; reported otherwise."""
        value = rec.get(key)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            self.shape(f"{path}.{key}", f"'{path}.{key}' moet een mapping zijn.")
            return None
        return value

    def date(self, rec: Mapping[str, Any], key: str, path: str) -> dt.date | None:
        """``rec[key]`` as a date; ``None`` when absent; reported when not a date."""
        value = rec.get(key)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        self.shape(
            f"{path}.{key}", f"'{path}.{key}' moet een datum (JJJJ-MM-DD) zijn, niet {value!r}."
        )
        return None

    def integer(self, rec: Mapping[str, Any], key: str, path: str) -> int | None:
        """``rec[key]`` as an int; ``None`` when absent; reported when not an int."""
        value = rec.get(key)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        self.shape(f"{path}.{key}", f"'{path}.{key}' moet een geheel getal zijn, niet {value!r}.")
        return None

    def text(self, rec: Mapping[str, Any], key: str, path: str) -> str | None:
        """``rec[key]`` as stripped text (``None`` when absent or empty); numbers become text."""
        value = rec.get(key)
        if value is None or isinstance(value, bool):
            if isinstance(value, bool):
                self.shape(f"{path}.{key}", f"'{path}.{key}' moet tekst zijn.")
            return None
        if isinstance(value, str | int | float):
            return str(value).strip() or None
        self.shape(f"{path}.{key}", f"'{path}.{key}' moet tekst zijn.")
        return None

    def texts(self, rec: Mapping[str, Any], key: str, path: str) -> list[str]:
        """``rec[key]`` as a list of texts (a single text counts as a one-item list)."""
        value = rec.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            return [value] if value.strip() else []
        if not isinstance(value, list):
            self.shape(f"{path}.{key}", f"'{path}.{key}' moet een lijst zijn.")
            return []
        out = []
        for i, item in enumerate(value):
            if isinstance(item, str | int) and not isinstance(item, bool):
                if str(item).strip():
                    out.append(str(item).strip())
            else:
                self.shape(f"{path}.{key}[{i}]", f"'{path}.{key}[{i}]' moet tekst zijn.")
        return out

    def list_of_dates(self, rec: Mapping[str, Any], key: str, path: str) -> list[dt.date]:
        """``rec[key]`` as a list of dates; other items are reported and skipped."""
        value = rec.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.shape(f"{path}.{key}", f"'{path}.{key}' moet een lijst met datums zijn.")
            return []
        out = []
        for i, item in enumerate(value):
            d = self.date({"d": item}, "d", f"{path}.{key}[{i}]")
            if d is not None:
                out.append(d)
        return out

    def flag(self, rec: Mapping[str, Any], key: str, path: str) -> bool | None:
        """``rec[key]`` as a bool; ``None`` when absent; reported when not a bool."""
        value = rec.get(key)
        if value is None or isinstance(value, bool):
            return value
        self.shape(f"{path}.{key}", f"'{path}.{key}' moet true of false zijn.")
        return None

    # -- derived views ----------------------------------------------------------------------
    def rollen(self, aanwezig: Iterable[str]) -> set[str]:
        """Roles of the people in an ``aanwezig`` list: staff ids map to their role in
        ``betrokkenen``; ``ouders``/``moeder``/``vader``/``verzorger`` count as ``ouders``;
        a free description counts as its first words ("orthopedagoog (extern)" ->
        ``orthopedagoog``)."""
        out = set()
        for who in aanwezig:
            if who in OUDERS:
                out.add("ouders")
            elif who in self.rollen_van:
                out.update(self.rollen_van[who])
            else:  # a free description such as "orthopedagoog (extern)"
                out.add(who.split("(")[0].strip().lower().replace(" ", "_"))
        return out

    def rol_aanwezig(self, rollen: set[str], rol: str) -> bool:
        """Whether ``rol`` is among ``rollen``; a duo or instruction teacher counts as
        ``leerkracht``."""
        if rol == "leerkracht":
            return bool(rollen & {"leerkracht", "instructieleerkracht"})
        return rol in rollen

    def betrokken_rollen(self) -> set[str]:
        """All roles among the pupil's ``betrokkenen``."""
        return {r for rs in self.rollen_van.values() for r in rs}

    def groep(self) -> int | None:
        """The pupil's current groep, or ``None``."""
        leerling = self.section("leerling")
        return self.integer(leerling, "groep", "leerling") if leerling is not None else None

    def groep_op(self, d: dt.date) -> int | None:
        """The pupil's groep on date ``d``, counted back from the current groep by school
        years (a doubled year is not visible in the data; protocols note that)."""
        groep = self.groep()
        if groep is None:
            return None
        return groep - (schooljaar(self.today) - schooljaar(d))

    def niveau_op(self, d: dt.date) -> int | None:
        """The zorgniveau on date ``d`` (``None`` before the first entry)."""
        for stay in self.stays:
            if stay.bevat(d):
                return stay.niveau
        return None

    def huidig_niveau(self) -> int | None:
        """The current zorgniveau (on ``today``)."""
        return self.niveau_op(self.today)

    def toestemming(self, voor: Iterable[str], op: dt.date, *, schriftelijk: bool = True) -> bool:
        """Whether a consent for one of ``voor`` was given by ``op`` and not withdrawn by then."""
        soorten = set(voor)
        for path, t in self.entries("toestemmingen"):
            if self.text(t, "voor", path) not in soorten:
                continue
            datum = self.date(t, "datum", path)
            ingetrokken = self.date(t, "ingetrokken", path)
            if datum is None or datum > op or (ingetrokken is not None and ingetrokken <= op):
                continue
            if schriftelijk and self.flag(t, "schriftelijk", path) is not True:
                continue
            return True
        return False

    def heeft_diagnose(self, op: dt.date) -> bool:
        """Whether the pupil had a diagnosis by ``op``: a verklaring, or a psychological,
        intelligence, dyslexia, dyscalculia or medical onderzoek with a result."""
        for path, v in self.entries("verklaringen"):
            datum = self.date(v, "datum", path)
            if datum is not None and datum <= op:
                return True
        for path, o in self.entries("onderzoeken"):
            datum = self.date(o, "datum", path)
            soort = self.text(o, "soort", path)
            if (
                datum is not None
                and datum <= op
                and soort
                in {"psychologisch", "intelligentie", "dyslexie", "dyscalculie", "medisch"}
                and self.text(o, "uitslag", path)
            ):
                return True
        return False

    def ib_contact(self, van: dt.date, tot: dt.date) -> bool:
        """Whether a meeting or talk with the intern begeleider (or kwaliteitscoördinator)
        took place between ``van`` and ``tot`` (inclusive)."""
        for key in ("besprekingen", "gesprekken"):
            for path, b in self.entries(key):
                datum = self.date(b, "datum", path)
                if datum is None or not van <= datum <= tot:
                    continue
                rollen = self.rollen(self.texts(b, "aanwezig", path))
                if rollen & {"intern_begeleider", "kwaliteitscoordinator"}:
                    return True
        return False

    def plan_ids(self) -> dict[str, tuple[str, Mapping[str, Any]]]:
        """Plans by id."""
        out = {}
        for path, p in self.entries("plannen"):
            pid = self.text(p, "id", path)
            if pid:
                out[pid] = (path, p)
        return out

    def _betrokkenen(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for path, b in self.entries("betrokkenen"):
            who = self.text(b, "medewerker", path)
            rol = self.text(b, "rol", path)
            if who and rol:
                out.setdefault(who, set()).add(rol)
        return out

    def _stays(self) -> list[Stay]:
        known = []
        for path, e in self.entries("niveaus"):
            niveau = self.integer(e, "niveau", path)
            vanaf = self.date(e, "vanaf", path)
            if niveau is None or vanaf is None:
                if "niveau" not in e or "vanaf" not in e:
                    self.shape(path, f"'{path}' heeft 'niveau' en 'vanaf' nodig.")
                continue
            if self.route.niveau(niveau) is None:
                self.add(
                    "route.niveau_onbekend",
                    f"Niveau {niveau} bestaat niet in route {self.route.id} "
                    f"(niveaus: {', '.join(str(n.niveau) for n in self.route.niveaus)}).",
                    f"{path}.niveau",
                    self.route.bron,
                )
                continue
            known.append((vanaf, path, niveau, e))
        known.sort(key=lambda k: k[0])
        stays = []
        for i, (vanaf, path, niveau, e) in enumerate(known):
            tot = known[i + 1][0] if i + 1 < len(known) else None
            stays.append(Stay(path, niveau, vanaf, tot, e))
        return stays
