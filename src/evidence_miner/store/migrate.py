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


def list_revisions() -> list[str]:
    """Every shipped revision, oldest first."""
    script = ScriptDirectory.from_config(to_alembic_config())
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def check_target_revision(target: str) -> None:
    known = list_revisions()
    if target not in known and target not in ("head", "heads", "base"):
        raise StoreError(
            f"[EM313] Unknown schema revision {target!r}. "
            f"Pass --revision with one of: head, base, {', '.join(known)}."
        )


def is_downgrade(current: tuple[str, ...], target: str) -> bool:
    """True when `target` is older than the database's revision (history is linear)."""
    if target in ("head", "heads") or not current:
        return False
    order = ["base", *list_revisions()]
    return order.index(target) < max(order.index(revision) for revision in current)


def migrate_to_revision(engine: Engine, target: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Upgrade or downgrade to `target` in one write transaction; (before, after) revisions."""
    check_target_revision(target)
    with engine.connect() as connection:
        before = read_database_revisions(connection)
    check_revisions_known(set(before), where=hide_password(engine.url))
    with to_write_engine(engine).begin() as connection:
        config = to_alembic_config(connection)
        if is_downgrade(before, target):
            command.downgrade(config, target)
        else:
            command.upgrade(config, "heads" if target == "head" else target)
        after = read_database_revisions(connection)
    log.info("Migrated %s from %s to %s", hide_password(engine.url), before or "empty", after)
    return before, after
