"""For every catalogued rule: a dossier that makes it fire and a near-identical one that keeps
it quiet. Dates are fixed; ``TODAY`` is the frozen "today" unless a case says otherwise."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

D = dt.date
TODAY = D(2024, 6, 1)

BETROKKENEN = [
    {"medewerker": "lk-bakker", "rol": "leerkracht"},
    {"medewerker": "ib-jansen", "rol": "intern_begeleider"},
    {"medewerker": "og-smit", "rol": "orthopedagoog"},
    {"medewerker": "dir-vos", "rol": "directie"},
    {"medewerker": "kc-peters", "rol": "kwaliteitscoordinator"},
]


def base(route: str = "003", **extra: Any) -> dict[str, Any]:
    """A minimal valid dossier (groep 6 in school year 2023-2024) plus ``extra`` keys."""
    d: dict[str, Any] = {
        "formaat": "zorgkluis-dossier/1",
        "leerling": {
            "id": "ll-test000001",
            "voornaam": "Test",
            "achternaam": "Leerling",
            "geboortedatum": D(2013, 3, 3),
            "groep": 6,
        },
        "inschrijving": {"ingeschreven": D(2017, 8, 21)},
        "route": route,
        "betrokkenen": copy.deepcopy(BETROKKENEN),
    }
    d.update(extra)
    return d


@dataclass
class Case:
    """A rule, the route to check with, and a firing and a quiet dossier."""

    route: str
    fire: dict[str, Any]
    quiet: dict[str, Any]
    today: dt.date = TODAY
    extra: dict[str, Any] = field(default_factory=dict)


def niv(*pairs: tuple[int, dt.date], **extra: Any) -> list[dict[str, Any]]:
    """A niveaus timeline; ``extra`` goes into every entry."""
    return [{"niveau": n, "vanaf": d, **extra} for n, d in pairs]


def plan(pid: str, niveau: int, start: dt.date, **extra: Any) -> dict[str, Any]:
    """A plan with goals and a planned evaluation in the future."""
    p = {
        "id": pid,
        "soort": "handelingsplan",
        "niveau": niveau,
        "hulpvraag": "Hoe leert Test vlotter lezen?",
        "doelen": ["Leest 40 woorden per minuut."],
        "start": start,
        "evaluatie_gepland": D(2024, 7, 1),
    }
    p.update(extra)
    return p


def evaluated(datum: dt.date) -> dict[str, Any]:
    """An evaluation mapping."""
    return {"datum": datum, "uitkomst": "voldoende"}


def bespreking(bid: str, soort: str, datum: dt.date, **extra: Any) -> dict[str, Any]:
    """A meeting with teacher, IB-er and parents present."""
    return {
        "id": bid,
        "soort": soort,
        "datum": datum,
        "aanwezig": ["lk-bakker", "ib-jansen", "ouders"],
        **extra,
    }


def gesprek(gid: str, datum: dt.date, **extra: Any) -> dict[str, Any]:
    """A talk with parents and the teacher."""
    return {
        "id": gid,
        "soort": "oudergesprek",
        "datum": datum,
        "aanwezig": ["lk-bakker", "ouders"],
        **extra,
    }


def ts(tid: str, voor: str, datum: dt.date, **extra: Any) -> dict[str, Any]:
    """A written consent."""
    return {"id": tid, "voor": voor, "datum": datum, "schriftelijk": True, **extra}


def toets(tid: str, naam: str, datum: dt.date, niveau: str, **extra: Any) -> dict[str, Any]:
    """A test result."""
    return {"id": tid, "toets": naam, "datum": datum, "niveau": niveau, **extra}


def opp(**overrides: Any) -> dict[str, Any]:
    """An OPP that satisfies every OPP rule, with ``overrides`` (None removes a key)."""
    o: dict[str, Any] = {
        "opgesteld": D(2024, 1, 15),
        "criteria": ["achterstand_1_jaar"],
        "uitstroomperspectief": "vmbo basis",
        "besproken_in_zorgteam": D(2024, 1, 10),
        "tussendoelen": [{"datum": D(2024, 6, 30), "doel": "Rekenen op niveau M5."}],
        "ouders_instemming": D(2024, 1, 20),
        "evaluaties": [{"datum": D(2024, 5, 15), "ouders_aanwezig": True}],
    }
    for key, value in overrides.items():
        if value is None:
            o.pop(key, None)
        else:
            o[key] = value
    return o


def without(items: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Copies of ``items`` without ``key``."""
    return [{k: v for k, v in i.items() if k != key} for i in items]


