"""`evidence-miner db`: create, upgrade or roll back a database's schema (Alembic migrations)."""

from __future__ import annotations

from typing import Annotated

import typer

from evidence_miner.cli.common import ConfigOption, DbOption, cli_settings

db_app = typer.Typer(
    help="Create, upgrade or inspect a database's schema.\n\nExample: evidence-miner db migrate --db evidence.db",
    no_args_is_help=True,
)


def to_text(revisions: tuple[str, ...]) -> str:
    return ", ".join(revisions) if revisions else "empty"


@db_app.command("migrate")
def migrate(
    revision: Annotated[str, typer.Option("--revision", help="Target revision: head (newest), base (empty) or an id.")] = "head",
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Upgrade a database's schema in place, or move it to --revision.

    Every command upgrades a database when it opens it; this does it explicitly. An older
    --revision rolls back, keeping the data the older schema has a place for. The whole
    migration is one transaction.

    Example: evidence-miner db migrate --db postgresql://me@db.example/evidence
    """
    from evidence_miner.store.evidence_store import migrate_database

    settings = cli_settings(config, {"store": {"db": db}})
    before, after = migrate_database(settings.store.db, revision)
    typer.echo(f"schema revision: {to_text(before)} -> {to_text(after)}")


@db_app.command("status")
def status(db: DbOption = None, config: ConfigOption = None) -> None:
    """Print the database's schema revision and the newest one, changing nothing.

    Example: evidence-miner db status --db evidence.db
    """
    from evidence_miner.store.evidence_store import read_revisions
    from evidence_miner.store.migrate import list_revisions

    settings = cli_settings(config, {"store": {"db": db}})
    current, heads = read_revisions(settings.store.db)
    typer.echo(f"database revision: {to_text(current)}")
    typer.echo(f"newest revision:   {to_text(heads)}")
    typer.echo(f"revisions:         {', '.join(list_revisions())}")
    typer.echo("up to date" if set(current) == set(heads) else "needs `evidence-miner db migrate`")
