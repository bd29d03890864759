"""Tests of review.record_page on a real SQLite store: each value cut around its span in its
sentence, the article text marked, the cohort values read from the record's JSON."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from evidence_miner.review.record_page import read_record_page
from evidence_miner.store import open_store
from tests.store.conftest import build_article


@pytest.fixture
def store_file(tmp_path: Path) -> tuple[Path, str]:
    db = tmp_path / "evidence.db"
    article, records = build_article(studies=1)
    with open_store(str(db)) as store:
        store.save_article(article, records, pipeline_version="1")
    return db, records[0].record_id


def test_record_page_cuts_each_value_around_its_span(store_file: tuple[Path, str]) -> None:
    db, record_id = store_file
    page = read_record_page(sqlite3.connect(db), record_id)
    assert page is not None and page.title == "IVIg helps Sjögren's neuropathy"
    doses = next(section for section in page.sections if section.kind == "doses")
    dose = doses.values[0]
    assert (dose.before, dose.marked) == ("In a retrospective study of 19 patients with Sjögren's neuropathy, IVIg ", "2 g/kg")
    assert dose.after == " was given 5 days a month to 10 patients." and dose.fields["unit"] == "g/kg"
    event = next(section for section in page.sections if section.kind == "adverse_events").values[0]
    assert (event.before, event.marked, event.after) == ("One patient ", "stopped for nausea", ".")


def test_record_page_marks_every_span_in_the_article(store_file: tuple[Path, str]) -> None:
    db, record_id = store_file
    page = read_record_page(sqlite3.connect(db), record_id)
    text = "".join(piece.text for piece in page.article)
    assert text.startswith("In a retrospective study") and text.endswith("for nausea.")
    marked = {key: piece.text for piece in page.article for key in piece.starts}
    assert marked["doses-0"] == "2 g/kg" and marked["outcomes-0"].startswith("Five of 5")
    assert page.link == "https://news.example/ivig"


def test_record_page_of_an_unknown_record_is_none(store_file: tuple[Path, str]) -> None:
    assert read_record_page(sqlite3.connect(store_file[0]), "em-nope") is None


def test_record_page_survives_a_hand_edited_record_and_a_script_url(store_file: tuple[Path, str]) -> None:
    db, record_id = store_file
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE records SET record = '{not json'")
        connection.execute("UPDATE pages SET url = 'javascript:alert(1)'")
    page = read_record_page(sqlite3.connect(db), record_id)
    assert page is not None and page.link is None
    assert "doses" in [section.kind for section in page.sections]