def _cases() -> dict[str, Case]:
    c: dict[str, Case] = {}
    route_2_4 = niv((1, D(2023, 9, 1)), (2, D(2023, 9, 4)), (3, D(2023, 11, 6)), (4, D(2024, 1, 8)))
    c["formaat.ongeldig"] = Case("003", base(plannen="geen lijst"), base(plannen=[]))
    c["route.andere_route"] = Case("003", base("002"), base("003"))
    c["route.niveau_onbekend"] = Case(
        "003", base(niveaus=niv((7, D(2023, 9, 1)))), base(niveaus=niv((1, D(2023, 9, 1))))
    )
    diagnose = [
        {
            "id": "vk-1",
            "soort": "dyslexie",
            "datum": D(2023, 6, 1),
            "afgegeven_door": {"naam": "Dr. A. Kok", "kwalificatie": "gz_psycholoog"},
            "voor": ["lezen"],
        }
    ]
    c["route.overgang"] = Case(
        "002",
        base("002", niveaus=niv((1, D(2023, 9, 1)), (3, D(2024, 1, 8)))),
        base("002", niveaus=niv((1, D(2023, 9, 1)), (2, D(2024, 1, 8)))),
    )
    # 003 §3 Niveau 1: from niveau 1 straight to 4 "altijd in overleg met de interne
    # begeleider"; a diagnosis is not required (it only makes the step come sooner).
    one_four = niv((1, D(2023, 9, 1)), (4, D(2024, 1, 8)))
    c["route.overgang_overleg"] = Case(
        "003",
        base(niveaus=one_four, verklaringen=diagnose, gesprekken=[gesprek("gs-1", D(2023, 12, 4))]),
        base(
            niveaus=one_four,
            besprekingen=[bespreking("bs-1", "leerlingbespreking", D(2023, 12, 4))],
        ),
    )
    two_three = niv((2, D(2023, 9, 1)), (3, D(2024, 1, 8)))
    c["route.omhoog_zonder_evaluatie"] = Case(
        "003",
        base(niveaus=two_three, plannen=[plan("pl-1", 2, D(2023, 9, 4))]),
        base(
            niveaus=two_three,
            plannen=[plan("pl-1", 2, D(2023, 9, 4), evaluatie=evaluated(D(2023, 12, 15)))],
        ),
    )
    three_four = niv((3, D(2023, 9, 1)), (4, D(2024, 1, 8)))
    c["route.toestemming"] = Case(
        "003",
        base(
            niveaus=three_four,
            toestemmingen=[ts("ts-1", "zorgteam", D(2024, 1, 5), schriftelijk=False)],
        ),
        base(niveaus=three_four, toestemmingen=[ts("ts-1", "zorgteam", D(2024, 1, 5))]),
    )
    c["route.bespreking"] = Case(
        "002",
        base("002", niveaus=niv((2, D(2023, 9, 1)), (3, D(2024, 1, 8)))),
        base(
            "002",
            niveaus=niv((2, D(2023, 9, 1)), (3, D(2024, 1, 8))),
            besprekingen=[
                bespreking("bs-1", "leerlingbespreking", D(2023, 9, 20)),
                bespreking("bs-2", "sot", D(2024, 1, 20)),
            ],
        ),
    )
    one_two = niv((1, D(2023, 9, 1)), (2, D(2024, 1, 8)))
    c["route.plan"] = Case(
        "004",
        base("004", niveaus=one_two, plannen=[plan("pl-1", 2, D(2024, 1, 10), soort="groepsplan")]),
        base(
            "004",
            niveaus=one_two,
            plannen=[plan("pl-1", 2, D(2024, 1, 10), soort="plan_van_aanpak")],
        ),
    )
    c["route.gesprek"] = Case(
        "002",
        base("002", niveaus=one_two, gesprekken=[gesprek("gs-1", D(2023, 6, 1))]),
        base("002", niveaus=one_two, gesprekken=[gesprek("gs-1", D(2024, 1, 15))]),
    )
    c["route.groeidocument"] = Case(
        "002",
        base("002", niveaus=route_2_4, groeidocument={"deel_2": D(2024, 1, 2)}),
        base("002", niveaus=route_2_4, groeidocument={"deel_1": D(2024, 1, 2)}),
    )
    to_clo = niv(
        (1, D(2022, 9, 1)),
        (2, D(2022, 10, 1)),
        (3, D(2023, 1, 9)),
        (5, D(2023, 6, 1)),
        (6, D(2024, 3, 1)),
    )
    c["route.aanvraag"] = Case(
        "001",
        base(
            "001",
            niveaus=to_clo,
            aanvragen=[{"id": "av-1", "soort": "tlv", "datum": D(2024, 3, 1)}],
        ),
        base(
            "001",
            niveaus=to_clo,
            aanvragen=[{"id": "av-1", "soort": "clo", "datum": D(2024, 3, 1)}],
        ),
    )
    c["route.ouders_geinformeerd"] = Case(
        "000",
        base("000", niveaus=one_two),
        base(
            "000",
            niveaus=niv((1, D(2023, 9, 1)), (2, D(2024, 1, 8)), ouders_geinformeerd=D(2024, 1, 9)),
        ),
    )
    two = niv((2, D(2023, 9, 1)))
    drie = [
        plan("pl-1", 2, D(2023, 9, 4)),
        plan("pl-2", 2, D(2023, 11, 6)),
        plan("pl-3", 2, D(2024, 2, 5)),
    ]
    c["route.max_perioden"] = Case(
        "003", base(niveaus=two, plannen=drie), base(niveaus=two, plannen=drie[:2])
    )
    three = niv((3, D(2023, 9, 1)))
    c["route.max_perioden_hulpvraag"] = Case(
        "003",
        base(
            niveaus=three, plannen=[plan("pl-1", 3, D(2023, 9, 4)), plan("pl-2", 3, D(2024, 1, 8))]
        ),
        base(
            niveaus=three,
            plannen=[
                plan("pl-1", 3, D(2023, 9, 4)),
                plan("pl-2", 3, D(2024, 1, 8), hulpvraag="Rekenen?"),
            ],
        ),
    )
    lbs = [bespreking(f"bs-{i}", "leerlingbespreking", D(2023, 9 + i, 2)) for i in range(1, 4)]
    c["route.max_besprekingen"] = Case(
        "002",
        base("002", niveaus=two, besprekingen=lbs),
        base("002", niveaus=two, besprekingen=lbs[:2]),
    )
    c["route.plan_duur"] = Case(
        "004",
        base("004", plannen=[plan("pl-1", 1, D(2024, 1, 8), evaluatie_gepland=D(2024, 4, 1))]),
        base("004", plannen=[plan("pl-1", 1, D(2024, 1, 8), evaluatie_gepland=D(2024, 2, 12))]),
    )
    c["route.evaluatie_termijn"] = Case(
        "002",
        base("002", plannen=[plan("pl-1", 2, D(2024, 1, 8), evaluatie_gepland=D(2024, 4, 1))]),
        base("002", plannen=[plan("pl-1", 2, D(2024, 1, 8), evaluatie_gepland=D(2024, 2, 26))]),
    )
    c["route.min_ondersteuning"] = Case(
        "004",
        base(
            "004",
            niveaus=niv(
                (1, D(2023, 9, 1)), (2, D(2024, 1, 8)), (3, D(2024, 2, 1)), (4, D(2024, 2, 20))
            ),
        ),
        base(
            "004",
            niveaus=niv(
                (1, D(2023, 9, 1)), (2, D(2023, 10, 2)), (3, D(2023, 11, 13)), (4, D(2024, 2, 20))
            ),
        ),
    )
    c["route.betrokkenen"] = Case(
        "003",
        base(niveaus=three, betrokkenen=[BETROKKENEN[0]]),
        base(niveaus=three),
    )
    c["bespreking.aanwezig"] = Case(
        "002",
        base(
            "002", besprekingen=[bespreking("bs-1", "sot", D(2024, 1, 8), aanwezig=["lk-bakker"])]
        ),
        base("002", besprekingen=[bespreking("bs-1", "sot", D(2024, 1, 8))]),
    )
    c["bespreking.ingebracht_door"] = Case(
        "002",
        base(
            "002",
            besprekingen=[bespreking("bs-1", "sot", D(2024, 1, 8), ingebracht_door="lk-bakker")],
        ),
        base(
            "002",
            besprekingen=[bespreking("bs-1", "sot", D(2024, 1, 8), ingebracht_door="ib-jansen")],
        ),
    )
    bot = [
        bespreking(
            "bs-1", "bot", D(2024, 2, 8), aanwezig=["lk-bakker", "ib-jansen", "dir-vos", "ouders"]
        )
    ]
    c["bespreking.toestemming"] = Case(
        "002",
        base("002", besprekingen=bot, toestemmingen=[ts("ts-1", "bot", D(2024, 2, 9))]),
        base("002", besprekingen=bot, toestemmingen=[ts("ts-1", "bot", D(2024, 2, 1))]),
    )
    lb = bespreking("bs-1", "leerlingbespreking", D(2024, 1, 8), evaluatie_gepland=D(2024, 2, 19))
    c["bespreking.hulpvraag"] = Case(
        "002",
        base("002", besprekingen=[lb]),
        base("002", besprekingen=[{**lb, "hulpvraag": "Hoe krijgt Test meer rust?"}]),
    )
    c["bespreking.evaluatie_termijn"] = Case(
        "002",
        base("002", besprekingen=[{**lb, "hulpvraag": "?", "evaluatie_gepland": D(2024, 4, 1)}]),
        base("002", besprekingen=[{**lb, "hulpvraag": "?"}]),
        today=D(2024, 2, 1),
    )
    c["bespreking.evaluatie_achterstallig"] = Case(
        "003",
        base(
            besprekingen=[bespreking("bs-1", "clb", D(2024, 3, 1), evaluatie_gepland=D(2024, 5, 1))]
        ),
        base(
            besprekingen=[
                bespreking(
                    "bs-1",
                    "clb",
                    D(2024, 3, 1),
                    evaluatie_gepland=D(2024, 5, 1),
                    evaluatie=evaluated(D(2024, 5, 2)),
                )
            ]
        ),
    )
    c["plan.doelen"] = Case(
        "003",
        base(plannen=[plan("pl-1", 1, D(2024, 1, 8), doelen=[])]),
        base(plannen=[plan("pl-1", 1, D(2024, 1, 8))]),
    )
    c["plan.evaluatie_gepland"] = Case(
        "003",
        base(plannen=without([plan("pl-1", 1, D(2024, 1, 8))], "evaluatie_gepland")),
        base(plannen=[plan("pl-1", 1, D(2024, 1, 8))]),
    )
    c["plan.evaluatie_achterstallig"] = Case(
        "003",
        base(plannen=[plan("pl-1", 1, D(2024, 1, 8), evaluatie_gepland=D(2024, 5, 1))]),
        base(
            plannen=[
                plan(
                    "pl-1",
                    1,
                    D(2024, 1, 8),
                    evaluatie_gepland=D(2024, 5, 1),
                    evaluatie=evaluated(D(2024, 5, 1)),
                )
            ]
        ),
    )
    onderzoek = {"id": "oz-1", "soort": "psychologisch", "datum": D(2024, 2, 1), "extern": True}
    c["toestemming.onderzoek"] = Case(
        "003",
        base(onderzoeken=[onderzoek]),
        base(onderzoeken=[onderzoek], toestemmingen=[ts("ts-1", "onderzoek", D(2024, 1, 15))]),
    )
    c["onderzoek.ouders_eerst"] = Case(
        "002",
        base("002", onderzoeken=[{**onderzoek, "extern": False}], besprekingen=bot),
        base(
            "002",
            onderzoeken=[{**onderzoek, "extern": False, "besproken_met_ouders": D(2024, 2, 6)}],
            besprekingen=bot,
        ),
    )
    weg = {"ingeschreven": D(2017, 8, 21), "uitgeschreven": D(2024, 5, 1)}
    okr = {
        "opgesteld": D(2024, 4, 15),
        "compleet": True,
        "ondertekend_ouders": D(2024, 4, 20),
        "ouders_geinformeerd_verzending": D(2024, 4, 22),
        "verzonden": D(2024, 4, 22),
        "afschrift_ouders": D(2024, 4, 22),
        "mondelinge_overdracht": D(2024, 4, 25),
    }
    c["okr.ontbreekt"] = Case("003", base(inschrijving=weg), base(inschrijving=weg, okr=okr))
    for rule, key, bad in (
        ("okr.ondertekend", "ondertekend_ouders", None),
        ("okr.compleet", "compleet", False),
        ("okr.ouders_geinformeerd", "ouders_geinformeerd_verzending", None),
        ("okr.afschrift", "afschrift_ouders", None),
        ("okr.mondelinge_overdracht", "mondelinge_overdracht", None),
    ):
        c[rule] = Case(
            "003", base(inschrijving=weg, okr={**okr, key: bad}), base(inschrijving=weg, okr=okr)
        )
    c["bewaartermijn.administratie"] = Case(
        "003",
        base(inschrijving={**weg, "uitgeschreven": D(2018, 7, 1)}, okr=okr),
        base(inschrijving={**weg, "uitgeschreven": D(2020, 7, 1)}, okr=okr),
    )
    c["bewaartermijn.okr"] = Case(
        "003",
        base(inschrijving={**weg, "toegelaten_vervolgschool": D(2021, 9, 1)}, okr=okr),
        base(inschrijving={**weg, "toegelaten_vervolgschool": D(2023, 9, 1)}, okr=okr),
    )
    correctie = {"id": "cr-1", "verzoek_datum": D(2024, 5, 1), "wat": "pl-1: verkeerde datum"}
    c["correctie.open"] = Case(
        "003",
        base(correcties=[{**correctie, "besluit": "open"}]),
        base(correcties=[{**correctie, "besluit": "toegekend"}]),
    )
    c["ouders.ib_zonder_leerkracht"] = Case(
        "000",
        base("000", gesprekken=[gesprek("gs-1", D(2024, 1, 8), aanwezig=["ib-jansen", "moeder"])]),
        base(
            "000",
            gesprekken=[
                gesprek("gs-1", D(2024, 1, 8), aanwezig=["ib-jansen", "lk-bakker", "moeder"])
            ],
        ),
    )
    c["leerlingbespreking.formulier"] = Case(
        "003",
        base(
            besprekingen=[
                bespreking(
                    "bs-1", "leerlingbespreking", D(2024, 3, 5), formulier_verstuurd=D(2024, 3, 4)
                )
            ]
        ),
        base(
            besprekingen=[
                bespreking(
                    "bs-1", "leerlingbespreking", D(2024, 3, 5), formulier_verstuurd=D(2024, 3, 1)
                )
            ]
        ),
    )
    doublure = {"status": "lopend", "besluit_datum": D(2024, 5, 20)}
    c["leerlingbespreking.doublure"] = Case(
        "003",
        base(protocollen={"doublure": doublure}),
        base(
            protocollen={"doublure": doublure},
            besprekingen=[
                bespreking(
                    "bs-1", "leerlingbespreking", D(2024, 3, 5), formulier_verstuurd=D(2024, 3, 1)
                )
            ],
        ),
    )
    c["gesprek.ondertekend"] = Case(
        "003",
        base(
            gesprekken=[
                gesprek("gs-1", D(2024, 5, 21), thema="doublure", ondertekend_school=D(2024, 5, 21))
            ]
        ),
        base(
            gesprekken=[
                gesprek(
                    "gs-1",
                    D(2024, 5, 21),
                    thema="doublure",
                    ondertekend_school=D(2024, 5, 21),
                    ondertekend_ouders=D(2024, 5, 22),
                )
            ]
        ),
    )
    c["gesprek.oneens_ondertekend"] = Case(
        "003",
        base(gesprekken=[gesprek("gs-1", D(2024, 5, 21), ouders_akkoord=False)]),
        base(
            gesprekken=[
                gesprek(
                    "gs-1", D(2024, 5, 21), ouders_akkoord=False, ondertekend_ouders=D(2024, 5, 21)
                )
            ]
        ),
    )
    methode = [
        toets("tt-1", "Taal actief 6 blok 3", D(2024, 2, 1), "", soort="methode", voldoende=False),
        toets("tt-2", "Taal actief 6 blok 3", D(2024, 3, 1), "", soort="methode", voldoende=False),
    ]
    c["toets.methode_onvoldoende"] = Case(
        "002",
        base("002", toetsen=methode),
        base(
            "002",
            toetsen=methode,
            gesprekken=[gesprek("gs-1", D(2024, 3, 12), aanwezig=["lk-bakker", "ib-jansen"])],
        ),
    )
    vv = [
        toets("tt-1", "Cito Rekenen-Wiskunde", D(2023, 6, 5), "V", soort="lvs"),
        toets("tt-2", "Cito Rekenen-Wiskunde", D(2024, 1, 22), "V", soort="lvs"),
    ]
    c["toets.v_score"] = Case(
        "002",
        base("002", toetsen=vv),
        base("002", toetsen=vv, plannen=[plan("pl-1", 2, D(2024, 2, 5))]),
    )
    # OPP: each case removes or spoils one part of an otherwise complete OPP.
    c["opp.teambespreking"] = Case(
        "003", base(opp=opp(besproken_in_zorgteam=None)), base(opp=opp())
    )
    c["opp.uitstroomperspectief"] = Case(
        "003", base(opp=opp(uitstroomperspectief=None)), base(opp=opp())
    )
    c["opp.tussendoelen"] = Case("003", base(opp=opp(tussendoelen=[])), base(opp=opp()))
    c["opp.ouders"] = Case("003", base(opp=opp(ouders_instemming=None)), base(opp=opp()))
    c["opp.ib"] = Case("003", base(opp=opp(), betrokkenen=[BETROKKENEN[0]]), base(opp=opp()))
    c["opp.vanaf_groep6"] = Case(
        "002", base("002", opp=opp(opgesteld=D(2023, 10, 2))), base("002", opp=opp())
    )
    c["opp.evaluatie"] = Case(
        "003",
        base(opp=opp(evaluaties=[{"datum": D(2024, 5, 15), "ouders_aanwezig": False}])),
        base(opp=opp()),
        today=D(2024, 8, 15),
    )
    c["opp.criterium"] = Case("003", base(opp=opp(criteria=[])), base(opp=opp()))
    eee = [
        toets(f"tt-{i}", "Cito Spelling", D(2022 + i // 2, 1 if i % 2 else 6, 10), "E")
        for i in range(1, 4)
    ]
    c["opp.drie_keer_e"] = Case(
        "003",
        base(opp=opp(criteria=["drie_keer_e"]), toetsen=eee[:2]),
        base(opp=opp(criteria=["drie_keer_e"]), toetsen=eee),
    )
    c["opp.kandidaat"] = Case("003", base(toetsen=eee), base(toetsen=eee[:2]))
    gesprekken = [
        gesprek("gs-1", D(2024, 3, 12), thema="doublure"),
        gesprek(
            "gs-2",
            D(2024, 5, 21),
            thema="doublure",
            ondertekend_ouders=D(2024, 5, 21),
            ondertekend_school=D(2024, 5, 21),
        ),
    ]
    verzoek = {
        "status": "afgerond",
        "advies": "doubleren",
        "motivatie": "Achterstand op technisch lezen en rekenen.",
        "besluit": "overgaan_op_verzoek_ouders",
        "besluit_datum": D(2024, 5, 21),
        "gesprekken": ["gs-1", "gs-2"],
        "formulier": "gs-2",
    }
    c["doublure.tweede_gesprek"] = Case(
        "003",
        base(gesprekken=gesprekken, protocollen={"doublure": {**verzoek, "gesprekken": ["gs-2"]}}),
        base(gesprekken=gesprekken, protocollen={"doublure": verzoek}),
    )
    c["doublure.formulier"] = Case(
        "003",
        base(gesprekken=gesprekken, protocollen={"doublure": {**verzoek, "formulier": "gs-1"}}),
        base(gesprekken=gesprekken, protocollen={"doublure": verzoek}),
    )
    a_leerling = {"doublure": {"status": "lopend", "type_leerling": "A"}}
    c["doublure.a_leerling"] = Case(
        "003",
        base(niveaus=two, protocollen=a_leerling),
        base(niveaus=niv((3, D(2023, 9, 1))), protocollen=a_leerling),
    )
    c["doublure.besluit_mei"] = Case(
        "003",
        base(protocollen={"doublure": {"status": "afgerond", "besluit_datum": D(2024, 3, 1)}}),
        base(protocollen={"doublure": {"status": "afgerond", "besluit_datum": D(2024, 5, 20)}}),
    )
    herfst = {
        "status": "afgerond",
        "gebieden": ["emotioneel", "sociaal", "motorisch", "cognitief"],
        "ouders_geinformeerd": D(2024, 3, 12),
        "besluit": "kleuterverlenging",
        "besluit_datum": D(2024, 5, 20),
        "besloten_door": "school_en_ouders",
        "begeleidingsplan": "pl-1",
    }
    kleuter = {"leerling": {**base()["leerling"], "geboortedatum": D(2018, 11, 2), "groep": 2}}
    bp = [plan("pl-1", 2, D(2024, 5, 27), soort="begeleidingsplan")]
    c["herfst.gebieden"] = Case(
        "003",
        base(
            **kleuter,
            plannen=bp,
            protocollen={"herfstkind": {**herfst, "gebieden": ["sociaal", "cognitief"]}},
        ),
        base(**kleuter, plannen=bp, protocollen={"herfstkind": herfst}),
    )
    c["herfst.begeleidingsplan"] = Case(
        "003",
        base(**kleuter, protocollen={"herfstkind": herfst}),
        base(**kleuter, plannen=bp, protocollen={"herfstkind": herfst}),
    )
    c["herfst.ouders"] = Case(
        "003",
        base(
            **kleuter,
            plannen=bp,
            protocollen={"herfstkind": {**herfst, "ouders_geinformeerd": None}},
        ),
        base(**kleuter, plannen=bp, protocollen={"herfstkind": herfst}),
    )
    oneens = [gesprek("gs-1", D(2024, 3, 12), thema="kleuterverlenging", ouders_akkoord=False)]
    c["herfst.directie"] = Case(
        "003",
        base(**kleuter, plannen=bp, gesprekken=oneens, protocollen={"herfstkind": herfst}),
        base(
            **kleuter,
            plannen=bp,
            gesprekken=oneens,
            protocollen={"herfstkind": {**herfst, "besloten_door": "directie"}},
        ),
    )
    sig = {
        "datum": D(2024, 2, 12),
        "uitslag": "nee",
        "ib_betrokken": True,
        "ouders_geinformeerd": D(2024, 2, 20),
    }
    c["pmb.signalering"] = Case(
        "003",
        base(
            protocollen={
                "meerbegaafdheid": {
                    "status": "lopend",
                    "signaleringen": [{**sig, "ib_betrokken": False}],
                }
            }
        ),
        base(protocollen={"meerbegaafdheid": {"status": "lopend", "signaleringen": [sig]}}),
    )
    plus = [
        {"start": D(2022, 9, 5), "eind": D(2022, 11, 25)},
        {"start": D(2023, 1, 9), "eind": D(2023, 3, 31)},
        {"start": D(2023, 9, 4), "eind": D(2023, 11, 24)},
    ]
    three_since = niv((3, D(2022, 9, 1)))
    c["pmb.plusklas_max"] = Case(
        "003",
        base(
            niveaus=three_since,
            protocollen={"meerbegaafdheid": {"status": "lopend", "plusklas": plus}},
        ),
        base(
            niveaus=three_since,
            protocollen={"meerbegaafdheid": {"status": "lopend", "plusklas": plus[:2]}},
        ),
    )
    c["pmb.plusklas_weken"] = Case(
        "003",
        base(
            niveaus=three_since,
            protocollen={
                "meerbegaafdheid": {
                    "status": "lopend",
                    "plusklas": [{"start": D(2023, 9, 4), "eind": D(2023, 12, 22)}],
                }
            },
        ),
        base(
            niveaus=three_since,
            protocollen={"meerbegaafdheid": {"status": "lopend", "plusklas": plus[2:]}},
        ),
    )
    c["pmb.plusklas_niveau"] = Case(
        "003",
        base(
            niveaus=two, protocollen={"meerbegaafdheid": {"status": "lopend", "plusklas": plus[2:]}}
        ),
        base(
            niveaus=three_since,
            protocollen={"meerbegaafdheid": {"status": "lopend", "plusklas": plus[2:]}},
        ),
    )
    c["pmb.versnellen_groep8"] = Case(
        "003",
        base(
            protocollen={
                "meerbegaafdheid": {
                    "status": "afgerond",
                    "versneld": {"datum": D(2023, 8, 28), "van_groep": 7, "naar_groep": 8},
                }
            }
        ),
        base(
            protocollen={
                "meerbegaafdheid": {
                    "status": "afgerond",
                    "versneld": {"datum": D(2023, 8, 28), "van_groep": 4, "naar_groep": 6},
                }
            }
        ),
    )
    cv = {
        "start": D(2023, 9, 4),
        "ouders_geinformeerd_start": D(2023, 9, 6),
        "stop": D(2024, 3, 1),
        "stop_besloten_door": ["lk-bakker", "ib-jansen"],
        "ouders_geinformeerd_stop": D(2024, 3, 4),
    }
    c["pmb.stoppen"] = Case(
        "003",
        base(
            protocollen={
                "meerbegaafdheid": {
                    "status": "gestopt",
                    "compact_verrijken": {**cv, "stop_besloten_door": ["lk-bakker"]},
                }
            }
        ),
        base(protocollen={"meerbegaafdheid": {"status": "gestopt", "compact_verrijken": cv}}),
    )
    c["pmb.ouders"] = Case(
        "003",
        base(
            protocollen={
                "meerbegaafdheid": {
                    "status": "gestopt",
                    "compact_verrijken": {**cv, "ouders_geinformeerd_stop": None},
                }
            }
        ),
        base(protocollen={"meerbegaafdheid": {"status": "gestopt", "compact_verrijken": cv}}),
    )
    c["dyslexie.verklaring_bevoegd"] = Case(
        "003",
        base(
            verklaringen=[
                {
                    **diagnose[0],
                    "afgegeven_door": {"naam": "M. de Wit", "kwalificatie": "orthopedagoog"},
                }
            ]
        ),
        base(verklaringen=diagnose),
    )
    c["dyslexie.verklaring_voor"] = Case(
        "003",
        base(verklaringen=[{**diagnose[0], "voor": ["rekenen"]}]),
        base(verklaringen=[{**diagnose[0], "voor": ["lezen", "spellen"]}]),
    )
    e_dmt = [toets("tt-1", "DMT", D(2023, 6, 12), "E", soort="lvs")]
    ib_na = [bespreking("bs-1", "groepsbespreking", D(2023, 6, 20))]
    vermoeden = {
        "status": "lopend",
        "intensieve_hulp_vanaf": D(2023, 8, 28),
        "vermoeden": D(2024, 3, 1),
        "besproken_met_ouders": D(2024, 3, 12),
    }
    c["dyslexie.vermoeden"] = Case(
        "003",
        base(
            toetsen=e_dmt,
            besprekingen=ib_na,
            protocollen={"dyslexie": {**vermoeden, "intensieve_hulp_vanaf": D(2023, 12, 4)}},
        ),
        base(toetsen=e_dmt, besprekingen=ib_na, protocollen={"dyslexie": vermoeden}),
    )
    c["dyslexie.ouders"] = Case(
        "003",
        base(
            toetsen=e_dmt,
            besprekingen=ib_na,
            protocollen={"dyslexie": {**vermoeden, "besproken_met_ouders": None}},
        ),
        base(toetsen=e_dmt, besprekingen=ib_na, protocollen={"dyslexie": vermoeden}),
    )
    c["dyslexie.dossier_jaarlijks"] = Case(
        "003",
        base(
            protocollen={
                "dyslexie": {
                    "status": "lopend",
                    "gestart": D(2022, 9, 5),
                    "dossier_evaluaties": [D(2022, 6, 20)],
                }
            }
        ),
        base(
            protocollen={
                "dyslexie": {
                    "status": "lopend",
                    "gestart": D(2022, 9, 5),
                    "dossier_evaluaties": [D(2023, 6, 20)],
                }
            }
        ),
    )
    groep8 = {"leerling": {**base()["leerling"], "groep": 8}}
    c["dyslexie.po_vo"] = Case(
        "003",
        base(
            **groep8,
            verklaringen=diagnose,
            protocollen={"dyslexie": {"status": "lopend", "besproken_po_vo": D(2023, 9, 12)}},
        ),
        base(
            **groep8,
            verklaringen=diagnose,
            protocollen={"dyslexie": {"status": "lopend", "besproken_po_vo": D(2023, 5, 9)}},
        ),
    )
    c["dyslexie.de_score_ib"] = Case(
        "003",
        base(toetsen=[toets("tt-1", "Cito Spelling", D(2024, 1, 22), "D")]),
        base(
            toetsen=[toets("tt-1", "Cito Spelling", D(2024, 1, 22), "D")],
            besprekingen=[bespreking("bs-1", "groepsbespreking", D(2024, 2, 5))],
        ),
    )
    dc = {
        "id": "vk-2",
        "soort": "dyscalculie",
        "datum": D(2024, 3, 1),
        "afgegeven_door": {"naam": "Dr. A. Kok", "kwalificatie": "gz_psycholoog"},
        "voor": ["rekenen"],
    }
    iq = [{"id": "oz-1", "soort": "intelligentie", "datum": D(2023, 11, 1), "totaal_iq": 95}]
    dyscalc = {"status": "lopend", "fase": "rood", "voorwaarden_vervuld": list(range(1, 10))}
    four = niv((4, D(2023, 9, 1)))
    ok = {"niveaus": four, "onderzoeken": iq, "protocollen": {"dyscalculie": dyscalc}}
    c["dyscalculie.groep6"] = Case(
        "003",
        base(**ok, verklaringen=[{**dc, "datum": D(2022, 3, 1)}]),
        base(**ok, verklaringen=[dc]),
    )
    c["dyscalculie.iq"] = Case(
        "003",
        base(**{**ok, "onderzoeken": [{**iq[0], "totaal_iq": 65}]}, verklaringen=[dc]),
        base(**ok, verklaringen=[dc]),
    )
    c["dyscalculie.voorwaarden"] = Case(
        "003",
        base(
            **{
                **ok,
                "protocollen": {
                    "dyscalculie": {**dyscalc, "voorwaarden_vervuld": list(range(1, 9))}
                },
            },
            verklaringen=[dc],
        ),
        base(**ok, verklaringen=[dc]),
    )
    c["dyscalculie.fase_rood"] = Case(
        "003",
        base(
            **{**ok, "protocollen": {"dyscalculie": {**dyscalc, "fase": "oranje"}}},
            verklaringen=[dc],
        ),
        base(**ok, verklaringen=[dc]),
    )
    c["dyscalculie.fase_niveau"] = Case(
        "003",
        base(**{**ok, "niveaus": two}),
        base(**ok),
    )
    return c


CASES: dict[str, Case] = _cases()
