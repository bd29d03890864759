"""Tests of store.search on both backends: each filter narrows the records, hits carry their
drugs, doses and conditions, and stats count by site, design and drug."""

from __future__ import annotations

from datetime import date

import pytest

from evidence_miner.records import Concept, Count, Dose, Intervention, Population, Study
from evidence_miner.store import EvidenceStore
from evidence_miner.store.search import SearchFilters


def save_study(store: EvidenceStore, make_article, url: str, *, drug: str, n: int, design: str,
               site: str, published: date, aliases: tuple[str, ...] = ()) -> str:  # fmt: skip
    article, [record] = make_article(url, studies=1, lead=f"{url}. ")
    page = article.page.model_copy(update={"site_name": site, "published": published})
    intervention = Intervention(name=drug, aliases=list(aliases), ids={"drugbank": f"DB-{drug}"},
                                doses=[Dose(value=2.4, unit="mg", frequency="weekly", group_n=n // 2)])  # fmt: skip
    mentioned = Intervention(name="aspirin", role="mentioned")
    source = record.source.model_copy(update={"published": published, "site_name": site})
    record = record.model_copy(update={
        "interventions": [intervention, mentioned], "study": Study(design=design), "source": source,
        "population": Population(total=Count(value=n)),
    })  # fmt: skip
    store.save_article(article.model_copy(update={"page": page}), [record], pipeline_version="1")
    return record.record_id


@pytest.fixture
def ids(store: EvidenceStore, make_article) -> dict[str, str]:
    return {
        "sema_big": save_study(store, make_article, "https://a.example/1", drug="semaglutide", n=1200,
                               design="rct", site="Healio", published=date(2024, 3, 1), aliases=("Ozempic",)),
        "sema_small": save_study(store, make_article, "https://a.example/2", drug="semaglutide", n=40,
                                 design="retrospective", site="Healio", published=date(2019, 6, 1)),
        "metformin": save_study(store, make_article, "https://b.example/3", drug="metformin", n=300,
                                design="rct", site="CardioBeat", published=date(2023, 1, 5)),
    }  # fmt: skip


def found(store: EvidenceStore, **filters) -> list[str]:
    return [hit.record_id for hit in store.search(SearchFilters(**filters))]


def test_search_without_filters_lists_all_newest_first(store: EvidenceStore, ids) -> None:
    assert found(store) == [ids["sema_big"], ids["metformin"], ids["sema_small"]]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"drug": "semaglutide"}, ["sema_big", "sema_small"]),
        ({"drug": "SEMAGLUTIDE", "min_n": 100}, ["sema_big"]),
        ({"drug": "ozempic"}, ["sema_big"]),
        ({"drug": "DB-metformin"}, ["metformin"]),
        ({"drug": "aspirin"}, []),
        ({"drug": "semaglut"}, []),
        ({"condition": "sjogren"}, ["sema_big", "metformin", "sema_small"]),
        ({"condition": "D012859", "design": "rct"}, ["sema_big", "metformin"]),
        ({"condition": "asthma"}, []),
        ({"since": date(2023, 1, 5)}, ["sema_big", "metformin"]),
        ({"site": "healio", "design": "retrospective"}, ["sema_small"]),
        ({"min_n": 300, "limit": 1}, ["sema_big"]),
    ],
)
def test_search_filters_narrow_the_records(store: EvidenceStore, ids, filters, expected) -> None:
    assert found(store, **filters) == [ids[name] for name in expected]


def test_search_hit_carries_drugs_doses_and_conditions(store: EvidenceStore, ids) -> None:
    [hit] = store.search(SearchFilters(drug="semaglutide", min_n=1000))
    assert (hit.site_name, hit.published, hit.design, hit.total) == ("Healio", date(2024, 3, 1), "rct", 1200)
    assert hit.drugs == ["semaglutide"]
    assert hit.conditions == ["sjogren syndrome"]
    assert [(d.drug, d.value, d.unit, d.frequency, d.group_n) for d in hit.doses] \
        == [("semaglutide", 2.4, "mg", "weekly", 600)]


def test_search_treats_like_wildcards_as_text(store: EvidenceStore, ids) -> None:
    assert found(store, condition="%") == []
    assert found(store, drug="%") == []


def test_stats_count_by_site_design_and_drug(store: EvidenceStore, ids) -> None:
    stats = store.stats(top=5)
    assert [(row.key, row.records) for row in stats["site"]] == [("Healio", 2), ("CardioBeat", 1)]
    assert [(row.key, row.records) for row in stats["design"]] == [("rct", 2), ("retrospective", 1)]
    assert [(row.key, row.records, row.doses) for row in stats["drug"]] \
        == [("semaglutide", 2, 2), ("metformin", 1, 1)]
    assert len(store.stats(top=1)["site"]) == 1


def save_conditions(store: EvidenceStore, make_article, url: str, conditions: list[tuple[str, bool]]) -> str:
    """A record whose conditions are (name, mentioned_only) pairs."""
    article, [record] = make_article(url, studies=1, lead=f"{url}. ")
    concepts = [Concept(name=name, mentioned_only=mentioned) for name, mentioned in conditions]
    record = record.model_copy(update={"conditions": concepts, "study": Study(design="rct")})
    store.save_article(article, [record], pipeline_version="1")
    return record.record_id


def test_search_condition_matches_studied_conditions_unless_mentioned_asked(store: EvidenceStore, make_article) -> None:
    """An acne trial that names heart failure in passing is no heart-failure trial (issue 17)."""
    heart = save_conditions(store, make_article, "https://c.example/hf", [("heart failure", False)])
    acne = save_conditions(store, make_article, "https://c.example/acne", [("acne", False), ("heart failure", True)])
    assert found(store, condition="heart failure", design="rct") == [heart]
    assert sorted(found(store, condition="heart failure", mentioned=True)) == sorted([heart, acne])
    assert found(store, condition="acne") == [acne]


def test_search_drug_generic_finds_records_of_the_generic_name(store: EvidenceStore, ids) -> None:
    """The CLI passes the lexicon's generic name of a brand: `Wegovy` finds every semaglutide record,
    and the doses shown are of that drug."""
    assert found(store, drug="Wegovy") == []
    assert found(store, drug="Wegovy", drug_generic="semaglutide") == [ids["sema_big"], ids["sema_small"]]
    [hit] = store.search(SearchFilters(drug="Wegovy", drug_generic="semaglutide", min_n=1000))
    assert [dose.drug for dose in hit.doses] == ["semaglutide"]
