"""Fixtures for the store tests: a real database per test on each backend (a SQLite file,
a fresh schema on the PostgreSQL server EVIDENCE_MINER_TEST_PG names) and article factories."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from evidence_miner.records import (
    AdverseEvent,
    Article,
    Concept,
    Count,
    Dose,
    Duration,
    Effect,
    EvidenceRecord,
    Group,
    Intervention,
    Outcome,
    Page,
    Population,
    Source,
    Study,
    make_record_id,
)
from evidence_miner.store import EvidenceStore, open_store, to_database_url
from evidence_miner.store.engine import create_store_engine

PG_VARIABLE = "EVIDENCE_MINER_TEST_PG"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]

ArticleFactory = Callable[..., tuple[Article, list[EvidenceRecord]]]

TEXT = (
    "In a retrospective study of 19 patients with Sjögren's neuropathy, IVIg 2 g/kg was "
    "given 5 days a month to 10 patients. Five of 5 improved (HR 0.61, 95% CI 0.42-0.88, "
    "p=0.01). One patient stopped for nausea."
)


def to_span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return (start, start + len(part))


def build_page(url: str, text: str) -> Page:
    return Page(
        url=url,
        final_url=url,
        title="IVIg helps Sjögren's neuropathy",
        site_name="Example News",
        authors=["A. Writer"],
        published=date(2015, 4, 2),
        language="en",
        fetched_at=datetime(2024, 5, 1, 12, 30, tzinfo=UTC),
        content_type="text/html",
        raw_sha256="0" * 64,
        text=text,
        removed=["Leave a Reply"],
        metadata_sources={"title": "og:title"},
    )


def build_intervention(text: str) -> Intervention:
    dose = Dose(
        text="2 g/kg", span=to_span(text, "2 g/kg"), sentence=0, value=2.0, unit="g/kg",
        route="intravenous", frequency="5 days a month", group="5-day", group_n=10,
        duration=Duration(value=27, unit="month", iso="P27M"), confidence=0.9,
    )
    return Intervention(
        text="IVIg", span=to_span(text, "IVIg"), sentence=0, name="immunoglobulin",
        aliases=["IVIg"], ids={"drugbank": "DB00028", "mesh": "D016756"}, doses=[dose],
    )


def build_findings(text: str, study_index: int) -> dict:
    return {
        "study": Study(design="retrospective", journal="Arthritis Care & Research"),
        "conditions": [Concept(name="sjogren syndrome", ids={"mesh": "D012859"},
                               text="Sjögren's", span=to_span(text, "Sjögren's"))],
        "population": Population(
            total=Count(value=19 + study_index, text="19 patients", kind="reported"),
            groups=[Group(label="5-day", n=10)],
        ),
        "interventions": [build_intervention(text)],
        "outcomes": [Outcome(
            text="Five of 5 improved", span=to_span(text, "Five of 5 improved"), sentence=1,
            measure="neuropathy", group="5-day", direction="improved", count=5, of=5,
            effect=Effect(type="HR", value=0.61, ci=(0.42, 0.88), p=0.01, p_operator="="),
        )],
        "adverse_events": [AdverseEvent(
            name="nausea", count=1, led_to_discontinuation=True, text="stopped for nausea",
            span=to_span(text, "stopped for nausea"), sentence=2,
        )],
    }


def build_record(page: Page, study_index: int) -> EvidenceRecord:
    source = Source(url=page.url, title=page.title, published=page.published,
                    fetched_at=page.fetched_at, text_sha256=page.text_sha256)
    return EvidenceRecord(
        record_id=make_record_id(page.url, study_index), source=source,
        pipeline_version="test", **build_findings(page.text, study_index),
    )


def build_article(
    url: str = "https://news.example/ivig", *, studies: int = 2, lead: str = ""
) -> tuple[Article, list[EvidenceRecord]]:
    """An article (`lead` + TEXT) and its records: `studies` == 0 gives a no-study article."""
    page = build_page(url, lead + TEXT)
    records = [build_record(page, index) for index in range(studies)]
    reason = None if studies else "news without a study"
    findings = [record_to_findings(record) for record in records]
    return Article(page=page, findings=findings, no_study_reason=reason), records


def record_to_findings(record: EvidenceRecord) -> dict:
    keys = ("study", "conditions", "population", "interventions", "outcomes", "adverse_events")
    return {key: getattr(record, key) for key in keys}


@pytest.fixture(scope="session")
def make_article() -> ArticleFactory:
    return build_article


@pytest.fixture(scope="session")
def new_pg_schema() -> Callable[[str], Any]:
    """make_pg_schema, for fixtures of a wider scope than pg_url."""
    return make_pg_schema


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A SQLite file for the tests about SQLite itself (WAL, files, locks)."""
    return tmp_path / "evidence.db"


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    url = os.environ.get(PG_VARIABLE, "").strip()
    if not url:
        pytest.skip(f"{PG_VARIABLE} is not set (.ci/run starts a server and sets it)")
    return url


def with_search_path(url: str, schema: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


@contextmanager
def make_pg_schema(server_url: str) -> Iterator[str]:
    """A URL of the server whose tables live in a new, empty schema, dropped afterwards."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(to_database_url(server_url))
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield with_search_path(server_url, schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text("SET lock_timeout = '20s'"))
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def pg_url(pg_server_url: str) -> Iterator[str]:
    with make_pg_schema(pg_server_url) as url:
        yield url


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store location on each backend: a SQLite file path, or a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "evidence.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(db_url: str) -> Iterator[EvidenceStore]:
    with open_store(db_url) as opened:
        yield opened


def sql_rows(db_url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """Rows of a raw SQL query, read through a connection of its own."""
    engine = create_store_engine(to_database_url(db_url))
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), params)]
    finally:
        engine.dispose()


def sql_execute(db_url: str, sql: str, **params: Any) -> None:
    engine = create_store_engine(to_database_url(db_url))
    try:
        with engine.begin() as connection:
            connection.execute(text(sql), params)
    finally:
        engine.dispose()


Query = Callable[..., list[tuple[Any, ...]]]


@pytest.fixture
def query(db_url: str) -> Query:
    """Run raw SQL against the test's database: `query("SELECT ...", name=value)`."""
    return lambda sql, **params: sql_rows(db_url, sql, **params)


@pytest.fixture
def execute(db_url: str) -> Callable[..., None]:
    return lambda sql, **params: sql_execute(db_url, sql, **params)
