"""Route rules: niveaus, transitions, what must exist on a niveau, limits and meetings.

Every rule here is driven by the route file, so a school's own route checks its own zorgplan.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from typing import Any

from dossier_format.routes import Eis, Niveau
from dossier_format.rules.context import VOORAF, Ctx, Stay, weken


def check(ctx: Ctx) -> None:
    """Run all route rules on ``ctx``."""
    route_id = ctx.data.get("route")
    if route_id is not None and str(route_id) != ctx.route.id:
        ctx.add(
            "route.andere_route",
            f"Het dossier volgt route '{route_id}', maar wordt gecontroleerd met route "
            f"'{ctx.route.id}'.",
            "route",
        )
    _overgangen(ctx)
    for stay in ctx.stays:
        niveau = ctx.route.niveau(stay.niveau)
        if niveau is None:
            continue
        _eisen(ctx, stay, niveau)
        _limieten(ctx, stay, niveau)
    _plannen_per_niveau(ctx)
    _betrokkenen(ctx)
    _besprekingen(ctx)


def _bron(ctx: Ctx, niveau: Niveau) -> str:
    return niveau.bron or ctx.route.bron


def _overgangen(ctx: Ctx) -> None:
    vorige = ctx.route.laagste
    for i, stay in enumerate(ctx.stays):
        if stay.niveau == vorige:
            continue
        overgang = ctx.route.overgang(vorige, stay.niveau)
        if overgang is None:
            ctx.add(
                "route.overgang",
                f"Van niveau {vorige} naar niveau {stay.niveau} is in route {ctx.route.id} "
                "geen toegestane overgang.",
                f"{stay.path}.niveau",
                ctx.route.bron,
            )
        elif overgang.voorwaarde == "met_diagnose" and not ctx.heeft_diagnose(stay.vanaf):
            ctx.add(
                "route.overgang",
                f"Direct van niveau {vorige} naar niveau {stay.niveau} mag alleen met een "
                "diagnose (verklaring of onderzoek met uitslag), en die staat niet in het "
                "dossier.",
                f"{stay.path}.niveau",
                overgang.bron or ctx.route.bron,
            )
        elif overgang.voorwaarde == "in_overleg_met_ib" and not ctx.ib_contact(
            stay.vanaf - VOORAF, stay.vanaf
        ):
            ctx.add(
                "route.overgang_overleg",
                f"Van niveau {vorige} naar niveau {stay.niveau} gaat in route {ctx.route.id} "
                "altijd in overleg met de intern begeleider, maar het dossier toont geen "
                "bespreking of gesprek met de intern begeleider in de 8 weken ervoor.",
                f"{stay.path}.niveau",
                overgang.bron or ctx.route.bron,
            )
        elif stay.niveau > vorige and overgang.voorwaarde is None and i > 0:
            _omhoog_na_evaluatie(ctx, ctx.stays[i - 1], stay)
        vorige = stay.niveau


def _omhoog_na_evaluatie(ctx: Ctx, vorige: Stay, stay: Stay) -> None:
    laatste: tuple[dt.date, str, Mapping[str, Any]] | None = None
    for path, plan in ctx.entries("plannen"):
        start = ctx.date(plan, "start", path)
        if (
            ctx.integer(plan, "niveau", path) == vorige.niveau
            and start
            and vorige.bevat(start)
            and (laatste is None or start >= laatste[0])
        ):
            laatste = (start, path, plan)
    if laatste is None:
        return
    _, path, plan = laatste
    evaluatie = ctx.map(plan, "evaluatie", path)
    datum = ctx.date(evaluatie, "datum", f"{path}.evaluatie") if evaluatie else None
    if datum is None or datum > stay.vanaf:
        niveau = ctx.route.niveau(vorige.niveau)
        ctx.add(
            "route.omhoog_zonder_evaluatie",
            f"De leerling gaat naar niveau {stay.niveau} voordat plan {plan.get('id', path)} "
            f"op niveau {vorige.niveau} is geëvalueerd.",
            stay.path,
            _bron(ctx, niveau) if niveau else None,
        )


def _due(ctx: Ctx, stay: Stay, eis: Eis) -> dt.date | None:
    """The deadline of ``eis`` for ``stay`` if it has passed while still on the niveau."""
    deadline = stay.vanaf + weken(eis.binnen_weken)
    if ctx.today < deadline or (stay.tot is not None and stay.tot <= deadline):
        return None
    return deadline


def _termijn(eis: Eis) -> str:
    return "bij de start" if eis.binnen_weken == 0 else f"binnen {eis.binnen_weken} weken"


def _eisen(ctx: Ctx, stay: Stay, niveau: Niveau) -> None:
    bron = _bron(ctx, niveau)
    naam = f"niveau {niveau.niveau} ({niveau.naam})"
    if niveau.toestemming and (deadline := _due(ctx, stay, niveau.toestemming)):
        eis = niveau.toestemming
        if not ctx.toestemming(eis.soorten, deadline, schriftelijk=eis.schriftelijk):
            soort = "schriftelijke " if eis.schriftelijk else ""
            ctx.add(
                "route.toestemming",
                f"Voor {naam} is {soort}toestemming van de ouders nodig "
                f"({' of '.join(eis.soorten)}), {_termijn(eis)}; die ontbreekt of is ingetrokken.",
                stay.path,
                bron,
            )
    for kind, key, rule, wat in (
        ("bespreking", "besprekingen", "route.bespreking", "een bespreking"),
        ("gesprek", "gesprekken", "route.gesprek", "een gesprek"),
    ):
        eis = getattr(niveau, kind)
        if eis is None or not (deadline := _due(ctx, stay, eis)):
            continue
        if not _meeting(ctx, key, eis, stay.vanaf - VOORAF, deadline):
            soorten = " of ".join(eis.soorten) or "willekeurig"
            mensen = f" met {', '.join(eis.aanwezig)} aanwezig" if eis.aanwezig else ""
            ctx.add(
                rule,
                f"Op {naam} hoort {wat} ({soorten}){mensen} {_termijn(eis)}; die ontbreekt.",
                stay.path,
                bron,
            )
    if (
        niveau.plan
        and (deadline := _due(ctx, stay, niveau.plan))
        and not _plan(ctx, niveau.plan, niveau.niveau, stay.vanaf - VOORAF, deadline)
    ):
        soorten = " of ".join(niveau.plan.soorten) or "plan"
        ctx.add(
            "route.plan",
            f"Op {naam} hoort een {soorten} op dit niveau {_termijn(niveau.plan)}; dat ontbreekt.",
            stay.path,
            bron,
        )
    if niveau.groeidocument and (deadline := _due(ctx, stay, niveau.groeidocument)):
        doc = ctx.section("groeidocument") or {}
        missing = [
            deel
            for deel in niveau.groeidocument.soorten
            if (d := ctx.date(doc, deel, "groeidocument")) is None or d > deadline
        ]
        if missing:
            ctx.add(
                "route.groeidocument",
                f"Voor {naam} moet het groeidocument ({', '.join(missing)}) ingevuld zijn.",
                "groeidocument",
                bron,
            )
    if (
        niveau.aanvraag
        and (deadline := _due(ctx, stay, niveau.aanvraag))
        and not _aanvraag(ctx, niveau.aanvraag, stay.vanaf - VOORAF, deadline)
    ):
        ctx.add(
            "route.aanvraag",
            f"Op {naam} hoort een aanvraag ({' of '.join(niveau.aanvraag.soorten)}) "
            f"{_termijn(niveau.aanvraag)}; die ontbreekt.",
            stay.path,
            bron,
        )
    if niveau.ouders_geinformeerd and (deadline := _due(ctx, stay, niveau.ouders_geinformeerd)):
        d = ctx.date(stay.entry, "ouders_geinformeerd", stay.path)
        if d is None or d > deadline:
            ctx.add(
                "route.ouders_geinformeerd",
                f"De ouders moeten over de stap naar {naam} geïnformeerd worden "
                f"{_termijn(niveau.ouders_geinformeerd)} (ouders_geinformeerd ontbreekt).",
                f"{stay.path}.ouders_geinformeerd",
                bron,
            )


def _meeting(ctx: Ctx, key: str, eis: Eis, van: dt.date, tot: dt.date) -> bool:
    for path, m in ctx.entries(key):
        datum = ctx.date(m, "datum", path)
        if datum is None or not van <= datum <= tot:
            continue
        if eis.soorten and ctx.text(m, "soort", path) not in eis.soorten:
            continue
        rollen = ctx.rollen(ctx.texts(m, "aanwezig", path))
        if all(ctx.rol_aanwezig(rollen, r) for r in eis.aanwezig):
            return True
    return False


def _plan(ctx: Ctx, eis: Eis, niveau: int, van: dt.date, tot: dt.date) -> bool:
    for path, p in ctx.entries("plannen"):
        start = ctx.date(p, "start", path)
        if start is None or not van <= start <= tot or ctx.integer(p, "niveau", path) != niveau:
            continue
        if not eis.soorten or ctx.text(p, "soort", path) in eis.soorten:
            return True
    return False


def _aanvraag(ctx: Ctx, eis: Eis, van: dt.date, tot: dt.date) -> bool:
    for path, a in ctx.entries("aanvragen"):
        datum = ctx.date(a, "datum", path)
        if datum is not None and van <= datum <= tot and ctx.text(a, "soort", path) in eis.soorten:
            return True
    return False


def _limieten(ctx: Ctx, stay: Stay, niveau: Niveau) -> None:
    bron = _bron(ctx, niveau)
    dated = []
    for path, p in ctx.entries("plannen"):
        start = ctx.date(p, "start", path)
        if ctx.integer(p, "niveau", path) == niveau.niveau and start and stay.bevat(start):
            dated.append((start, path, p))
    plannen = [(path, p) for _, path, p in sorted(dated, key=lambda item: (item[0], item[1]))]
    if niveau.max_perioden is not None and len(plannen) > niveau.max_perioden:
        ctx.add(
            "route.max_perioden",
            f"Op niveau {niveau.niveau} mogen maximaal {niveau.max_perioden} "
            f"handelingsperioden; dit is periode {len(plannen)}.",
            plannen[niveau.max_perioden][0],
            bron,
        )
    if niveau.max_perioden_per_hulpvraag is not None:
        seen: Counter[tuple[str, str]] = Counter()
        for path, p in plannen:
            vraag = (
                (ctx.text(p, "vakgebied", path) or "").lower(),
                (ctx.text(p, "hulpvraag", path) or "").lower(),
            )
            seen[vraag] += 1
            if seen[vraag] == niveau.max_perioden_per_hulpvraag + 1:
                ctx.add(
                    "route.max_perioden_hulpvraag",
                    f"Op niveau {niveau.niveau} mag per hulpvraag maximaal "
                    f"{niveau.max_perioden_per_hulpvraag} handelingsperiode(n); deze hulpvraag "
                    "heeft er meer.",
                    path,
                    bron,
                )
    if niveau.max_besprekingen is not None:
        soort, aantal = niveau.max_besprekingen
        besprekingen = sorted(
            (d, path)
            for path, b in ctx.entries("besprekingen")
            if ctx.text(b, "soort", path) == soort
            and (d := ctx.date(b, "datum", path)) is not None
            and stay.bevat(d)
        )
        if len(besprekingen) > aantal:
            ctx.add(
                "route.max_besprekingen",
                f"Op niveau {niveau.niveau} horen maximaal {aantal} besprekingen van soort "
                f"{soort}; daarna stoppen of een niveau hoger.",
                besprekingen[aantal][1],
                bron,
            )
    if niveau.min_weken_ondersteuning is not None:
        i = ctx.stays.index(stay)
        j = i
        while j > 0 and ctx.stays[j - 1].niveau > ctx.route.laagste:
            j -= 1
        begin = ctx.stays[j].vanaf if j < i else stay.vanaf
        if stay.vanaf - begin < weken(niveau.min_weken_ondersteuning):
            ctx.add(
                "route.min_ondersteuning",
                f"Niveau {niveau.niveau} komt pas na {niveau.min_weken_ondersteuning} weken "
                f"extra ondersteuning; dat was {(stay.vanaf - begin).days // 7} weken.",
                stay.path,
                bron,
            )


def _plannen_per_niveau(ctx: Ctx) -> None:
    for path, p in ctx.entries("plannen"):
        nummer = ctx.integer(p, "niveau", path)
        niveau = ctx.route.niveau(nummer) if nummer is not None else None
        start = ctx.date(p, "start", path)
        if niveau is None or start is None:
            continue
        evaluatie = ctx.map(p, "evaluatie", path)
        gepland = ctx.date(p, "evaluatie_gepland", path)
        termijn = niveau.evaluatie_binnen_weken
        if termijn is not None and gepland is not None and gepland - start > weken(termijn):
            ctx.add(
                "route.evaluatie_termijn",
                f"Op niveau {nummer} wordt binnen {niveau.evaluatie_binnen_weken} weken "
                "geëvalueerd; deze evaluatie is later gepland.",
                f"{path}.evaluatie_gepland",
                _bron(ctx, niveau),
            )
        if niveau.plan_duur_weken is not None:
            eind = ctx.date(evaluatie, "datum", f"{path}.evaluatie") if evaluatie else None
            eind = eind or gepland
            if eind is None:
                continue
            lo, hi = niveau.plan_duur_weken
            if not weken(lo) <= eind - start <= weken(hi):
                ctx.add(
                    "route.plan_duur",
                    f"Op niveau {nummer} loopt een periode {lo} tot {hi} weken; deze loopt "
                    f"{(eind - start).days // 7} weken.",
                    path,
                    _bron(ctx, niveau),
                )


def _betrokkenen(ctx: Ctx) -> None:
    nummer = ctx.huidig_niveau()
    niveau = ctx.route.niveau(nummer) if nummer is not None else None
    if niveau is None:
        return
    rollen = ctx.betrokken_rollen()
    for rol in niveau.wie:
        if not ctx.rol_aanwezig(rollen, rol):
            ctx.add(
                "route.betrokkenen",
                f"Op niveau {nummer} is een {rol.replace('_', ' ')} betrokken, maar die staat "
                "niet bij de betrokkenen.",
                "betrokkenen",
                _bron(ctx, niveau),
            )


def _besprekingen(ctx: Ctx) -> None:
    for path, b in ctx.entries("besprekingen"):
        soort = ctx.text(b, "soort", path)
        datum = ctx.date(b, "datum", path)
        gepland = ctx.date(b, "evaluatie_gepland", path)
        evaluatie = ctx.map(b, "evaluatie", path)
        if gepland is not None and gepland < ctx.today and evaluatie is None:
            ctx.add(
                "bespreking.evaluatie_achterstallig",
                f"De evaluatie van deze bespreking stond gepland op {gepland}; er is nog geen "
                "evaluatie vastgelegd.",
                f"{path}.evaluatie_gepland",
            )
        regel = ctx.route.besprekingen.get(soort or "")
        if regel is None or datum is None:
            continue
        bron = regel.bron or ctx.route.bron
        rollen = ctx.rollen(ctx.texts(b, "aanwezig", path))
        missing = [r for r in regel.aanwezig if not ctx.rol_aanwezig(rollen, r)]
        if missing:
            ctx.add(
                "bespreking.aanwezig",
                f"Bij een {soort} horen aanwezig: {', '.join(missing)}.",
                f"{path}.aanwezig",
                bron,
            )
        door = ctx.rollen(ctx.texts(b, "ingebracht_door", path))
        if regel.ingebracht_door and not any(
            ctx.rol_aanwezig(door, r) for r in regel.ingebracht_door
        ):
            ctx.add(
                "bespreking.ingebracht_door",
                f"Bij een {soort} brengt de {' of '.join(regel.ingebracht_door)} de leerling in "
                "(ingebracht_door).",
                f"{path}.ingebracht_door",
                bron,
            )
        if regel.toestemming and not ctx.toestemming(regel.toestemming, datum):
            ctx.add(
                "bespreking.toestemming",
                f"Voor een {soort} is schriftelijke toestemming van de ouders nodig "
                f"({' of '.join(regel.toestemming)}) vóór {datum}; die ontbreekt.",
                path,
                bron,
            )
        if regel.hulpvraag and not ctx.text(b, "hulpvraag", path):
            ctx.add(
                "bespreking.hulpvraag",
                f"Een {soort} eindigt met een hulpvraag; die ontbreekt.",
                f"{path}.hulpvraag",
                bron,
            )
        termijn = regel.evaluatie_binnen_weken
        if (
            termijn is not None
            and evaluatie is None
            and (gepland is None or gepland - datum > weken(termijn))
        ):
            ctx.add(
                "bespreking.evaluatie_termijn",
                f"Na een {soort} wordt binnen {termijn} weken geëvalueerd; plan de evaluatie "
                "(evaluatie_gepland) binnen die termijn.",
                f"{path}.evaluatie_gepland",
                bron,
            )
