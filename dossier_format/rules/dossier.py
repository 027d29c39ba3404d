"""Rules for every dossier: plans, consent for research, the OKR, retention and rights
(003 §4, 002 §4.1)."""

from __future__ import annotations

import datetime as dt

from dossier_format.rules.context import Ctx


def _years_later(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def check(ctx: Ctx) -> None:
    """Run the general dossier rules on ``ctx``."""
    _plannen(ctx)
    _onderzoeken(ctx)
    _okr(ctx)
    for path, c in ctx.entries("correcties"):
        if ctx.text(c, "besluit", path) == "open":
            ctx.add(
                "correctie.open",
                "Correctieverzoek van de ouders "
                f"({ctx.text(c, 'wat', path) or 'zonder omschrijving'}) is nog niet afgehandeld.",
                path,
            )


def _plannen(ctx: Ctx) -> None:
    for path, p in ctx.entries("plannen"):
        if not ctx.texts(p, "doelen", path):
            ctx.add("plan.doelen", "Een plan heeft minstens één doel.", f"{path}.doelen")
        gepland = ctx.date(p, "evaluatie_gepland", path)
        if ctx.map(p, "evaluatie", path) is not None:
            continue
        if gepland is None:
            ctx.add(
                "plan.evaluatie_gepland",
                "Dit plan is nog niet geëvalueerd en heeft geen geplande evaluatiedatum.",
                f"{path}.evaluatie_gepland",
            )
        elif gepland < ctx.today:
            ctx.add(
                "plan.evaluatie_achterstallig",
                f"De evaluatie van dit plan stond gepland op {gepland} en is nog niet vastgelegd.",
                f"{path}.evaluatie",
            )


def _onderzoeken(ctx: Ctx) -> None:
    bots = sorted(
        d
        for path, b in ctx.entries("besprekingen")
        if ctx.text(b, "soort", path) == "bot" and (d := ctx.date(b, "datum", path)) is not None
    )
    for path, o in ctx.entries("onderzoeken"):
        datum = ctx.date(o, "datum", path)
        if datum is None:
            continue
        if ctx.flag(o, "extern", path) and not ctx.toestemming(
            ["onderzoek"], datum, schriftelijk=False
        ):
            ctx.add(
                "toestemming.onderzoek",
                "Onderzoek door een externe partij vraagt eerst toestemming van de ouders "
                "(toestemming voor: onderzoek); die ontbreekt.",
                path,
            )
        volgende_bot = next((d for d in bots if d >= datum), None)
        besproken = ctx.date(o, "besproken_met_ouders", path)
        if volgende_bot is not None and (besproken is None or besproken > volgende_bot):
            ctx.add(
                "onderzoek.ouders_eerst",
                f"De uitslag van dit onderzoek wordt eerst met de ouders besproken, vóór het BOT "
                f"van {volgende_bot}.",
                f"{path}.besproken_met_ouders",
            )


def _okr(ctx: Ctx) -> None:
    inschrijving = ctx.section("inschrijving") or {}
    uit = ctx.date(inschrijving, "uitgeschreven", "inschrijving")
    toegelaten = ctx.date(inschrijving, "toegelaten_vervolgschool", "inschrijving")
    okr = ctx.section("okr")
    vertrokken = uit is not None and uit <= ctx.today
    if vertrokken and okr is None:
        ctx.add(
            "okr.ontbreekt",
            "De leerling is uitgeschreven; bij elk vertrek hoort een onderwijskundig rapport.",
            "okr",
        )
    if uit is not None and _years_later(uit, 5) < ctx.today:
        ctx.add(
            "bewaartermijn.administratie",
            f"Uitgeschreven op {uit}: de leerlingadministratie wordt vijf jaar na uitschrijving "
            "vernietigd; die termijn is verstreken.",
            "inschrijving.uitgeschreven",
        )
    if okr is None:
        return
    if toegelaten is not None and _years_later(toegelaten, 2) < ctx.today:
        ctx.add(
            "bewaartermijn.okr",
            f"Toegelaten op de vervolgschool op {toegelaten}: het onderwijskundig rapport wordt "
            "twee jaar daarna vernietigd; die termijn is verstreken.",
            "okr",
        )
    if ctx.date(okr, "verzonden", "okr") is not None:
        if ctx.date(okr, "ondertekend_ouders", "okr") is None:
            ctx.add(
                "okr.ondertekend",
                "Het onderwijskundig rapport is verzonden zonder handtekening van de ouders.",
                "okr.ondertekend_ouders",
            )
        if ctx.flag(okr, "compleet", "okr") is not True:
            ctx.add(
                "okr.compleet",
                "Het onderwijskundig rapport is verzonden maar niet als compleet en juist "
                "gedateerd gemarkeerd.",
                "okr.compleet",
            )
        if ctx.date(okr, "mondelinge_overdracht", "okr") is None:
            ctx.add(
                "okr.mondelinge_overdracht",
                "Naast het onderwijskundig rapport is er altijd een mondelinge overdracht; leg "
                "de datum vast.",
                "okr.mondelinge_overdracht",
            )
        if ctx.date(okr, "ouders_geinformeerd_verzending", "okr") is None:
            ctx.add(
                "okr.ouders_geinformeerd",
                "Leg schriftelijk vast dat de ouders zijn geïnformeerd over het verzenden van "
                "het onderwijskundig rapport.",
                "okr.ouders_geinformeerd_verzending",
            )
    if vertrokken and ctx.date(okr, "afschrift_ouders", "okr") is None:
        ctx.add(
            "okr.afschrift",
            "De ouders krijgen een afschrift van het onderwijskundig rapport als hun kind de "
            "school verlaat.",
            "okr.afschrift_ouders",
        )
