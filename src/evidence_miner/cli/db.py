"""`evidence-miner db`: create, upgrade or roll back a database's schema (Alembic migrations)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from evidence_miner.cli.common import ConfigOption, DbOption, cli_settings

db_app = typer.Typer(
    help="Create, upgrade or inspect a database's schema.\n\nExample: evidence-miner db migrate "
    "--db evidence.db",
    no_args_is_help=True,
)


def to_text(revisions: tuple[str, ...]) -> str:
    return ", ".join(revisions) if revisions else "empty"


def confirm_rollback(location: str, current: tuple[str, ...], target: str, *, yes: bool) -> None:
    """Ask before a rollback in a terminal; elsewhere it needs --yes (a ConfigError [EM325])."""
    from evidence_miner.errors import ConfigError
    from evidence_miner.store.rollback import describe_loss
    from evidence_miner.store.urls import to_database_url, to_shown_location, to_sqlite_path

    where = to_shown_location(location)
    backup = (
        "a copy of the file is kept beside it first"
        if to_sqlite_path(to_database_url(location))
        else "no copy is made of a server database: take one with pg_dump first"
    )
    what = (
        f"`db migrate --revision {target}` rolls {where} back from revision "
        f"{to_text(current)} to {target}, which {describe_loss(target)}"
    )
    if yes:
        return
    if not sys.stdin.isatty():
        raise ConfigError(
            f"[EM325] {what}. Nothing was changed. Pass --yes to roll back "
            f"({backup}), or run the command in a terminal to be asked."
        )
    typer.confirm(f"{what}; {backup}. Roll back?", default=False, abort=True, err=True)


@db_app.command("migrate")
def migrate(
    revision: Annotated[
        str,
        typer.Option("--revision", help="Target revision: head (newest), base (empty) or an id."),
    ] = "head",
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Roll back to an older --revision without asking.")
    ] = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Upgrade a database's schema in place, or move it to --revision.

    Every command upgrades a database when it opens it; this does it explicitly. An older
    --revision rolls back and deletes the data the older schema has no place for (base:
    every table): it asks first in a terminal and otherwise needs --yes, and a SQLite file is
    copied first to DB.REVISION-TIME.bak beside it. The whole migration is one transaction.

    Example: evidence-miner db migrate --db postgresql://me@db.example/evidence
    Example: evidence-miner db migrate --db evidence.db --revision 0004 --yes
    """
    from evidence_miner.store.evidence_store import migrate_database
    from evidence_miner.store.rollback import back_up_sqlite, find_rollback

    settings = cli_settings(config, {"store": {"db": db}})
    backup = None
    if (current := find_rollback(settings.store.db, revision)) is not None:
        confirm_rollback(settings.store.db, current, revision, yes=yes)
        backup = back_up_sqlite(settings.store.db, current)
    before, after = migrate_database(settings.store.db, revision)
    typer.echo(f"schema revision: {to_text(before)} -> {to_text(after)}")
    if backup is not None:
        typer.echo(f"backup of the database before the rollback: {backup}")


@db_app.command("status")
def status(db: DbOption = None, config: ConfigOption = None) -> None:
    """Print the database's schema revision and the newest one, changing nothing.

    The database is opened read-only: a --db that does not exist is an error [EM326], never
    created.

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
