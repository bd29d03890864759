"""Tests for evidence_miner.normalise.routes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence_miner.errors import NormaliseError
from evidence_miner.normalise.routes import is_route, normalise_route

ROUTES = {
    "intravenous": "intravenous", "IV": "intravenous", "i.v.": "intravenous",
    "intravenously": "intravenous", "by mouth": "oral", "oral": "oral", "orally": "oral",
    "PO": "oral", "subcutaneous": "subcutaneous", "subcutaneously": "subcutaneous",
    "injection under the skin": "subcutaneous", "sub-Q": "subcutaneous",
    "intramuscular": "intramuscular", "IM": "intramuscular", "topical": "topical",
    "inhaled": "inhaled", "inhalation": "inhaled", "intranasal": "intranasal",
    "nasal spray": "intranasal", "intravitreal": "intravitreal",
    "intravitreal injection": "intravitreal", "intrathecal": "intrathecal",
    "transdermal": "transdermal", "sublingual": "sublingual", "under the tongue": "sublingual",
    "rectal": "rectal", "intra-articular": "intra-articular",
    "intraarticular": "intra-articular", "Intra articular": "intra-articular",
}


@pytest.mark.parametrize(("text", "expected"), ROUTES.items())
def test_normalise_route_reads_aliases(text: str, expected: str) -> None:
    assert normalise_route(text) == expected
    assert is_route(text)


@pytest.mark.parametrize("text", ["banana", "", "tablet", "daily"])
def test_normalise_route_rejects_unknown(text: str) -> None:
    assert not is_route(text)
    with pytest.raises(NormaliseError, match=r"\[EM212\].*routes\.toml"):
        normalise_route(text)


@settings(max_examples=200)
@given(st.text())
def test_normalise_route_raises_only_normalise_error(text: str) -> None:
    try:
        route = normalise_route(text)
    except NormaliseError:
        assert not is_route(text)
        return
    assert route in set(ROUTES.values())
