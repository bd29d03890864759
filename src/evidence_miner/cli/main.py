"""The `evidence-miner` command: one Typer app, one module per subcommand."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from evidence_miner import __version__
from evidence_miner.cli.common import LogFormatOption, err_console, setup_logging
from evidence_miner.cli.config import config_app
from evidence_miner.cli.crawl import crawl
from evidence_miner.cli.runs import runs
from evidence_miner.cli.schedule import schedule
from evidence_miner.cli.text import text
from evidence_miner.cli.browse import browse
from evidence_miner.cli.db import db_app
from evidence_miner.cli.import_ import import_
from evidence_miner.cli.search import search
from evidence_miner.cli.stats import stats
from evidence_miner.cli.evaluate import evaluate
from evidence_miner.cli.export import export
from evidence_miner.cli.extract import extract
from evidence_miner.cli.run import run
from evidence_miner.cli.schema import schema
from evidence_miner.cli.show import show
from evidence_miner.errors import EvidenceMinerError

app = typer.Typer(
    name="evidence-miner",
    help="Mine structured evidence records (drugs, doses, cohorts, outcomes, adverse events) "
    "from medical news articles.\n\nExample: evidence-miner run corpus/",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command()(run)
app.command()(extract)
app.command()(export)
app.command()(evaluate)
app.command()(schema)
app.command()(show)
app.add_typer(config_app, name="config")
app.command("import")(import_)
app.command()(search)
app.command()(stats)
app.command()(browse)
app.add_typer(db_app, name="db")
app.command()(crawl)
app.command()(schedule)
app.command()(runs)
app.command()(text)


def show_version(value: bool) -> None:
    if value:
        typer.echo(f"evidence-miner {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    log_format: LogFormatOption = "text",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Errors only.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Info lines too, Dask's included.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=show_version, is_eager=True, help="Print the version.")] = False,
) -> None:
    """Mine structured evidence records from medical news articles."""
    setup_logging(quiet=quiet, verbose=verbose, log_format=log_format)


def main() -> None:
    try:
        app()
    except EvidenceMinerError as exc:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
