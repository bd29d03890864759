"""Options shared by every command, logging set-up, progress bars and safe file output."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO, TypeVar

import typer
from rich.console import Console

if TYPE_CHECKING:  # pydantic, SQLAlchemy and Alembic load slowly: only commands that run need them
    from evidence_miner.settings import Settings
    from evidence_miner.store import EvidenceStore

T = TypeVar("T")
err_console = Console(stderr=True)
out_console = Console()

ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="A TOML file overriding the shipped defaults (see `config show`).")
]
DbOption = Annotated[
    str | None, typer.Option("--db", help="SQLite file path or database URL (default: store.db setting, evidence.db).")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary; errors only.")]
ModelOption = Annotated[
    str | None,
    typer.Option("--model", help="spaCy pipeline: 'default' (evidence-miner's own), or an installed model "
                 "name or folder such as en_core_sci_sm or en_ner_bc5cdr_md; evidence-miner's components are added."),
]
LogFormatOption = Annotated[str, typer.Option("--log-format", help="Log line format: text or json.")]


# Loggers of Dask and the web server it runs: their lines show only with --verbose.
DASK_LOGGERS = frozenset({"distributed", "dask", "tornado", "bokeh"})


class DaskFilter(logging.Filter):
    """Drops Dask's log lines below `level` (INFO with --verbose; otherwise none pass)."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name.partition(".")[0] not in DASK_LOGGERS or record.levelno >= self.level


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {"level": record.levelname, "logger": record.name, "message": record.getMessage()}
        for key in ("stage", "url", "record_id", "source", "run_id"):
            if hasattr(record, key):
                data[key] = getattr(record, key)
        return json.dumps(data, ensure_ascii=False)


def setup_logging(*, quiet: bool, verbose: bool = False, log_format: str = "text") -> None:
    """One handler on stderr: errors only with --quiet, warnings by default, info with --verbose.
    Dask's own lines (it sets its loggers to INFO when imported) show only with --verbose."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(DaskFilter(logging.INFO if verbose and not quiet else logging.CRITICAL + 1))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.ERROR if quiet else logging.INFO if verbose else logging.WARNING)


def cli_settings(config: Path | None, overrides: dict[str, dict[str, Any]] | None = None) -> Settings:
    from evidence_miner.settings import load_settings

    clean = {s: {k: v for k, v in kv.items() if v is not None} for s, kv in (overrides or {}).items()}
    return load_settings(config, {s: kv for s, kv in clean.items() if kv})


def open_store(location: str, *, read_only: bool = False) -> EvidenceStore:
    """`evidence_miner.store.open_store`, imported when a command opens a database, so that
    --help and commands without a database never load SQLAlchemy or Alembic. Commands that
    only read pass read_only: the database must exist and is never created or migrated."""
    from evidence_miner.store import open_store as open_database

    return open_database(location, read_only=read_only)


def progress(items: Iterable[T], total: int | None, label: str, *, quiet: bool) -> Iterator[T]:
    """A rich progress bar on stderr; silent under --quiet or when stderr is not a terminal."""
    if quiet or not err_console.is_terminal:
        yield from items
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task(label, total=total)
        for item in items:
            yield item
            bar.advance(task)


@contextmanager
def atomic_output(path: Path | None) -> Iterator[TextIO]:
    """Write to a temporary file beside `path` and move it into place only on success;
    without a path, write to stdout (store/output.py: one atomic writer for every output)."""
    from evidence_miner.store.output import open_output

    with open_output(path) as out:
        yield out
