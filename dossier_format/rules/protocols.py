"""Protocol rules from a school's zorgplan (mostly 003 §5–§6; 000 and 002 §2.1).

A rule only reports when its route enables the protocol (see the catalogue).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from typing import Any

from dossier_format.rules.context import Ctx, schooljaar, weken

BIG_KWALIFICATIES = frozenset(
    {
        "gz_psycholoog",
        "klinisch_psycholoog",
        "kinder_en_jeugdpsycholoog",
        "orthopedagoog_generalist",
    }
)
"""Qualifications at (at least) the level of the BIG registration GZ-psycholoog (003 §6)."""

GESPREKSFORMULIER_THEMAS = frozenset(
    {"doublure", "kleuterverlenging", "versnelling", "bijzondere_aanpak"}
)
LEES_SPEL = ("dmt", "avi", "spel", "lees", "svs", "3-minuten", "drie minuten")
"""Words that mark a reading or spelling test by name."""

FASE_NIVEAUS = {"groen": (0, 1), "geel": (1, 2), "oranje": (3, 3), "rood": (4, 4)}
"""Dyscalculia phase -> allowed zorgniveaus (003 §6 Dyscalculie; 'zorgniveau 0' = niveau 1)."""


def check(ctx: Ctx) -> None:
    """Run the protocol rules enabled by the route on ``ctx``."""
    state: dict[str, Mapping[str, Any]] = {}
    for name, value in (ctx.section("protocollen") or {}).items():
        if isinstance(value, Mapping):
            state[str(name)] = value
        else:
            ctx.shape(f"protocollen.{name}", f"'protocollen.{name}' moet een mapping zijn.")
    if ctx.enabled("ib_met_leerkracht"):
        _ib_met_leerkracht(ctx)
    if ctx.enabled("leerlingbespreking"):
        _leerlingbespreking(ctx, state)
    if ctx.enabled("oudergespreksformulier"):
        _gespreksformulier(ctx)
    if ctx.enabled("toetssignalering"):
        _toetssignalering(ctx)
    if ctx.enabled("opp") or ctx.enabled("opp_criteria"):
        _opp(ctx, state)
    if ctx.enabled("doublure") and "doublure" in state:
        _doublure(ctx, state["doublure"])
    if ctx.enabled("herfstkinderen") and "herfstkind" in state:
        _herfstkind(ctx, state["herfstkind"])
    if ctx.enabled("meerbegaafdheid") and "meerbegaafdheid" in state:
        _meerbegaafdheid(ctx, state["meerbegaafdheid"])
    if ctx.enabled("dyslexie"):
        _dyslexie(ctx, state.get("dyslexie"))
    if ctx.enabled("dyscalculie"):
        _dyscalculie(ctx, state.get("dyscalculie"))


# -- 000, 003 §5 --------------------------------------------------------------------------
def _ib_met_leerkracht(ctx: Ctx) -> None:
    for path, g in ctx.entries("gesprekken"):
        if ctx.text(g, "soort", path) != "oudergesprek":
            continue
        rollen = ctx.rollen(ctx.texts(g, "aanwezig", path))
        if "intern_begeleider" in rollen and not ctx.rol_aanwezig(rollen, "leerkracht"):
            ctx.add(
                "ouders.ib_zonder_leerkracht",
                "De intern begeleider gaat niet met ouders in gesprek zonder de leerkracht.",
                f"{path}.aanwezig",
            )


def _leerlingbespreking(ctx: Ctx, state: Mapping[str, Any]) -> None:
    besprekingen = []
    for path, b in ctx.entries("besprekingen"):
        if ctx.text(b, "soort", path) != "leerlingbespreking":
            continue
        datum = ctx.date(b, "datum", path)
        if datum is None:
            continue
        besprekingen.append(datum)
        verstuurd = ctx.date(b, "formulier_verstuurd", path)
        if verstuurd is None or datum - verstuurd < dt.timedelta(days=2):
            ctx.add(
                "leerlingbespreking.formulier",
                "Het besprekingsformulier gaat uiterlijk twee dagen vóór de leerlingbespreking "
                "naar de deelnemers.",
                f"{path}.formulier_verstuurd",
            )
    kandidaten = [
        ("doublure", "doublure", state.get("doublure")),
        ("herfstkind", "kleuterverlenging", state.get("herfstkind")),
    ]
    for name, wat, protocol in kandidaten:
        if not isinstance(protocol, Mapping):
            continue
        path = f"protocollen.{name}"
        besluit = ctx.date(protocol, "besluit_datum", path) or ctx.today
        if not any(d <= besluit for d in besprekingen):
            ctx.add(
                "leerlingbespreking.doublure",
                f"Een kandidaat voor {wat} wordt altijd in de leerlingbespreking ingebracht "
                "vóór het besluit.",
                path,
            )


def _gespreksformulier(ctx: Ctx) -> None:
    for path, g in ctx.entries("gesprekken"):
        if ctx.text(g, "soort", path) != "oudergesprek":
            continue
        ouders = ctx.date(g, "ondertekend_ouders", path)
        school = ctx.date(g, "ondertekend_school", path)
        if ctx.text(g, "thema", path) in GESPREKSFORMULIER_THEMAS and (
            ouders is None or school is None
        ):
            ctx.add(
                "gesprek.ondertekend",
                "Het oudergespreksformulier over dit onderwerp wordt door ouders en school "
                "ondertekend.",
                path,
            )
        if ctx.flag(g, "ouders_akkoord", path) is False and ouders is None:
            ctx.add(
                "gesprek.oneens_ondertekend",
                "School en ouders verschillen van zienswijze: leg dat vast in het "
                "oudergespreksformulier en laat de ouders tekenen.",
                f"{path}.ondertekend_ouders",
            )


# -- 002 §2.1 -----------------------------------------------------------------------------
def _toetsreeksen(ctx: Ctx, soort: str) -> dict[str, list[tuple[dt.date, str, Mapping[str, Any]]]]:
    """Tests of one kind (``lvs`` includes tests without a kind) grouped by name, by date."""
    reeksen: dict[str, list[tuple[dt.date, str, Mapping[str, Any]]]] = {}
    for path, t in ctx.entries("toetsen"):
        naam = ctx.text(t, "toets", path)
        datum = ctx.date(t, "datum", path)
        if naam is None or datum is None:
            continue
        if (ctx.text(t, "soort", path) or "lvs") == soort:
            reeksen.setdefault(naam.lower(), []).append((datum, path, t))
    for reeks in reeksen.values():
        reeks.sort(key=lambda item: item[0])
    return reeksen


def _niveau_letter(ctx: Ctx, t: Mapping[str, Any], path: str) -> str:
    return (ctx.text(t, "niveau", path) or "").rstrip("+-").upper()


def _toetssignalering(ctx: Ctx) -> None:
    for reeks in _toetsreeksen(ctx, "methode").values():
        for (_, pa, a), (datum, path, b) in itertools.pairwise(reeks):
            if ctx.flag(a, "voldoende", pa) is False and ctx.flag(b, "voldoende", path) is False:
                termijn = datum + weken(4)
                if ctx.today > termijn and not ctx.ib_contact(datum, termijn):
                    ctx.add(
                        "toets.methode_onvoldoende",
                        "Twee keer achter elkaar onvoldoende op deze methodetoets: bespreek dit "
                        "binnen vier weken met de intern begeleider.",
                        path,
                    )
    for reeks in _toetsreeksen(ctx, "lvs").values():
        for (_, pa, a), (datum, path, b) in itertools.pairwise(reeks):
            geen_groei = _niveau_letter(ctx, a, pa) == "V" == _niveau_letter(ctx, b, path)
            if geen_groei and not any(
                ctx.text(p, "soort", pp) in {"handelingsplan", "ihp"}
                and (s := ctx.date(p, "start", pp)) is not None
                and s >= datum - weken(8)
                for pp, p in ctx.entries("plannen")
            ):
                ctx.add(
                    "toets.v_score",
                    "Opnieuw een V-score zonder groei: stel een handelingsplan op.",
                    path,
                )


# -- OPP (003 §6 OPP, 002 §2.1) -----------------------------------------------------------
def _drie_keer_e(ctx: Ctx, tot: dt.date) -> bool:
    for reeks in _toetsreeksen(ctx, "lvs").values():
        run = 0
        for datum, path, t in reeks:
            if datum > tot:
                break
            run = run + 1 if _niveau_letter(ctx, t, path) in {"E", "V"} else 0
            if run >= 3:
                return True
    return False


def _opp(ctx: Ctx, state: Mapping[str, Any]) -> None:
    opp = ctx.section("opp")
    if opp is None:
        if _drie_keer_e(ctx, ctx.today):
            ctx.add(
                "opp.kandidaat",
                "Drie keer achter elkaar een E-score op dezelfde toets: dat is een criterium "
                "voor een ontwikkelingsperspectief (OPP).",
                "toetsen",
            )
        return
    opgesteld = ctx.date(opp, "opgesteld", "opp")
    if opgesteld is None:
        return
    besproken = ctx.date(opp, "besproken_in_zorgteam", "opp")
    teams = {"zorgteam", "bot", "sot", "ondersteuningsteam"}
    in_team = any(
        ctx.text(b, "soort", path) in teams
        and (d := ctx.date(b, "datum", path)) is not None
        and d <= opgesteld
        for path, b in ctx.entries("besprekingen")
    )
    if not in_team and (besproken is None or besproken > opgesteld):
        ctx.add(
            "opp.teambespreking",
            "Een leerling wordt eerst in het zorgteam besproken voordat er een eigen leerlijn "
            "(OPP) komt.",
            "opp.besproken_in_zorgteam",
        )
    if not ctx.text(opp, "uitstroomperspectief", "opp"):
        ctx.add(
            "opp.uitstroomperspectief",
            "Het OPP beschrijft het verwachte uitstroomperspectief.",
            "opp.uitstroomperspectief",
        )
    if not ctx.list_of_maps(opp, "tussendoelen", "opp.tussendoelen"):
        ctx.add("opp.tussendoelen", "Het OPP heeft tussendoelen.", "opp.tussendoelen")
    if (
        ctx.date(opp, "ouders_instemming", "opp") is None
        and ctx.date(opp, "ondertekend_ouders", "opp") is None
    ):
        ctx.add(
            "opp.ouders",
            "Een eigen leerlijn is een overeenkomst met de ouders: leg hun instemming vast.",
            "opp.ouders_instemming",
        )
    if "intern_begeleider" not in ctx.betrokken_rollen():
        ctx.add(
            "opp.ib",
            "Een OPP wordt altijd met de intern begeleider opgesteld; die staat niet bij de "
            "betrokkenen.",
            "betrokkenen",
        )
    groep = ctx.groep_op(opgesteld)
    doublure = state.get("doublure")
    gedoubleerd = isinstance(doublure, Mapping) and doublure.get("besluit") == "doubleren"
    if (
        groep is not None
        and not gedoubleerd
        and (groep < 6 or (groep == 6 and opgesteld.month >= 8))
    ):
        ctx.add(
            "opp.vanaf_groep6",
            f"Het OPP is opgesteld in groep {groep}; bij voorkeur pas vanaf halverwege groep 6.",
            "opp.opgesteld",
        )
    laatste = max(
        [opgesteld]
        + [
            d
            for path, e in ctx.list_of_maps(opp, "evaluaties", "opp.evaluaties")
            if (d := ctx.date(e, "datum", path)) is not None
            and ctx.flag(e, "ouders_aanwezig", path) is not False
        ]
    )
    if ctx.today - laatste > weken(26):
        ctx.add(
            "opp.evaluatie",
            f"Het OPP is sinds {laatste} niet met de ouders geëvalueerd; dat gebeurt twee keer "
            "per jaar.",
            "opp.evaluaties",
        )
    criteria = ctx.texts(opp, "criteria", "opp")
    if not criteria:
        ctx.add("opp.criterium", "Het OPP noemt geen criterium.", "opp.criteria")
    if "drie_keer_e" in criteria and not _drie_keer_e(ctx, opgesteld):
        ctx.add(
            "opp.drie_keer_e",
            "Criterium 'drie keer E' staat niet in de toetsen: er zijn geen drie E-scores op "
            "rij op dezelfde toets.",
            "opp.criteria",
        )


# -- 003 §6 Doublure ----------------------------------------------------------------------
def _doublure(ctx: Ctx, d: Mapping[str, Any]) -> None:
    path = "protocollen.doublure"
    besluit = ctx.text(d, "besluit", path)
    if besluit == "overgaan_op_verzoek_ouders":
        ids = set(ctx.texts(d, "gesprekken", path))
        gesprekken = {
            ctx.text(g, "id", gp): (gp, g)
            for gp, g in ctx.entries("gesprekken")
            if ctx.text(g, "soort", gp) == "oudergesprek"
        }
        gevoerd = [gesprekken[i] for i in ids if i in gesprekken]
        if len(gevoerd) < 2:
            ctx.add(
                "doublure.tweede_gesprek",
                "Als ouders het niet eens zijn met het doublure-advies volgt een tweede "
                "gesprek; er zijn minder dan twee gesprekken vastgelegd.",
                f"{path}.gesprekken",
            )
        formulier = gesprekken.get(ctx.text(d, "formulier", path) or "")
        getekend = formulier is not None and all(
            ctx.date(formulier[1], k, formulier[0])
            for k in ("ondertekend_ouders", "ondertekend_school")
        )
        if not getekend or not ctx.text(d, "motivatie", path):
            ctx.add(
                "doublure.formulier",
                "Overgaan op uitdrukkelijk verzoek van de ouders: leg de motivatie vast in een "
                "oudergespreksformulier dat ouders en school ondertekenen.",
                f"{path}.formulier",
            )
    niveau = ctx.huidig_niveau()
    if (
        ctx.text(d, "type_leerling", path) == "A"
        and ctx.text(d, "status", path) in {"signalering", "lopend"}
        and (niveau is None or niveau < 3)
    ):
        ctx.add(
            "doublure.a_leerling",
            "Een A-leerling (mogelijke doublure, grote zorg) staat op zorgniveau 3 of hoger.",
            "niveaus",
        )
    datum = ctx.date(d, "besluit_datum", path)
    if datum is not None and datum.month not in (5, 6):
        ctx.add(
            "doublure.besluit_mei",
            f"Het definitieve besluit over doublure valt in mei/juni, niet op {datum}.",
            f"{path}.besluit_datum",
        )


# -- 003 §6 Herfstkinderen ----------------------------------------------------------------
def _herfstkind(ctx: Ctx, h: Mapping[str, Any]) -> None:
    path = "protocollen.herfstkind"
    besluit = ctx.text(h, "besluit", path)
    if besluit is None:
        return
    gebieden = set(ctx.texts(h, "gebieden", path))
    missing = sorted({"emotioneel", "sociaal", "motorisch", "cognitief"} - gebieden)
    if missing:
        ctx.add(
            "herfst.gebieden",
            f"Het besluit rust op gegevens over vier gebieden; ontbreekt: {', '.join(missing)}.",
            f"{path}.gebieden",
        )
    if besluit == "kleuterverlenging":
        plan = ctx.plan_ids().get(ctx.text(h, "begeleidingsplan", path) or "")
        if plan is None or not ctx.texts(plan[1], "doelen", plan[0]):
            ctx.add(
                "herfst.begeleidingsplan",
                "Kleuterverlenging is altijd gekoppeld aan een begeleidingsplan met duidelijke "
                "doelen.",
                f"{path}.begeleidingsplan",
            )
    besluit_datum = ctx.date(h, "besluit_datum", path) or ctx.today
    informed = ctx.date(h, "ouders_geinformeerd", path)
    if informed is None or informed > besluit_datum:
        ctx.add(
            "herfst.ouders",
            "De ouders worden (omstreeks maart) vóór het besluit geïnformeerd.",
            f"{path}.ouders_geinformeerd",
        )
    oneens = any(
        ctx.text(g, "thema", gp) == "kleuterverlenging"
        and ctx.flag(g, "ouders_akkoord", gp) is False
        for gp, g in ctx.entries("gesprekken")
    )
    if oneens and ctx.text(h, "besloten_door", path) != "directie":
        ctx.add(
            "herfst.directie",
            "School en ouders zijn het niet eens: de directeur neemt het definitieve besluit.",
            f"{path}.besloten_door",
        )


# -- 003 §6 Meerbegaafdheid ---------------------------------------------------------------
def _meerbegaafdheid(ctx: Ctx, m: Mapping[str, Any]) -> None:
    path = "protocollen.meerbegaafdheid"
    for sp, s in ctx.list_of_maps(m, "signaleringen", f"{path}.signaleringen"):
        if (
            ctx.flag(s, "ib_betrokken", sp) is not True
            or ctx.date(s, "ouders_geinformeerd", sp) is None
        ):
            ctx.add(
                "pmb.signalering",
                "Na elke signalering (ook bij NEE) wordt de IB-er ingeschakeld en worden de "
                "ouders geïnformeerd.",
                sp,
            )
    perioden = ctx.list_of_maps(m, "plusklas", f"{path}.plusklas")
    if len(perioden) > 2:
        ctx.add(
            "pmb.plusklas_max",
            "Een leerling volgt de Plusklas maximaal twee periodes van 12 weken, tenzij anders "
            "besloten.",
            perioden[2][0],
        )
    for pp, p in perioden:
        start = ctx.date(p, "start", pp)
        eind = ctx.date(p, "eind", pp)
        if start is None:
            continue
        if eind is not None and eind - start > weken(12):
            ctx.add("pmb.plusklas_weken", "Een Plusklas-periode duurt maximaal 12 weken.", pp)
        niveau = ctx.niveau_op(start)
        if niveau is None or niveau < 3:
            ctx.add(
                "pmb.plusklas_niveau",
                "Een leerling in de Plusklas valt onder zorgniveau 3.",
                pp,
            )
    versneld = ctx.map(m, "versneld", path)
    if versneld is not None:
        van = ctx.integer(versneld, "van_groep", f"{path}.versneld")
        naar = ctx.integer(versneld, "naar_groep", f"{path}.versneld")
        if van is not None and (van >= 7 or (naar is not None and naar > 8)):
            ctx.add(
                "pmb.versnellen_groep8",
                "Versnellen gebeurt in principe niet over groep 8 heen.",
                f"{path}.versneld",
            )
    cv = ctx.map(m, "compact_verrijken", path)
    if cv is None:
        return
    cp = f"{path}.compact_verrijken"
    stop = ctx.date(cv, "stop", cp)
    if stop is not None:
        rollen = ctx.rollen(ctx.texts(cv, "stop_besloten_door", cp))
        if not (ctx.rol_aanwezig(rollen, "leerkracht") and "intern_begeleider" in rollen):
            ctx.add(
                "pmb.stoppen",
                "Stoppen met compacten en verrijken besluiten leerkracht en intern begeleider "
                "samen.",
                f"{cp}.stop_besloten_door",
            )
    if ctx.date(cv, "ouders_geinformeerd_start", cp) is None or (
        stop is not None and ctx.date(cv, "ouders_geinformeerd_stop", cp) is None
    ):
        ctx.add(
            "pmb.ouders",
            "De leerkracht licht de ouders in bij de start en bij het stoppen van compacten "
            "en verrijken.",
            cp,
        )


# -- 003 §6 Dyslexie ----------------------------------------------------------------------
def _verklaringen(ctx: Ctx, soort: str) -> list[tuple[str, Mapping[str, Any], dt.date]]:
    return [
        (path, v, d)
        for path, v in ctx.entries("verklaringen")
        if ctx.text(v, "soort", path) == soort and (d := ctx.date(v, "datum", path)) is not None
    ]


def _dyslexie(ctx: Ctx, d: Mapping[str, Any] | None) -> None:
    verklaringen = _verklaringen(ctx, "dyslexie")
    for path, v, _ in verklaringen:
        door = ctx.map(v, "afgegeven_door", path) or {}
        if ctx.text(door, "kwalificatie", f"{path}.afgegeven_door") not in BIG_KWALIFICATIES:
            ctx.add(
                "dyslexie.verklaring_bevoegd",
                "Een dyslexieverklaring mag alleen worden afgegeven door een GZ-psycholoog of "
                "een gelijkwaardig BIG-geregistreerde orthopedagoog/psycholoog.",
                f"{path}.afgegeven_door",
            )
        voor = set(ctx.texts(v, "voor", path))
        if not voor or not voor <= {"lezen", "spellen"}:
            ctx.add(
                "dyslexie.verklaring_voor",
                "Een dyslexieverklaring wordt afgegeven voor lezen en/of spellen.",
                f"{path}.voor",
            )
    lees_spel = [
        (datum, path, t)
        for path, t in ctx.entries("toetsen")
        if any(w in (ctx.text(t, "toets", path) or "").lower() for w in LEES_SPEL)
        and (datum := ctx.date(t, "datum", path)) is not None
    ]
    for datum, path, t in lees_spel:
        if _niveau_letter(ctx, t, path) in {"D", "E", "IV", "V"}:
            termijn = datum + weken(8)
            if ctx.today > termijn and not ctx.ib_contact(datum, termijn):
                ctx.add(
                    "dyslexie.de_score_ib",
                    "Een D- of E-score op lezen of spelling wordt binnen acht weken met de IB-er "
                    "besproken.",
                    path,
                )
    path = "protocollen.dyslexie"
    if d is None:
        d = {}
    vermoeden = ctx.date(d, "vermoeden", path)
    if vermoeden is not None:
        e_score = any(
            datum <= vermoeden and _niveau_letter(ctx, t, p) in {"E", "V"}
            for datum, p, t in lees_spel
        )
        hulp = ctx.date(d, "intensieve_hulp_vanaf", path)
        if not e_score or hulp is None or vermoeden - hulp < weken(26):
            ctx.add(
                "dyslexie.vermoeden",
                "Van mogelijke dyslexie spreken we pas na E-scores op lezen/spelling én een half "
                "jaar intensieve hulp (minstens 3× per week 20 minuten) zonder effect.",
                f"{path}.vermoeden",
            )
        if ctx.date(d, "besproken_met_ouders", path) is None:
            ctx.add(
                "dyslexie.ouders",
                "Het vermoeden van dyslexie wordt met de ouders besproken.",
                f"{path}.besproken_met_ouders",
            )
    gestart = ctx.date(d, "gestart", path)
    if gestart is not None and ctx.text(d, "status", path) == "lopend":
        vorig = schooljaar(ctx.today) - 1
        evaluaties = ctx.list_of_dates(d, "dossier_evaluaties", path)
        if schooljaar(gestart) <= vorig and not any(schooljaar(e) == vorig for e in evaluaties):
            ctx.add(
                "dyslexie.dossier_jaarlijks",
                f"Het dyslexiedossier is niet geëvalueerd aan het eind van schooljaar "
                f"{vorig}-{vorig + 1}.",
                f"{path}.dossier_evaluaties",
            )
    groep = ctx.groep()
    if (verklaringen or vermoeden) and groep is not None and groep >= 8:
        einde_groep7 = dt.date(schooljaar(ctx.today) - (groep - 8), 8, 1)
        besproken = ctx.date(d, "besproken_po_vo", path)
        if besproken is None or besproken >= einde_groep7:
            ctx.add(
                "dyslexie.po_vo",
                "Lees- en spellingproblemen en de begeleiding worden uiterlijk eind groep 7 met "
                "de ouders besproken (keuze voortgezet onderwijs).",
                f"{path}.besproken_po_vo",
            )


# -- 003 §6 Dyscalculie -------------------------------------------------------------------
def _dyscalculie(ctx: Ctx, d: Mapping[str, Any] | None) -> None:
    path = "protocollen.dyscalculie"
    d = d or {}
    fase = ctx.text(d, "fase", path)
    for vp, _, datum in _verklaringen(ctx, "dyscalculie"):
        groep = ctx.groep_op(datum)
        if groep is not None and groep < 6:
            ctx.add(
                "dyscalculie.groep6",
                f"Een dyscalculieverklaring wordt pas vanaf groep 6 afgegeven (nu groep {groep}).",
                f"{vp}.datum",
            )
        iqs = sorted(
            (od, iq)
            for op, o in ctx.entries("onderzoeken")
            if (iq := ctx.integer(o, "totaal_iq", op)) is not None
            and (od := ctx.date(o, "datum", op)) is not None
            and od <= datum
        )
        if not iqs or iqs[-1][1] < 70:
            ctx.add(
                "dyscalculie.iq",
                "Dyscalculie vraagt een totaal IQ van minimaal 70, vastgelegd in een onderzoek.",
                vp,
            )
        vervuld = set()
        for i, item in enumerate(d.get("voorwaarden_vervuld") or []):
            if isinstance(item, int):
                vervuld.add(item)
            else:
                ctx.shape(f"{path}.voorwaarden_vervuld[{i}]", "Een voorwaarde is een nummer 1-9.")
        if not set(range(1, 10)) <= vervuld:
            ontbreekt = ", ".join(str(n) for n in sorted(set(range(1, 10)) - vervuld))
            ctx.add(
                "dyscalculie.voorwaarden",
                f"Vóór een dyscalculieverklaring moeten de negen voorwaarden op orde zijn; "
                f"ontbreekt: {ontbreekt}.",
                f"{path}.voorwaarden_vervuld",
            )
        if fase != "rood":
            ctx.add(
                "dyscalculie.fase_rood",
                "Een dyscalculieverklaring hoort bij fase rood (ERW-indicatie bij oranje).",
                f"{path}.fase",
            )
    niveau = ctx.huidig_niveau()
    if fase in FASE_NIVEAUS and niveau is not None:
        lo, hi = FASE_NIVEAUS[fase]
        if not lo <= niveau <= hi:
            ctx.add(
                "dyscalculie.fase_niveau",
                f"Fase {fase} hoort bij zorgniveau {lo if lo == hi else f'{lo}-{hi}'}, "
                f"de leerling staat op niveau {niveau}.",
                f"{path}.fase",
            )
