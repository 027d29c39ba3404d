"""Every catalogued rule fires on a dossier that breaks it and stays quiet on a near-identical
one that keeps it."""

from __future__ import annotations

import functools

import pytest
from rule_cases import CASES

from dossier_format.checks import check
from dossier_format.routes import Route, load_route
from dossier_format.rules.catalogue import CATALOGUE


@functools.cache
def route(route_id: str) -> Route:
    """Routes are immutable; load each once per test process."""
    return load_route(route_id)


def _rules(rule_id: str, fire: bool) -> list[str]:
    case = CASES[rule_id]
    data = case.fire if fire else case.quiet
    return [f.rule for f in check(data, route(case.route), case.today)]


def test_every_catalogued_rule_has_a_case() -> None:
    assert sorted(CASES) == sorted(CATALOGUE)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires(rule_id: str) -> None:
    assert rule_id in _rules(rule_id, fire=True)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_stays_quiet(rule_id: str) -> None:
    assert rule_id not in _rules(rule_id, fire=False)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_findings_carry_catalogue_severity_and_a_source(rule_id: str) -> None:
    case = CASES[rule_id]
    for f in check(case.fire, route(case.route), case.today):
        assert f.severity == CATALOGUE[f.rule].severity
        assert f.source and f.message
