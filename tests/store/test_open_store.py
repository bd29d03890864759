"""Tests of open_store: where a store can be opened, and the errors when it cannot."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from evidence_miner.errors import StoreError
from evidence_miner.store import open_store


def test_open_store_creates_missing_folders(tmp_path: Path) -> None:
    path = tmp_path / "out" / "deeper" / "x.db"
    with open_store(str(path)) as store:
        assert store.counts()["pages"] == 0
    assert path.is_file()


def test_open_store_parent_is_a_file_raises_store_error(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a folder")
    with pytest.raises(StoreError, match=r"\[EM301\].*afile.*--db"):
        open_store(str(tmp_path / "afile" / "x.db"))


def test_open_store_on_a_non_database_file_raises_store_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are notes, not a SQLite database\n" * 100)
    with pytest.raises(StoreError, match=r"\[EM30[24]\].*not a database"):
        open_store(str(path))
    assert path.read_text().startswith("these are notes")


def test_open_store_on_a_folder_raises_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"\[EM302\]"):
        open_store(str(tmp_path))


def test_open_store_never_shows_the_password(caplog: pytest.LogCaptureFixture) -> None:
    url = "postgresql://reader:Sup3rSecret@127.0.0.1:1/evidence"
    caplog.set_level(logging.DEBUG)
    with pytest.raises(StoreError) as raised:
        open_store(url)
    message = str(raised.value)
    assert message.startswith(("[EM302]", "[EM303]"))
    assert "Sup3rSecret" not in message
    assert "reader:***@127.0.0.1" in message
    assert "Sup3rSecret" not in caplog.text


def test_open_store_unknown_dialect_raises_store_error() -> None:
    with pytest.raises(StoreError, match=r"\[EM303\].*nosuchdb"):
        open_store("nosuchdb://host/db")


@pytest.mark.postgres
def test_open_store_wrong_password_on_a_real_server_is_hidden(
    pg_server_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    url = make_url(pg_server_url).set(password="Wr0ngSecret")
    caplog.set_level(logging.DEBUG)
    with pytest.raises(StoreError, match=r"\[EM302\]") as raised:
        open_store(url.render_as_string(hide_password=False))
    assert "Wr0ngSecret" not in str(raised.value) and "Wr0ngSecret" not in caplog.text
    real = make_url(pg_server_url).password
    assert not real or real not in str(raised.value)
    assert "***@" in str(raised.value)


@pytest.mark.postgres
def test_open_store_url_of_a_real_server_is_logged_without_password(
    pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with open_store(pg_url) as store:
        assert store.dialect == "postgresql"
        assert store.counts()["records"] == 0
    password = make_url(pg_url).password
    assert password and password not in caplog.text and password not in store.url
