"""Zorgroute definitions: one declarative YAML file per school route.

A route says which niveaus (tiers) a school has, who acts on each, what must exist to be on a
niveau (consent, a meeting, a plan, a parent talk, a form), limits (handelingsperioden, weeks),
evaluation deadlines, which transitions between niveaus are allowed, what each kind of meeting
needs, and which protocols of the school's zorgplan are checked. The format is documented in
``docs/routes.md``; the checks in ``dossier_format.checks`` are driven by it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from dossier_format.errors import RouteError

ROUTES_DIR = Path(__file__).parent / "routes"
"""Folder of the routes shipped with Zorgkluis (``<id>.yaml``)."""

BESPREKING_SOORTEN = frozenset(
    {
        "groepsbespreking",
        "leerlingbespreking",
        "sot",
        "bot",
        "zorgteam",
        "clb",
        "mdo",
        "intervisie",
        "ondersteuningsteam",
    }
)
TOESTEMMING_VOOR = frozenset(
    {"bot", "zorgteam", "onderzoek", "overdracht", "ondersteuningsteam", "externen"}
)
GESPREK_SOORTEN = frozenset({"oudergesprek", "kindgesprek"})
PLAN_SOORTEN = frozenset(
    {"groepsplan", "handelingsplan", "ihp", "plan_van_aanpak", "begeleidingsplan"}
)
AANVRAAG_SOORTEN = frozenset(
    {"tlv", "ooa", "arrangement", "clo", "oec", "mdo", "plusklas", "leonardo", "extern_onderzoek"}
)
GROEIDOCUMENT_DELEN = frozenset({"deel_1", "deel_2"})
VOORWAARDEN = frozenset({"met_diagnose", "in_overleg_met_ib"})
PROTOCOLLEN = frozenset(
    {
        "aanmelding",
        "doublure",
        "dyscalculie",
        "dyslexie",
        "grenzen_aan_de_zorg",
        "herfstkinderen",
        "ib_met_leerkracht",
        "leerlingbespreking",
        "meerbegaafdheid",
        "opp",
        "opp_criteria",
        "oudergespreksformulier",
        "toetssignalering",
    }
)
"""Protocol ids a route may enable (see ``docs/rules.md`` for the rules of each)."""


@dataclass(frozen=True, slots=True)
class Eis:
    """Something that must exist while a pupil is on a niveau.

    Attributes:
        soorten: accepted kinds (consent ``voor``, meeting, plan, talk or request ``soort``;
            for ``groeidocument`` the parts that must all be complete); empty = any kind.
        binnen_weken: how many weeks after entering the niveau it may come (0 = at entry).
        aanwezig: roles that must be present (meetings and talks only).
        schriftelijk: a consent must be written (consents only).
    """

    soorten: tuple[str, ...] = ()
    binnen_weken: int = 0
    aanwezig: tuple[str, ...] = ()
    schriftelijk: bool = False


@dataclass(frozen=True, slots=True)
class Niveau:
    """One tier of a route.

    Attributes:
        niveau: the number used in dossiers (``niveaus[].niveau``, ``plannen[].niveau``).
        naam: the school's name for the tier.
        wie: roles that act on this niveau; each must be among the pupil's ``betrokkenen``.
        bron: the seed citation for this niveau's rules.
        toestemming, bespreking, plan, gesprek, groeidocument, aanvraag, ouders_geinformeerd:
            what must exist while on this niveau (``None`` = nothing).
        max_perioden: most handelingsperioden (plans) in one stay on this niveau.
        max_perioden_per_hulpvraag: most plans per hulpvraag in one stay.
        max_besprekingen: most meetings of a kind in one stay, as ``(soort, aantal)``.
        plan_duur_weken: ``(min, max)`` weeks from a plan's start to its evaluation.
        evaluatie_binnen_weken: a plan's evaluation must be planned within this many weeks.
        min_weken_ondersteuning: weeks of extra support (niveaus above the lowest) before entry.
    """

    niveau: int
    naam: str
    wie: tuple[str, ...] = ()
    bron: str = ""
    toestemming: Eis | None = None
    bespreking: Eis | None = None
    plan: Eis | None = None
    gesprek: Eis | None = None
    groeidocument: Eis | None = None
    aanvraag: Eis | None = None
    ouders_geinformeerd: Eis | None = None
    max_perioden: int | None = None
    max_perioden_per_hulpvraag: int | None = None
    max_besprekingen: tuple[str, int] | None = None
    plan_duur_weken: tuple[int, int] | None = None
    evaluatie_binnen_weken: int | None = None
    min_weken_ondersteuning: int | None = None


@dataclass(frozen=True, slots=True)
class Overgang:
    """An allowed move from one niveau to others, optionally only under a condition."""

    van: int
    naar: tuple[int, ...]
    voorwaarde: str | None = None
    bron: str = ""


@dataclass(frozen=True, slots=True)
class BesprekingRegel:
    """What a meeting of one kind needs, wherever it happens in the route.

    Attributes:
        aanwezig: roles that must be present.
        ingebracht_door: roles of whom one brings the pupil in (``ingebracht_door``).
        toestemming: consents (``voor``) of which one must be given, written, before the meeting.
        hulpvraag: the meeting must record a hulpvraag.
        evaluatie_binnen_weken: the meeting must plan its evaluation within this many weeks.
        bron: the seed citation.
    """

    aanwezig: tuple[str, ...] = ()
    ingebracht_door: tuple[str, ...] = ()
    toestemming: tuple[str, ...] = ()
    hulpvraag: bool = False
    evaluatie_binnen_weken: int | None = None
    bron: str = ""


@dataclass(frozen=True, slots=True)
class Route:
    """A school's zorgroute, loaded from a route file.

    Attributes:
        id: short id (``"003"``), also the file name without ``.yaml``.
        naam: name of the route for people.
        school: the school or body whose zorgplan this is.
        bron: the seed citation of the route as a whole.
        niveaus: the tiers, lowest first.
        overgangen: allowed transitions between niveaus.
        omlaag_altijd: a move to any lower niveau is always allowed.
        besprekingen: rules per kind of meeting.
        protocollen: ids of the protocols that are checked for this route.
        pad: the file it was loaded from.
    """

    id: str
    naam: str
    school: str
    bron: str
    niveaus: tuple[Niveau, ...]
    overgangen: tuple[Overgang, ...] = ()
    omlaag_altijd: bool = False
    besprekingen: Mapping[str, BesprekingRegel] = field(default_factory=dict)
    protocollen: tuple[str, ...] = ()
    pad: str = ""

    def niveau(self, nummer: int) -> Niveau | None:
        """Return the niveau with this number, or ``None`` when the route has none."""
        for n in self.niveaus:
            if n.niveau == nummer:
                return n
        return None

    @property
    def laagste(self) -> int:
        """The number of the lowest niveau."""
        return self.niveaus[0].niveau

    def overgang(self, van: int, naar: int) -> Overgang | None:
        """Return the rule that allows moving ``van`` -> ``naar`` without a condition if any,
        else one with a condition, else ``None``; a move down is allowed when
        ``omlaag_altijd``."""
        if naar < van and self.omlaag_altijd:
            return Overgang(van=van, naar=(naar,))
        matches = [o for o in self.overgangen if o.van == van and naar in o.naar]
        matches.sort(key=lambda o: o.voorwaarde is not None)
        return matches[0] if matches else None


def available_routes() -> list[Route]:
    """Return every route shipped in ``dossier_format/routes/``, sorted by id.

    Raises:
        RouteError: when a shipped route file is malformed.
    """
    return [load_route(str(p)) for p in sorted(ROUTES_DIR.glob("*.yaml"))]


def load_route(id_or_path: str) -> Route:
    """Load a route by id (``"003"``, a shipped route) or from a YAML file path.

    Args:
        id_or_path: a shipped route id, or the path of a school's own route file.

    Raises:
        RouteError: the route does not exist, cannot be read, or is malformed (with file,
            line and column where possible).
    """
    shipped = ROUTES_DIR / f"{id_or_path}.yaml"
    path = shipped if "/" not in id_or_path and shipped.is_file() else Path(id_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        known = ", ".join(p.stem for p in sorted(ROUTES_DIR.glob("*.yaml")))
        raise RouteError(
            f"route '{id_or_path}' bestaat niet (bekende routes: {known})", source=str(path)
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RouteError(f"routebestand kan niet gelezen worden: {exc}", source=str(path)) from None
    return parse_route(text, source=str(path))


def parse_route(text: str, source: str = "<route>") -> Route:
    """Parse and validate the text of a route file.

    Args:
        text: the YAML text.
        source: the file name used in error messages.

    Raises:
        RouteError: broken YAML, a missing or unknown key, a wrong type, or an inconsistency
            such as a transition to a niveau the route does not have.
    """
    try:
        doc = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise RouteError(
            f"ongeldige YAML: {exc.problem}",
            source=source,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except YAMLError as exc:
        raise RouteError(f"ongeldige YAML: {exc}", source=source) from None
    return _RouteReader(source).route(doc)


def _pos(node: Any, key: Any = None) -> tuple[int | None, int | None]:
    """1-based line/column of ``node`` (or of ``key`` inside it) when ruamel knows it."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return None, None
    try:
        if key is not None:
            line, col = lc.key(key) if isinstance(node, Mapping) else lc.item(key)
        else:
            line, col = lc.line, lc.col
    except (KeyError, IndexError, TypeError, AttributeError):
        return None, None
    if line is None or col is None:  # nodes of special types (e.g. `=`) carry no position
        return None, None
    return line + 1, col + 1


