"""Tests for loading and validating the crawl stage's data files."""

from __future__ import annotations

import pytest

from evidence_miner.sources.rules import (
    find_junk_rule,
    load_junk_rules,
    load_meta_names,
    load_words,
    parse_junk_rules,
    parse_meta_names,
    parse_words,
)
from evidence_miner.errors import ConfigError


def test_load_junk_rules_reads_shipped_file() -> None:
    rules = load_junk_rules().rule
    assert {rule.zone for rule in rules} == {"line", "trailing"}


def test_load_words_and_meta_names_read_shipped_files() -> None:
    assert load_words().byline_prefixes
    assert load_meta_names().citation.title


def test_parse_junk_rules_rejects_unknown_key_listing_allowed() -> None:
    with pytest.raises(
        ConfigError, match=r"\[EM111\] Unknown key 'zon'.*allowed: max_words, note, pattern, zone"
    ):
        parse_junk_rules({"rule": [{"pattern": "x", "zon": "line"}]})


def test_parse_junk_rules_rejects_bad_regex() -> None:
    with pytest.raises(ConfigError, match=r"\[EM112\].*invalid regular expression"):
        parse_junk_rules({"rule": [{"pattern": "(unclosed", "zone": "line"}]})


def test_parse_junk_rules_rejects_unknown_zone() -> None:
    with pytest.raises(ConfigError, match=r"\[EM112\]"):
        parse_junk_rules({"rule": [{"pattern": "x", "zone": "middle"}]})


def test_parse_words_rejects_unknown_key() -> None:
    with pytest.raises(ConfigError, match=r"\[EM111\] Unknown key 'bylines'"):
        parse_words({"bylines": ["by"]})


def test_parse_meta_names_rejects_unknown_field() -> None:
    data = {"citation": {"headline": []}, "page": {}}
    with pytest.raises(ConfigError, match=r"\[EM111\] Unknown key 'headline'.*\[citation\]"):
        parse_meta_names(data)


@pytest.mark.parametrize(
    "line",
    [
        "Leave a Reply",
        "%d bloggers like this:",
        "Advertisement",
        "Home > News > Health",
        "Share: Facebook | X",
        "  Related posts:  ",
        "We use cookies to improve our site.",
    ],
)
def test_find_junk_rule_matches_widget_lines(line: str) -> None:
    assert find_junk_rule(line) is not None


def test_find_junk_rule_trailing_rule_never_matches_a_sentence() -> None:
    assert find_junk_rule("Comments.") is None
    assert find_junk_rule("Comments") is not None
