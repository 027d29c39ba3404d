"""Property tests: arbitrary text and YAML through the loader and the checker always give
findings or a clear DossierError, never an escaping exception (nor the checker's internal
fallback finding, which would hide a bug)."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossier_format import codec
from dossier_format.checks import INTERNAL_ERROR, check
from dossier_format.errors import DossierError
from dossier_format.findings import SEVERITIES, Finding
from dossier_format.routes import available_routes

ROUTES = available_routes()
EXAMPLES = [
    codec.load_fast(p.read_text(encoding="utf-8"))
    for p in sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
]
# Every key the rules read, so random documents reach the rules' code paths.
_WORDS = """
formaat leerling inschrijving route betrokkenen niveaus plannen besprekingen gesprekken
toestemmingen toetsen onderzoeken verklaringen protocollen opp groeidocument aanvragen okr
zienswijzen correcties werkaantekeningen id groep geboortedatum uitgeschreven
toegelaten_vervolgschool medewerker rol niveau vanaf ouders_geinformeerd soort start
evaluatie_gepland evaluatie datum doelen hulpvraag vakgebied aanwezig voor schriftelijk
ingetrokken toets voldoende extern totaal_iq besproken_met_ouders afgegeven_door
kwalificatie doublure herfstkind meerbegaafdheid dyslexie dyscalculie status besluit
besluit_datum gesprekken formulier motivatie type_leerling gebieden begeleidingsplan
besloten_door signaleringen plusklas eind versneld van_groep naar_groep compact_verrijken
stop stop_besloten_door vermoeden intensieve_hulp_vanaf gestart dossier_evaluaties
besproken_po_vo fase voorwaarden_vervuld opgesteld criteria uitstroomperspectief
tussendoelen evaluaties ouders_instemming ondertekend_ouders verzonden compleet deel_1
deel_2 thema ouders_akkoord ondertekend_school formulier_verstuurd
ouders_geinformeerd_verzending afschrift_ouders wat uitslag
"""
KEYS = sorted(set(_WORDS.split()))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 12),
    st.dates(dt.date(2015, 1, 1), dt.date(2026, 12, 31)),
    st.sampled_from(["", "A", "E", "V", "lvs", "methode", "rood", "bot", "zorgteam", "ouders"]),
    st.sampled_from(["oudergesprek", "leerlingbespreking", "doubleren", "kleuterverlenging"]),
    st.text(max_size=5),
    st.floats(allow_nan=True),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)
    ),
    max_leaves=30,
)
TODAY = dt.date(2024, 6, 1)


def assert_total(data: Any) -> None:
    for route in ROUTES:
        findings = check(data, route, TODAY)
        assert all(isinstance(f, Finding) and f.severity in SEVERITIES for f in findings)
        assert not [f for f in findings if f.rule == INTERNAL_ERROR], findings
        assert findings == sorted(findings, key=Finding.sort_key)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(KEYS), values, max_size=12))
def test_checker_is_total_on_random_dossier_shapes(data: dict[str, Any]) -> None:
    assert_total(data)


def _mutate(data: Any, path: list[int], value: Any) -> Any:
    """Replace the subtree reached by following ``path`` (indexes modulo size) with ``value``."""
    if not path or not isinstance(data, dict | list) or not data:
        return value
    keys = list(data) if isinstance(data, dict) else list(range(len(data)))
    key = keys[path[0] % len(keys)]
    data[key] = _mutate(data[key], path[1:], value)
    return data


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(range(len(EXAMPLES))),
    st.lists(st.integers(0, 50), min_size=1, max_size=5),
    values,
)
def test_checker_is_total_on_mutated_examples(which: int, path: list[int], value: Any) -> None:
    assert_total(_mutate(copy.deepcopy(EXAMPLES[which]), path, value))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_loader_and_checker_on_arbitrary_text(text: str) -> None:
    try:
        data = codec.load_fast(text, "willekeurig.yaml")
    except DossierError as err:
        assert err.message and str(err).startswith("willekeurig.yaml")
        return
    assert_total(data)


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.sampled_from(KEYS), values, max_size=8))
def test_loader_and_checker_on_arbitrary_yaml(data: dict[str, Any]) -> None:
    text = yaml.safe_dump(data, allow_unicode=True)
    try:
        loaded = codec.load_fast(text)
    except DossierError as err:
        assert err.message
        return
    assert_total(loaded)
