"""Rule selection resolved as Ruff resolves it: selectors, specificity, and layers."""
from __future__ import annotations

import pytest

from cachelint import selection
from cachelint.config import Settings
from cachelint.selection import Selection, resolve
from tests import fakes


@pytest.fixture(autouse=True)
def catalog(monkeypatch):
    fakes.install(monkeypatch)  # CL001, CL002, CL007, CL013


def enabled(*layers: Selection) -> set[str]:
    return set(resolve(layers))


@pytest.mark.parametrize(
    "selector, expected",
    [
        ("ALL", {"CL001", "CL002", "CL007", "CL013"}),
        ("all", {"CL001", "CL002", "CL007", "CL013"}),
        ("CL", {"CL001", "CL002", "CL007", "CL013"}),
        ("CL0", {"CL001", "CL002", "CL007", "CL013"}),
        ("CL00", {"CL001", "CL002", "CL007"}),
        ("CL01", {"CL013"}),
        ("CL002", {"CL002"}),
        ("cl002", {"CL002"}),
        ("set-without-ttl", {"CL002"}),
        ("Set-Without-TTL", {"CL002"}),
    ],
)
def test_a_selector_selects(selector, expected):
    assert enabled(Selection(select=(selector,))) == expected


@pytest.mark.parametrize("selector", ["C", "", "CL3", "CL0020", "CL002x", "set-without", "ALL2", "L002", "002"])
def test_a_selector_that_names_no_rule_is_unknown(selector):
    with pytest.raises(selection.UnknownSelector):
        selection.validate(selector)


def test_known_selectors_validate_to_themselves():
    assert [selection.validate(s) for s in ("ALL", "CL", "CL01", "zero-ttl")] == ["ALL", "CL", "CL01", "zero-ttl"]


def test_the_more_specific_selector_wins_within_a_layer():
    assert enabled(Selection(select=("CL",), ignore=("CL00",))) == {"CL013"}
    assert enabled(Selection(select=("CL002",), ignore=("CL00",))) == {"CL002"}
    assert enabled(Selection(select=("ALL",), ignore=("CL",))) == set()


def test_on_a_tie_ignore_wins():
    assert enabled(Selection(select=("CL002",), ignore=("CL002",))) == set()


def test_a_rule_name_is_exactly_as_specific_as_its_code():
    assert enabled(Selection(select=("set-without-ttl",), ignore=("CL002",))) == set()
    assert enabled(Selection(select=("CL002",), ignore=("set-without-ttl",))) == set()
    assert enabled(Selection(select=("set-without-ttl",), ignore=("CL00",))) == {"CL002"}


def test_extend_select_adds_within_its_layer():
    assert enabled(Selection(select=("CL002",), extend_select=("CL007",))) == {"CL002", "CL007"}


def test_a_later_layer_with_select_starts_afresh():
    config = Selection(select=("CL002",), ignore=("CL007",), extend_select=("CL013",))
    assert enabled(config, Selection(select=("CL007",))) == {"CL007"}


def test_a_later_layer_without_select_adds_and_removes():
    config = Selection(select=("CL00",), ignore=("CL007",))
    assert enabled(config, Selection(extend_select=("CL013",))) == {"CL001", "CL002", "CL013"}
    assert enabled(config, Selection(ignore=("CL001",))) == {"CL002"}


def test_a_later_layer_overrides_an_earlier_ignore():
    config = Selection(select=("ALL",), ignore=("CL007",))
    assert "CL007" in enabled(config, Selection(extend_select=("CL007",)))
    # A later ignore removes, however specific the earlier selection was.
    assert enabled(config, Selection(ignore=("CL00",))) == {"CL013"}


def test_an_empty_layer_changes_nothing():
    assert enabled(Selection(select=("CL002",)), Selection()) == {"CL002"}


def test_settings_resolve_the_configuration_then_the_command_line():
    settings = Settings(select=("CL00",), ignore=("CL001",))
    assert settings.enabled_codes() == {"CL002", "CL007"}
    settings.command_line = Selection(extend_select=("CL001",), ignore=("CL007",))
    assert settings.enabled_codes() == {"CL001", "CL002"}
    settings.command_line = Selection(select=("zero-ttl",))
    assert settings.enabled_codes() == {"CL013"}


def test_the_default_selects_every_rule():
    assert Settings().enabled_codes() == {"CL001", "CL002", "CL007", "CL013"}


def test_selection_follows_the_registry(monkeypatch):
    class Extra(fakes.TruthyMissCheck):
        code = "CL099"
        name = "extra-rule"

    fakes.install(monkeypatch, Extra)
    assert enabled(Selection(select=("CL09",))) == {"CL099"}
    assert selection.validate("extra-rule") == "extra-rule"


def test_matching_names_every_rule_a_selector_covers_regardless_of_specificity():
    assert selection.matching(["CL00", "zero-ttl"]) == {"CL001", "CL002", "CL007", "CL013"}
    assert selection.matching(["CL999", "no-such-rule"]) == set()
    assert selection.matching([]) == set()
