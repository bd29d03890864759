"""Read and write connections on one engine, with database errors turned into coded StoreErrors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import ClassVar

from sqlalchemy import Connection, Engine

from evidence_miner.store.engine import to_write_engine
from evidence_miner.store.failures import raise_store_errors


class EngineAccess:
    """Base of the store's classes: `_writing` is one write transaction (SQLite: BEGIN
    IMMEDIATE), `_reading` one read-only connection; each class names its codes and advice."""

    write_code: ClassVar[str] = "EM305"
    read_code: ClassVar[str] = "EM306"
    write_advice: ClassVar[str] = (
        "Check that the database is reachable and writable, then run the command again."
    )
    read_advice: ClassVar[str] = (
        "Check that the database is reachable and was created by evidence-miner."
    )

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._write_engine = to_write_engine(engine)
        self._url = engine.url.render_as_string(hide_password=False)

    @contextmanager
    def _writing(self, action: str) -> Iterator[Connection]:
        with (
            raise_store_errors(self.write_code, action, self.write_advice, url=self._url),
            self._write_engine.begin() as connection,
        ):
            yield connection

    @contextmanager
    def _reading(self, action: str) -> Iterator[Connection]:
        with (
            raise_store_errors(self.read_code, action, self.read_advice, url=self._url),
            self._engine.connect() as connection,
        ):
            yield connection