class _RouteReader:
    """Reads a round-trip-loaded route document, raising RouteError with positions."""

    TOP_KEYS = frozenset(
        {
            "id",
            "naam",
            "school",
            "bron",
            "niveaus",
            "overgangen",
            "omlaag_altijd",
            "besprekingen",
            "protocollen",
        }
    )
    NIVEAU_KEYS = frozenset(
        {
            "niveau",
            "naam",
            "wie",
            "bron",
            "eisen",
            "max_perioden",
            "max_perioden_per_hulpvraag",
            "max_besprekingen",
            "plan_duur_weken",
            "evaluatie_binnen_weken",
            "min_weken_ondersteuning",
        }
    )
    EIS_KEYS = frozenset({"soort", "binnen_weken", "aanwezig", "schriftelijk"})
    EISEN = (
        "toestemming",
        "bespreking",
        "plan",
        "gesprek",
        "groeidocument",
        "aanvraag",
        "ouders_geinformeerd",
    )

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, message: str, node: Any, key: Any = None, path: str = "") -> RouteError:
        line, col = _pos(node, key)
        return RouteError(message, source=self.source, line=line, column=col, path=path)

    def mapping(self, node: Any, path: str, allowed: frozenset[str], parent: Any, key: Any) -> Any:
        if not isinstance(node, Mapping):
            where = path or "het routebestand"
            raise self.fail(f"{where} moet een mapping (sleutel: waarde) zijn", parent, key, path)
        for k in node:
            if k not in allowed:
                known = ", ".join(sorted(allowed))
                raise self.fail(
                    f"onbekende sleutel '{k}' in {path or 'route'} (toegestaan: {known})",
                    node,
                    k,
                    path,
                )
        return node

    def get(
        self, node: Any, key: str, kind: type | tuple[type, ...], path: str, *, req: bool
    ) -> Any:
        if key not in node:
            if req:
                raise self.fail(f"verplichte sleutel '{key}' ontbreekt in {path or 'route'}", node)
            return None
        value = node[key]
        full = f"{path}.{key}" if path else key
        ok = isinstance(value, kind) and not (isinstance(value, bool) and bool not in _tuple(kind))
        if not ok:
            raise self.fail(f"{full} moet {_type_name(kind)} zijn, niet {value!r}", node, key, full)
        return value

    def strings(
        self, node: Any, key: str, path: str, allowed: frozenset[str] | None = None
    ) -> tuple[str, ...]:
        value = self.get(node, key, (str, list), path, req=False)
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else list(value)
        full = f"{path}.{key}" if path else key
        for i, item in enumerate(items):
            if not isinstance(item, str):
                raise self.fail(f"{full} moet tekst of een lijst met tekst zijn", node, key, full)
            if allowed is not None and item not in allowed:
                known = ", ".join(sorted(allowed))
                raise self.fail(
                    f"onbekende waarde '{item}' in {full} (toegestaan: {known})",
                    value if isinstance(value, list) else node,
                    i if isinstance(value, list) else key,
                    full,
                )
        return tuple(items)

    def route(self, doc: Any) -> Route:
        top = self.mapping(doc, "", self.TOP_KEYS, doc, None)
        route_id = self.get(top, "id", (str, int), "", req=True)
        niveaus_node = self.get(top, "niveaus", list, "", req=True)
        if not niveaus_node:
            raise self.fail("een route heeft minstens één niveau nodig", top, "niveaus", "niveaus")
        niveaus = tuple(
            self.niveau(n, f"niveaus[{i}]", niveaus_node, i) for i, n in enumerate(niveaus_node)
        )
        numbers = [n.niveau for n in niveaus]
        for i in range(1, len(numbers)):
            if numbers[i] <= numbers[i - 1]:
                raise self.fail(
                    "niveaus moeten oplopend en uniek zijn; "
                    f"niveau {numbers[i]} volgt op {numbers[i - 1]}",
                    niveaus_node,
                    i,
                    f"niveaus[{i}]",
                )
        known = set(numbers)
        overgangen = tuple(
            self.overgang(o, f"overgangen[{i}]", top["overgangen"], i, known)
            for i, o in enumerate(self.get(top, "overgangen", list, "", req=False) or [])
        )
        besprekingen_node = self.get(top, "besprekingen", Mapping, "", req=False) or {}
        besprekingen = {}
        for soort, regel in besprekingen_node.items():
            if soort not in BESPREKING_SOORTEN:
                raise self.fail(
                    f"onbekende soort bespreking '{soort}' "
                    f"(toegestaan: {', '.join(sorted(BESPREKING_SOORTEN))})",
                    besprekingen_node,
                    soort,
                    "besprekingen",
                )
            besprekingen[soort] = self.bespreking(
                regel, f"besprekingen.{soort}", besprekingen_node, soort
            )
        return Route(
            id=str(route_id),
            naam=self.get(top, "naam", str, "", req=True),
            school=self.get(top, "school", str, "", req=False) or "",
            bron=self.get(top, "bron", str, "", req=False) or "",
            niveaus=niveaus,
            overgangen=overgangen,
            omlaag_altijd=bool(self.get(top, "omlaag_altijd", bool, "", req=False)),
            besprekingen=besprekingen,
            protocollen=self.strings(top, "protocollen", "", PROTOCOLLEN),
            pad=self.source,
        )

    def niveau(self, node: Any, path: str, parent: Any, index: int) -> Niveau:
        m = self.mapping(node, path, self.NIVEAU_KEYS, parent, index)
        eisen_node = self.get(m, "eisen", Mapping, path, req=False) or {}
        eisen: dict[str, Eis] = {}
        for key, value in eisen_node.items():
            if key not in self.EISEN:
                raise self.fail(
                    f"onbekende eis '{key}' in {path}.eisen (toegestaan: {', '.join(self.EISEN)})",
                    eisen_node,
                    key,
                    f"{path}.eisen",
                )
            eisen[key] = self.eis(key, value, f"{path}.eisen.{key}", eisen_node)
        mb = self.get(m, "max_besprekingen", Mapping, path, req=False)
        max_besprekingen = None
        if mb is not None:
            soort = self.get(mb, "soort", str, f"{path}.max_besprekingen", req=True)
            if soort not in BESPREKING_SOORTEN:
                raise self.fail(f"onbekende soort bespreking '{soort}'", mb, "soort", path)
            max_besprekingen = (
                soort,
                self.count(mb, "aantal", f"{path}.max_besprekingen", req=True),
            )
        duur = self.get(m, "plan_duur_weken", Mapping, path, req=False)
        plan_duur = None
        if duur is not None:
            lo = self.count(duur, "min", f"{path}.plan_duur_weken", req=True)
            hi = self.count(duur, "max", f"{path}.plan_duur_weken", req=True)
            if lo > hi:
                raise self.fail("plan_duur_weken: min is groter dan max", duur, "min", path)
            plan_duur = (lo, hi)
        return Niveau(
            niveau=self.get(m, "niveau", int, path, req=True),
            naam=self.get(m, "naam", str, path, req=True),
            wie=self.strings(m, "wie", path),
            bron=self.get(m, "bron", str, path, req=False) or "",
            max_perioden=self.count(m, "max_perioden", path),
            max_perioden_per_hulpvraag=self.count(m, "max_perioden_per_hulpvraag", path),
            max_besprekingen=max_besprekingen,
            plan_duur_weken=plan_duur,
            evaluatie_binnen_weken=self.count(m, "evaluatie_binnen_weken", path),
            min_weken_ondersteuning=self.count(m, "min_weken_ondersteuning", path),
            **eisen,
        )

    def count(self, node: Any, key: str, path: str, *, req: bool = False) -> Any:
        value = self.get(node, key, int, path, req=req)
        if value is not None and value < 0:
            raise self.fail(f"{path}.{key} mag niet negatief zijn", node, key, path)
        return value

    def eis(self, kind: str, node: Any, path: str, parent: Any) -> Eis:
        m = self.mapping(node, path, self.EIS_KEYS, parent, kind)
        allowed = {
            "toestemming": TOESTEMMING_VOOR,
            "bespreking": BESPREKING_SOORTEN,
            "gesprek": GESPREK_SOORTEN,
            "plan": PLAN_SOORTEN,
            "aanvraag": AANVRAAG_SOORTEN,
            "groeidocument": GROEIDOCUMENT_DELEN,
            "ouders_geinformeerd": frozenset(),
        }[kind]
        return Eis(
            soorten=self.strings(m, "soort", path, allowed),
            binnen_weken=self.count(m, "binnen_weken", path) or 0,
            aanwezig=self.strings(m, "aanwezig", path),
            schriftelijk=bool(self.get(m, "schriftelijk", bool, path, req=False)),
        )

    def overgang(self, node: Any, path: str, parent: Any, index: int, known: set[int]) -> Overgang:
        m = self.mapping(
            node, path, frozenset({"van", "naar", "voorwaarde", "bron"}), parent, index
        )
        van = self.get(m, "van", int, path, req=True)
        naar_node = self.get(m, "naar", (int, list), path, req=True)
        naar = [naar_node] if isinstance(naar_node, int) else list(naar_node)
        for n in [van, *naar]:
            if not isinstance(n, int) or isinstance(n, bool):
                raise self.fail(f"{path}: niveaus moeten gehele getallen zijn", m, "naar", path)
            if n not in known:
                raise self.fail(
                    f"{path} noemt niveau {n}, maar de route heeft alleen niveaus "
                    f"{', '.join(map(str, sorted(known)))}",
                    m,
                    "van" if n == van else "naar",
                    path,
                )
        voorwaarde = self.get(m, "voorwaarde", str, path, req=False)
        if voorwaarde is not None and voorwaarde not in VOORWAARDEN:
            raise self.fail(
                f"onbekende voorwaarde '{voorwaarde}' "
                f"(toegestaan: {', '.join(sorted(VOORWAARDEN))})",
                m,
                "voorwaarde",
                path,
            )
        return Overgang(
            van=van,
            naar=tuple(naar),
            voorwaarde=voorwaarde,
            bron=self.get(m, "bron", str, path, req=False) or "",
        )

    def bespreking(self, node: Any, path: str, parent: Any, key: str) -> BesprekingRegel:
        m = self.mapping(
            node,
            path,
            frozenset(
                {
                    "aanwezig",
                    "ingebracht_door",
                    "toestemming",
                    "hulpvraag",
                    "evaluatie_binnen_weken",
                    "bron",
                }
            ),
            parent,
            key,
        )
        return BesprekingRegel(
            aanwezig=self.strings(m, "aanwezig", path),
            ingebracht_door=self.strings(m, "ingebracht_door", path),
            toestemming=self.strings(m, "toestemming", path, TOESTEMMING_VOOR),
            hulpvraag=bool(self.get(m, "hulpvraag", bool, path, req=False)),
            evaluatie_binnen_weken=self.count(m, "evaluatie_binnen_weken", path),
            bron=self.get(m, "bron", str, path, req=False) or "",
        )


def _tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _type_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "tekst", int: "een geheel getal", bool: "true of false", list: "een lijst"}
    parts = [names.get(k, "een mapping") for k in _tuple(kind)]
    return " of ".join(parts)
