"""The catalogue of checkable rules: id, severity, what it checks, citation, protocol.

``docs/rules.md`` lists the same rules for people; a test keeps the two in step. A rule with
``protocollen`` only runs when the route enables one of them (``protocollen:`` in the route
file); the others run for every route (the route file parameterises the ``route.*`` rules).
"""

from __future__ import annotations

from dataclasses import dataclass

from dossier_format.findings import Severity


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """Metadata of one rule (see ``docs/rules.md``)."""

    id: str
    severity: Severity
    wat: str
    bron: str
    protocollen: tuple[str, ...] = ()


def _r(id: str, severity: Severity, wat: str, bron: str, *protocollen: str) -> RuleInfo:
    return RuleInfo(id, severity, wat, bron, protocollen)


RULES: tuple[RuleInfo, ...] = (
    # -- shape -----------------------------------------------------------------------------
    _r(
        "formaat.ongeldig",
        "error",
        "A section or field has a shape the checks cannot read "
        "(wrong type, not a date); it is then ignored by the other rules.",
        "docs/format.md",
    ),
    # -- route rules (parameterised by the route file) ---------------------------------------
    _r(
        "route.andere_route",
        "warning",
        "The dossier's `route` names another route than the one it is checked against.",
        "docs/routes.md",
    ),
    _r(
        "route.niveau_onbekend",
        "error",
        "A `niveaus[].niveau` is not a niveau of the route.",
        "route file (niveaus)",
    ),
    _r(
        "route.overgang",
        "error",
        "Each change of niveau is an allowed transition of the route, "
        "and a conditional one (`met_diagnose`) has its condition met.",
        "route file (overgangen), e.g. 003 §3 Niveau 4",
    ),
    _r(
        "route.overgang_overleg",
        "warning",
        "A transition the route allows only in consultation with the intern begeleider "
        "(`in_overleg_met_ib`) shows a meeting or talk with the IB-er in the 8 weeks before it.",
        "route file (overgangen), e.g. 003 §3 Niveau 1",
    ),
    _r(
        "route.omhoog_zonder_evaluatie",
        "warning",
        "Moving up a niveau happens after the last plan on the previous niveau was evaluated.",
        "003 §3 Niveau 2; 002 §4.1",
    ),
    _r(
        "route.toestemming",
        "error",
        "Entering a niveau needs the route's parental consent "
        "(written when required), not withdrawn.",
        "route file (eisen.toestemming), e.g. 003 §3 Niveau 4, 002 §4.1 niveau 4",
    ),
    _r(
        "route.bespreking",
        "error",
        "While on a niveau the route's meeting (kind, people present) takes place within its term.",
        "route file (eisen.bespreking), e.g. 002 §4.1 niveau 3",
    ),
    _r(
        "route.plan",
        "error",
        "While on a niveau a plan of the required kind at that niveau starts within its term.",
        "route file (eisen.plan), e.g. 004 level 2, 000 Stap 3",
    ),
    _r(
        "route.gesprek",
        "warning",
        "While on a niveau the route's talk with parents (people "
        "present) takes place within its term.",
        "route file (eisen.gesprek), e.g. 000 Stap 2",
    ),
    _r(
        "route.groeidocument",
        "error",
        "Entering a niveau needs the listed parts of the groeidocument completed.",
        "route file (eisen.groeidocument), e.g. 002 §4.1 niveau 5",
    ),
    _r(
        "route.aanvraag",
        "error",
        "While on a niveau the route's request (TLV, CLO, OEC, MDO) is made within its term.",
        "route file (eisen.aanvraag), e.g. 001 schema",
    ),
    _r(
        "route.ouders_geinformeerd",
        "warning",
        "Parents are informed of the step to a niveau "
        "(`niveaus[].ouders_geinformeerd`) within its term.",
        "route file (eisen.ouders_geinformeerd), e.g. 000, 003 §3 Niveau 3",
    ),
    _r(
        "route.max_perioden",
        "error",
        "At most the route's number of handelingsperioden (plans) in one stay on a niveau.",
        "route file (max_perioden), e.g. 003 §3 Niveau 2",
    ),
    _r(
        "route.max_perioden_hulpvraag",
        "error",
        "At most the route's number of plans per hulpvraag in one stay on a niveau.",
        "route file (max_perioden_per_hulpvraag), e.g. 003 §3 Niveau 3",
    ),
    _r(
        "route.max_besprekingen",
        "error",
        "At most the route's number of meetings of a kind in one stay on a niveau.",
        "route file (max_besprekingen), e.g. 002 §4.1 niveau 2",
    ),
    _r(
        "route.plan_duur",
        "warning",
        "A plan on a niveau runs between the route's minimum and maximum number of weeks.",
        "route file (plan_duur_weken), e.g. 004 levels 1-3",
    ),
    _r(
        "route.evaluatie_termijn",
        "error",
        "A plan on a niveau plans its evaluation within the route's number of weeks.",
        "route file (evaluatie_binnen_weken), e.g. 002 §4.1 niveau 2",
    ),
    _r(
        "route.min_ondersteuning",
        "warning",
        "A niveau is entered only after the route's number of weeks of extra support.",
        "route file (min_weken_ondersteuning), 004 level 4",
    ),
    _r(
        "route.betrokkenen",
        "warning",
        "The roles that act on the current niveau are among the pupil's betrokkenen.",
        "route file (wie), e.g. 003 §3 Niveau 4",
    ),
    _r(
        "bespreking.aanwezig",
        "warning",
        "A meeting has the roles the route requires for that kind of meeting present.",
        "route file (besprekingen), e.g. 002 §4.1 niveau 3",
    ),
    _r(
        "bespreking.ingebracht_door",
        "warning",
        "The pupil is brought into a meeting by the role the route names (the IB-er registers "
        "for SOT and BOT).",
        "route file (besprekingen), e.g. 002 §4.1 niveau 3",
    ),
    _r(
        "bespreking.toestemming",
        "error",
        "A meeting of a kind that needs consent (BOT, "
        "zorgteam, ondersteuningsteam, MDO) has a written, valid consent by its date.",
        "route file (besprekingen), e.g. 002 §4.1 niveau 4, 001 schema",
    ),
    _r(
        "bespreking.hulpvraag",
        "error",
        "A meeting of a kind that needs a hulpvraag records one.",
        "route file (besprekingen), e.g. 002 §4.1 niveau 2",
    ),
    _r(
        "bespreking.evaluatie_termijn",
        "error",
        "A meeting of a kind with an evaluation term plans its evaluation within it.",
        "route file (besprekingen), e.g. 002 §4.1 niveau 2",
    ),
    _r(
        "bespreking.evaluatie_achterstallig",
        "warning",
        "A meeting's planned evaluation date has passed without an evaluation.",
        "002 §4.1 niveau 4; 003 §3 Niveau 3",
    ),
    # -- plans, consents, research ----------------------------------------------------------
    _r("plan.doelen", "error", "A plan has at least one goal.", "002 §4.1 niveau 2; 003 §6 OPP"),
    _r(
        "plan.evaluatie_gepland",
        "warning",
        "A plan that is not evaluated has a planned evaluation date.",
        "002 §4.1 niveau 4; 003 §3 Niveau 1",
    ),
    _r(
        "plan.evaluatie_achterstallig",
        "warning",
        "A plan's planned evaluation date has passed without an evaluation.",
        "003 §3 Niveau 1; 002 Deel 2",
    ),
    _r(
        "toestemming.onderzoek",
        "error",
        "Research by an outside body has the parents' consent for research by its date.",
        "003 §4.5; 003 §3 Niveau 4",
    ),
    _r(
        "onderzoek.ouders_eerst",
        "error",
        "A research result is discussed with the parents before the next BOT.",
        "002 §4.1 niveau 4",
    ),
    # -- OKR, retention, rights (003 §4) -----------------------------------------------------
    _r("okr.ontbreekt", "error", "A pupil who left has an onderwijskundig rapport.", "003 §4.1"),
    _r(
        "okr.ondertekend",
        "error",
        "A sent OKR was signed by the parents (consent to transfer).",
        "003 §4.1",
    ),
    _r("okr.compleet", "error", "A sent OKR is complete and correctly dated.", "002 §4.1 niveau 4"),
    _r(
        "okr.ouders_geinformeerd",
        "error",
        "Parents were informed in writing that the OKR was sent.",
        "003 §4.2",
    ),
    _r(
        "okr.mondelinge_overdracht",
        "warning",
        "A sent OKR is accompanied by an oral handover.",
        "003 §4.1",
    ),
    _r(
        "okr.afschrift",
        "warning",
        "Parents of a pupil who left received a copy of the OKR.",
        "003 §4.2",
    ),
    _r(
        "bewaartermijn.administratie",
        "warning",
        "The administration of a pupil who left more "
        "than five years ago is past its retention term.",
        "003 §4.3",
    ),
    _r(
        "bewaartermijn.okr",
        "warning",
        "The OKR of a pupil admitted to the next school more "
        "than two years ago is past its retention term.",
        "003 §4.3",
    ),
    _r("correctie.open", "info", "A parents' correction request is still open.", "003 §4.4"),
    # -- school protocols ---------------------------------------------------------------------
    _r(
        "ouders.ib_zonder_leerkracht",
        "error",
        "The intern begeleider does not talk with parents without the teacher.",
        "000 Stap 3",
        "ib_met_leerkracht",
    ),
    _r(
        "leerlingbespreking.formulier",
        "warning",
        "The leerlingbespreking form is sent at least two days ahead.",
        "003 §5.3",
        "leerlingbespreking",
    ),
    _r(
        "leerlingbespreking.doublure",
        "error",
        "A candidate for doublure or kleuterverlenging "
        "is discussed in a leerlingbespreking before the decision.",
        "003 §5.3",
        "leerlingbespreking",
    ),
    _r(
        "gesprek.ondertekend",
        "error",
        "An oudergesprek on doublure, kleuterverlenging, "
        "versnelling or a special approach is signed by parents and school.",
        "003 §5.1; 003 §5.4",
        "oudergespreksformulier",
    ),
    _r(
        "gesprek.oneens_ondertekend",
        "error",
        "An oudergesprek where parents and school disagree is recorded and signed by the parents.",
        "003 §5.4",
        "oudergespreksformulier",
    ),
    _r(
        "toets.methode_onvoldoende",
        "warning",
        "Two insufficient method tests in a row lead to "
        "a talk with the intern begeleider within four weeks.",
        "002 §2.1",
        "toetssignalering",
    ),
    _r(
        "toets.v_score",
        "warning",
        "A V score followed by another V on the same test (no growth) leads to a handelingsplan.",
        "002 §2.1",
        "toetssignalering",
    ),
    _r(
        "opp.teambespreking",
        "error",
        "The pupil was discussed in the zorgteam (or SOT/BOT) before the OPP was drawn up.",
        "003 §6 OPP; 002 §2.1",
        "opp",
    ),
    _r(
        "opp.uitstroomperspectief",
        "error",
        "An OPP states the expected outflow level.",
        "003 §6 OPP",
        "opp",
    ),
    _r("opp.tussendoelen", "error", "An OPP has intermediate goals.", "003 §6 OPP", "opp"),
    _r("opp.ouders", "error", "The parents agreed to (or signed) the OPP.", "003 §6 OPP", "opp"),
    _r(
        "opp.ib",
        "warning",
        "An intern begeleider is involved with a pupil who has an OPP.",
        "002 §2.1; 003 §6 OPP",
        "opp",
    ),
    _r(
        "opp.vanaf_groep6",
        "warning",
        "An OPP starts preferably from the middle of groep 6 (earlier only after a doublure).",
        "003 §6 OPP; 002 §2.1",
        "opp",
    ),
    _r(
        "opp.evaluatie",
        "warning",
        "An OPP is evaluated with parents at least every half year.",
        "002 §2.1; 003 §6 OPP",
        "opp",
    ),
    _r(
        "opp.criterium",
        "error",
        "An OPP names at least one of the criteria.",
        "003 §6 OPP",
        "opp_criteria",
    ),
    _r(
        "opp.drie_keer_e",
        "warning",
        "The criterion 'three E scores in a row' is backed by the tests in the dossier.",
        "003 §6 OPP",
        "opp_criteria",
    ),
    _r(
        "opp.kandidaat",
        "info",
        "Three E scores in a row on one test meet an OPP criterion but there is no OPP.",
        "003 §6 OPP",
        "opp_criteria",
    ),
    _r(
        "doublure.tweede_gesprek",
        "error",
        "When parents disagree with a doublure advice, at least two talks with them took place.",
        "003 §6 Doublure",
        "doublure",
    ),
    _r(
        "doublure.formulier",
        "error",
        "Moving up at the parents' explicit request is recorded "
        "with the motivation in an oudergespreksformulier signed by both.",
        "003 §6 Doublure",
        "doublure",
    ),
    _r(
        "doublure.a_leerling",
        "warning",
        "An A pupil (possible doublure, great concern) is on zorgniveau 3 or higher.",
        "003 §6 Doublure",
        "doublure",
    ),
    _r(
        "doublure.besluit_mei",
        "warning",
        "The definitive doublure decision falls in May or June (steps 6 and 7).",
        "003 §6 Doublure",
        "doublure",
    ),
    _r(
        "herfst.gebieden",
        "error",
        "A herfstkind decision is based on data of all four areas "
        "(emotional, social, motor, cognitive).",
        "003 §6 Herfstkinderen",
        "herfstkinderen",
    ),
    _r(
        "herfst.begeleidingsplan",
        "error",
        "Kleuterverlenging comes with a begeleidingsplan with explicit goals.",
        "003 §6 Herfstkinderen",
        "herfstkinderen",
    ),
    _r(
        "herfst.ouders",
        "warning",
        "Parents were informed of the outcome before the decision (around March).",
        "003 §6 Herfstkinderen",
        "herfstkinderen",
    ),
    _r(
        "herfst.directie",
        "error",
        "When school and parents disagree, the directie takes the decision.",
        "003 §6 Herfstkinderen",
        "herfstkinderen",
    ),
    _r(
        "pmb.signalering",
        "error",
        "After each signalering (JA or NEE) the IB-er is involved and parents are informed.",
        "003 §6 Meerbegaafdheid",
        "meerbegaafdheid",
    ),
    _r(
        "pmb.plusklas_max",
        "warning",
        "At most two Plusklas periods.",
        "003 §6 Meerbegaafdheid",
        "meerbegaafdheid",
    ),
    _r(
        "pmb.plusklas_weken",
        "warning",
        "A Plusklas period lasts at most 12 weeks.",
        "003 §6 Meerbegaafdheid",
        "meerbegaafdheid",
    ),
    _r(
        "pmb.plusklas_niveau",
        "warning",
        "A pupil in the Plusklas is on zorgniveau 3 or higher.",
        "003 §6 Meerbegaafdheid",
        "meerbegaafdheid",
    ),
    _r(
        "pmb.versnellen_groep8",
        "warning",
        "Versnellen does not skip groep 8.",
        "003 §6 Meerbegaafdheid",
        "meerbegaafdheid",
    ),
    _r(
        "pmb.stoppen",
        "error",
        "Stopping compacten en verrijken is decided by the teacher and the IB-er together.",
        "003 §6 Meerbegaafdheid",
        "meerbegaafdheid",
    ),
    _r(
        "pmb.ouders",
        "error",
        "Parents are told when compacten en verrijken starts and stops.",
        "003 §6 Meerbegaafdheid",
        "meerbegaafdheid",
    ),
    _r(
        "dyslexie.verklaring_bevoegd",
        "error",
        "A dyslexieverklaring is issued by a BIG-level qualified psychologist or orthopedagoog.",
        "003 §6 Dyslexie",
        "dyslexie",
    ),
    _r(
        "dyslexie.verklaring_voor",
        "error",
        "A dyslexieverklaring is for lezen and/or spellen.",
        "003 §6 Dyslexie",
        "dyslexie",
    ),
    _r(
        "dyslexie.vermoeden",
        "error",
        "'Possible dyslexia' only after E scores in reading or "
        "spelling and half a year of intensive help.",
        "003 §6 Dyslexie",
        "dyslexie",
    ),
    _r(
        "dyslexie.ouders",
        "warning",
        "A suspicion of dyslexia is discussed with the parents.",
        "003 §6 Dyslexie",
        "dyslexie",
    ),
    _r(
        "dyslexie.dossier_jaarlijks",
        "warning",
        "The dyslexiedossier is evaluated at the end of every school year.",
        "003 §6 Dyslexie",
        "dyslexie",
    ),
    _r(
        "dyslexie.po_vo",
        "warning",
        "Reading/spelling problems are discussed with parents by the end of groep 7.",
        "003 §6 Dyslexie",
        "dyslexie",
    ),
    _r(
        "dyslexie.de_score_ib",
        "warning",
        "A D or E score in reading or spelling is discussed with the IB-er within eight weeks.",
        "003 §6 Dyslexie",
        "dyslexie",
    ),
    _r(
        "dyscalculie.groep6",
        "error",
        "A dyscalculieverklaring is issued from groep 6 on.",
        "003 §6 Dyscalculie",
        "dyscalculie",
    ),
    _r(
        "dyscalculie.iq",
        "error",
        "A dyscalculieverklaring needs a total IQ of at least 70.",
        "003 §6 Dyscalculie",
        "dyscalculie",
    ),
    _r(
        "dyscalculie.voorwaarden",
        "error",
        "A dyscalculieverklaring needs all nine listed prerequisites in order.",
        "003 §6 Dyscalculie",
        "dyscalculie",
    ),
    _r(
        "dyscalculie.fase_rood",
        "error",
        "A dyscalculieverklaring belongs to phase rood.",
        "003 §6 Dyscalculie",
        "dyscalculie",
    ),
    _r(
        "dyscalculie.fase_niveau",
        "warning",
        "The dyscalculia phase matches the zorgniveau (groen 0-1, geel 1-2, oranje 3, rood 4).",
        "003 §6 Dyscalculie",
        "dyscalculie",
    ),
)

CATALOGUE: dict[str, RuleInfo] = {r.id: r for r in RULES}
"""Rules by id."""
