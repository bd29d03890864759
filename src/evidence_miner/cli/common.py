"""Options shared by every command, logging set-up and the one progress display."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

if TYPE_CHECKING:  # pydantic, SQLAlchemy and Alembic load slowly: only commands that run need them
    from evidence_miner.settings import Settings
    from evidence_miner.store import EvidenceStore

T = TypeVar("T")
err_console = Console(stderr=True)
out_console = Console()

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", help="A TOML file overriding the shipped defaults (see `config show`)."
    ),
]
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="SQLite file path or database URL (default: store.db setting, evidence.db)."
    ),
]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress bar or summary; errors only.")
]
ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model",
        help="spaCy pipeline: 'default' (evidence-miner's own), or an installed model "
        "name or folder such as en_core_sci_sm or en_ner_bc5cdr_md; evidence-miner's components "
        "are added.",
    ),
]
SinkOption = Annotated[
    list[str] | None,
    typer.Option(
        "--sink",
        metavar="<sink>",
        help="Also send every result to this sink, NAME or NAME=TARGET (repeatable): "
        "jsonl=PATH, sql=DB, stdout, or one a plugin installs (docs/sinks.md).",
    ),
]
LogFormatOption = Annotated[
    str, typer.Option("--log-format", help="Log line format: text or json.")
]


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


def cli_settings(
    config: Path | None, overrides: dict[str, dict[str, Any]] | None = None
) -> Settings:
    from evidence_miner.settings import load_settings

    clean = {
        s: {k: v for k, v in kv.items() if v is not None} for s, kv in (overrides or {}).items()
    }
    return load_settings(config, {s: kv for s, kv in clean.items() if kv})


def open_store(location: str, *, read_only: bool = False) -> EvidenceStore:
    """`evidence_miner.store.open_store`, imported when a command opens a database, so that
    --help and commands without a database never load SQLAlchemy or Alembic. Commands that
    only read pass read_only: the database must exist and is never created or migrated."""
    from evidence_miner.store import open_store as open_database

    return open_database(location, read_only=read_only)


class ProgressLine:
    """The one progress display: a line on stderr with a label, a bar (M of N, or a pulse without
    a total), a status text, the rate and the time left (or taken); silent under --quiet or when
    stderr is
    not a terminal. `showing()` holds it on screen; `advance` and `describe` update it."""

    def __init__(
        self, label: str, *, quiet: bool, total: int | None = None, unit: str = "", eta: bool = True
    ) -> None:
        self.label, self.total, self.unit, self.eta = label, total, unit, eta
        self.enabled = not quiet and err_console.is_terminal
        self.bar: Any = None
        self.task: Any = None

    @contextmanager
    def showing(self) -> Iterator[ProgressLine]:
        if not self.enabled:
            yield self
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[status]}"),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn() if self.eta else TimeElapsedColumn(),
        )
        with Progress(*columns, console=err_console, transient=True) as bar:
            self.bar = bar
            self.task = bar.add_task(self.label, total=self.total, status="", rate="")
            yield self
        self.bar = self.task = None

    def set_total(self, total: int | None) -> None:
        self.total = total
        if self.bar is not None:
            self.bar.update(self.task, total=total)

    def advance(self, *, status: str = "") -> None:
        if self.bar is not None:
            self.bar.update(self.task, advance=1, status=status, rate=self.to_rate())

    def describe(self, description: str) -> None:
        if self.bar is not None:
            self.bar.update(self.task, description=description)

    def to_rate(self) -> str:
        task = self.bar.tasks[0] if self.bar is not None and self.bar.tasks else None
        speed = None if task is None else task.finished_speed or task.speed
        return "" if speed is None or not self.unit else f"{speed:.1f} {self.unit}/s"


def progress(items: Iterable[T], total: int | None, label: str, *, quiet: bool) -> Iterator[T]:
    """Each item, with a ProgressLine advanced as it goes."""
    with ProgressLine(label, quiet=quiet, total=total).showing() as line:
        for item in items:
            yield item
            line.advance()
