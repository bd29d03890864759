"""open_store(read_only=True): an existing database at head, opened so nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence_miner.errors import StoreError
from evidence_miner.store import open_store
from evidence_miner.store.evidence_store import migrate_database


def test_read_only_open_of_a_missing_file_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"\[EM326\].*does not exist"):
        open_store(str(tmp_path / "sub" / "typo.db"), read_only=True)
    assert list(tmp_path.iterdir()) == []


def test_read_only_open_of_an_older_schema_does_not_migrate_it(tmp_path: Path) -> None:
    path = str(tmp_path / "old.db")
    migrate_database(path, "0003")
    with pytest.raises(StoreError, match=r"\[EM327\].*0003.*db migrate"):
        open_store(path, read_only=True)
    assert migrate_database(path, "0003")[0] == ("0003",)


def test_read_only_store_refuses_to_write(tmp_path: Path) -> None:
    path = str(tmp_path / "evidence.db")
    open_store(path).close()
    with open_store(path, read_only=True) as store:
        assert store.counts()["pages"] == 0
        with pytest.raises(StoreError, match="readonly"):
            store.save_failure("https://a.example/", "test")
