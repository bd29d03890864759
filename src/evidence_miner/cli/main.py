"""The `evidence-miner` command: one Typer app, one module per subcommand, each imported only
when it runs or shows its own help."""

from __future__ import annotations

import gc
import sys
from importlib import import_module
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup
from typer.models import CommandInfo

from evidence_miner import __version__
from evidence_miner.cli.common import LogFormatOption, err_console, setup_logging
from evidence_miner.errors import EvidenceMinerError

# Every command: where it lives, and the first paragraph of its help, which `evidence-miner
# --help` lists without importing the command (tests/cli/test_startup.py keeps the two equal).
# Listed in this order; Typer sub-apps (config, db) last, as Typer lists groups.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": (
        "evidence_miner.cli.run:run",
        "Run every stage over the bundled corpus (or PATHS) into evidence.db and records.jsonl.",
    ),
    "extract": (
        "evidence_miner.cli.extract:extract",
        "Extract evidence records from articles: JSONL on stdout by default. With --db the "
        "records are also stored in that database.",
    ),
    "export": (
        "evidence_miner.cli.export:export",
        "Export the records of a database, or one of its tables, as JSONL, CSV or Parquet.",
    ),
    "evaluate": (
        "evidence_miner.cli.evaluate:evaluate",
        "Score records against gold files: per-field precision, recall and F1, micro F1 last.",
    ),
    "schema": (
        "evidence_miner.cli.schema:schema",
        "Print the JSON Schema every written record is valid against.",
    ),
    "show": (
        "evidence_miner.cli.show:show",
        "Print one record with each extracted value next to the sentence it came from.",
    ),
    "import": (
        "evidence_miner.cli.import_:import_",
        "Load JSONL exports (records and pages) into a database.",
    ),
    "search": (
        "evidence_miner.cli.search:search",
        "Find records by drug, condition, design, cohort size, date and site.",
    ),
    "stats": (
        "evidence_miner.cli.stats:stats",
        "Count pages, records and rows, and records by site, design and drug.",
    ),
    "browse": (
        "evidence_miner.cli.browse:browse",
        "Open a SQLite database in Datasette to look at records in a browser.",
    ),
    "crawl": (
        "evidence_miner.cli.crawl:crawl",
        "Crawl news sites, feeds and sitemaps and store the evidence records of every article.",
    ),
    "schedule": (
        "evidence_miner.cli.schedule:schedule",
        "Run each enabled source's crawl on its schedule until stopped (SIGTERM or Ctrl-C).",
    ),
    "runs": (
        "evidence_miner.cli.runs:runs",
        "List the runs of scheduled crawls (`schedule`, `crawl --source`), newest first.",
    ),
    "text": (
        "evidence_miner.cli.text:text",
        "Print the main text and metadata of pages exactly as the crawler keeps them, with the "
        "source "
        "of every metadata value (citation_title, json-ld, og:title, htmldate...).",
    ),
    "config": ("evidence_miner.cli.config:config_app", "Inspect settings."),
    "db": ("evidence_miner.cli.db:db_app", "Create, upgrade or inspect a database's schema."),
}


class LazyGroup(TyperGroup):
    """The top-level group: a command's module is imported when the command runs or shows its
    own help; `--help` lists the summaries in COMMANDS, so it and `--version` import none."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # None: not loaded yet
        self.commands: dict[str, Any] = dict.fromkeys(COMMANDS) | self.commands
        self.listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    def get_command(self, ctx: Any, name: str) -> Any:
        if name not in self.commands:
            return None
        if self.commands[name] is None:
            if self.listing:
                return TyperCommand(name, help=COMMANDS[name][1])
            self.commands[name] = load_command(name)
        return self.commands[name]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False


def load_command(name: str) -> Any:
    """The Click command (or group, for a Typer sub-app) of COMMANDS[name], built as Typer would."""
    module, attribute = COMMANDS[name][0].split(":")
    target = getattr(import_module(module), attribute)
    if isinstance(target, typer.Typer):
        group = typer.main.get_group(target)
        group.name = name
        return group
    return typer.main.get_command_from_info(
        CommandInfo(name=name, callback=target),
        pretty_exceptions_short=app.pretty_exceptions_short,
        rich_markup_mode=app.rich_markup_mode,
    )


app = typer.Typer(
    name="evidence-miner",
    help="Mine structured evidence records (drugs, doses, cohorts, outcomes, adverse events) "
    "from medical news articles.\n\nExample: evidence-miner run corpus/",
    cls=LazyGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def show_version(value: bool) -> None:
    if value:
        typer.echo(f"evidence-miner {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    log_format: LogFormatOption = "text",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Errors only.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Info lines too, Dask's included.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=show_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Mine structured evidence records from medical news articles."""
    setup_logging(quiet=quiet, verbose=verbose, log_format=log_format)


def main() -> None:
    """The `evidence-miner` program: run the command, then leave (see freeze_for_exit)."""
    try:
        app()
    except EvidenceMinerError as exc:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    finally:
        freeze_for_exit()


def freeze_for_exit() -> None:
    """Move every object to the collector's permanent generation as the program ends: the
    collections Python runs while it shuts down then skip the million objects of spaCy and the
    pipeline (0.2-0.3 s of a one-article run). Objects are still freed and finalized, and exit
    handlers still run; only the program's entry point calls this."""
    gc.freeze()
