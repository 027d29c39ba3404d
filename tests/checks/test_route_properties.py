"""Property tests: any text or YAML given as a route file yields a Route or a RouteError."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dossier_format.errors import RouteError
from dossier_format.routes import ROUTES_DIR, Route, parse_route

_WORDS = """
id naam school bron niveaus overgangen omlaag_altijd besprekingen protocollen niveau wie
eisen max_perioden max_perioden_per_hulpvraag max_besprekingen plan_duur_weken
evaluatie_binnen_weken min_weken_ondersteuning min max toestemming bespreking plan gesprek
groeidocument aanvraag ouders_geinformeerd soort binnen_weken aanwezig schriftelijk van
naar voorwaarde aantal sot bot ingebracht_door hulpvraag zorgteam
"""
ROUTE_KEYS = sorted(set(_WORDS.split()))
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 6),
    st.sampled_from(["zorgteam", "met_diagnose", "opp", "x", "leerkracht", "deel_1"]),
    st.text(max_size=4),
)
trees = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(ROUTE_KEYS), inner, max_size=5)
    ),
    max_leaves=25,
)


def parses_or_refuses(text: str) -> None:
    try:
        route = parse_route(text, "r.yaml")
    except RouteError as err:
        assert err.message and str(err).startswith("r.yaml")
        return
    assert isinstance(route, Route) and route.niveaus


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=150))
@example("=")  # a YAML 1.1 special type whose node has no position
def test_any_text(text: str) -> None:
    parses_or_refuses(text)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(ROUTE_KEYS), trees, max_size=8))
def test_any_yaml_structure(data: dict[str, Any]) -> None:
    parses_or_refuses(yaml.safe_dump(data, allow_unicode=True))


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10_000), trees)
def test_a_shipped_route_with_one_value_replaced(seed: int, value: Any) -> None:
    text = (ROUTES_DIR / "003.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    niveau = data["niveaus"][seed % len(data["niveaus"])]
    keys = sorted(niveau)
    niveau[keys[seed % len(keys)]] = value
    parses_or_refuses(yaml.safe_dump(data, allow_unicode=True))
