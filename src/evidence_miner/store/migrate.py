"""Bring a store's schema to the newest Alembic revision shipped in store/migrations."""

from __future__ import annotations

import logging
from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine

from evidence_miner.errors import StoreError
from evidence_miner.store.engine import to_write_engine
from evidence_miner.store.urls import hide_password

log = logging.getLogger(__name__)


def to_alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic Config built in code: no alembic.ini in the working directory is needed."""
    location = resources.files("evidence_miner.store").joinpath("migrations")
    config = Config()
    config.set_main_option("script_location", str(location).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def read_head_revisions() -> tuple[str, ...]:
    return tuple(ScriptDirectory.from_config(to_alembic_config()).get_heads())


def read_database_revisions(connection: Connection) -> tuple[str, ...]:
    return tuple(MigrationContext.configure(connection).get_current_heads())


def migrate_to_head(engine: Engine) -> None:
    """Upgrade to head in one write transaction; a store already at head is not locked."""
    heads = set(read_head_revisions())
    with engine.connect() as connection:
        current = set(read_database_revisions(connection))
    if current == heads:
        return
    check_revisions_known(current, where=hide_password(engine.url))
    with to_write_engine(engine).begin() as connection:
        command.upgrade(to_alembic_config(connection), "heads")
    log.info("Migrated %s to revision %s", hide_password(engine.url), ", ".join(sorted(heads)))


def check_revisions_known(revisions: set[str], *, where: str) -> None:
    """Refuse a database migrated by a newer evidence-miner: its revision is not shipped here."""
    script = ScriptDirectory.from_config(to_alembic_config())
    for revision in revisions:
        try:
            script.get_revision(revision)
        except CommandError as exc:
            raise StoreError(
                f"[EM304] Database {where} has schema revision {revision!r}, "
                "which this evidence-miner does not know: it was written by a newer version. "
                "Upgrade evidence-miner, or pass another --db."
            ) from exc
