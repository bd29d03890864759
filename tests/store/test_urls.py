"""Tests of store.urls: store locations to database URLs, passwords kept out of text."""

from __future__ import annotations

import pytest

from evidence_miner.store import to_database_url
from evidence_miner.store.urls import hide_password, scrub_password, to_sqlite_path


@pytest.mark.parametrize(
    ("location", "url"),
    [
        ("evidence.db", "sqlite:///evidence.db"),
        ("out/x.db", "sqlite:///out/x.db"),
        ("/data/evidence.db", "sqlite:////data/evidence.db"),
        ("sqlite:///out/x.db", "sqlite:///out/x.db"),
        ("sqlite:////abs/x.db", "sqlite:////abs/x.db"),
        ("postgresql://u:p@db:5432/em", "postgresql+psycopg://u:p@db:5432/em"),
        ("postgres://u@db/em", "postgresql+psycopg://u@db/em"),
        ("postgresql+psycopg://u@db/em", "postgresql+psycopg://u@db/em"),
        ("postgresql+psycopg2://u@db/em", "postgresql+psycopg2://u@db/em"),
        ("  evidence.db  ", "sqlite:///evidence.db"),
    ],
)
def test_to_database_url_maps_paths_and_urls(location: str, url: str) -> None:
    assert to_database_url(location) == url


def test_to_database_url_expands_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/someone")
    assert to_database_url("~/em.db") == "sqlite:////home/someone/em.db"


def test_hide_password_masks_the_password() -> None:
    shown = hide_password("postgresql+psycopg://user:s3cret@db/em")
    assert "s3cret" not in shown
    assert shown == "postgresql+psycopg://user:***@db/em"


def test_hide_password_shows_nothing_of_an_unparseable_url() -> None:
    assert "s3cret" not in hide_password("postgresql://user:s3cret@db:notaport/em")


def test_scrub_password_removes_it_from_a_driver_message() -> None:
    url = "postgresql+psycopg://user:p%40ss@db/em"
    message = scrub_password("auth failed for p@ss (p%40ss)", url)
    assert "p@ss" not in message and "p%40ss" not in message


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///out/x.db", "out/x.db"),
        ("sqlite://", None),
        ("sqlite:///:memory:", None),
        ("postgresql+psycopg://u@db/em", None),
    ],
)
def test_to_sqlite_path_finds_the_file(url: str, path: str | None) -> None:
    found = to_sqlite_path(url)
    assert (str(found) if found is not None else None) == path
