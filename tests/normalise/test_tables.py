"""Tests for evidence_miner.normalise.tables and the validation of every shipped data table."""

from __future__ import annotations

import pytest

from evidence_miner.errors import ConfigError, NormaliseError
from evidence_miner.normalise.durations import DurationTable, load_duration_index
from evidence_miner.normalise.frequency import FrequencyTable, load_named_frequencies
from evidence_miner.normalise.tables import parse_table, to_alias_index, to_key
from evidence_miner.normalise.units import UnitAtom, UnitTable, check_unit_atom, load_unit_index


def test_shipped_tables_load_and_validate() -> None:
    assert load_unit_index()[to_key("µg")] == "mcg"
    assert load_duration_index()["yrs"] == "year"
    assert load_named_frequencies()["twice daily"].per_day == 2.0


@pytest.mark.parametrize(
    ("model", "text", "allowed"),
    [
        (UnitTable, 'units = 1\n[atoms]\n', "['atoms', 'definitions']"),
        (DurationTable, 'filler = []\nstats = {}\nunits = {}\nextra = 1\n',
         "['filler', 'stats', 'units']"),
        (FrequencyTable, 'multiplicatives = {}\nevery_words = {}\nq_units = {}\nadverbs = {}\n'
         '[frequencies.daily]\naliases = []\nper_day = 1\n',
         "['aliases', 'ambiguous', 'every', 'times']"),
    ],
)
def test_parse_table_unknown_key_lists_allowed(model: type, text: str, allowed: str) -> None:
    with pytest.raises(ConfigError, match=r"\[EM200\]") as caught:
        parse_table(text, model, "x.toml")
    assert allowed in str(caught.value)


def test_parse_table_rejects_bad_toml_and_bad_values() -> None:
    with pytest.raises(ConfigError, match=r"\[EM200\].*x\.toml"):
        parse_table("[units\n", DurationTable, "x.toml")
    with pytest.raises(ConfigError, match=r"\[EM200\]"):
        parse_table('filler = []\nstats = {}\n[units.fortnight]\niso = "P{}F"\naliases = []\n',
                    DurationTable, "durations.toml")


def test_to_alias_index_rejects_alias_under_two_names() -> None:
    with pytest.raises(ConfigError, match=r"\[EM200\].*'P\.O\.'.*oral"):
        to_alias_index({"oral": ["po"], "rectal": ["P.O."]}, "x.toml")


def test_check_unit_atom_rejects_dimension_not_allowed_by_role() -> None:
    with pytest.raises(ConfigError, match=r"\[EM200\].*role 'amount'"):
        check_unit_atom("d", UnitAtom(pint="day", role="amount", aliases=[]))
    with pytest.raises(ConfigError, match=r"\[EM200\].*pint cannot read"):
        check_unit_atom("x", UnitAtom(pint="furlong_per_fortnightzz", role="amount", aliases=[]))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("B.I.D.", "bid"), ("once-daily", "once daily"), ("  Mg/M² ", "mg/m2"), ("µg", "μg")],
)
def test_to_key_folds_case_dots_hyphens_and_unicode(text: str, expected: str) -> None:
    assert to_key(text) == expected
