"""`evidence-miner export`: records or one table of a database as JSONL, CSV or Parquet,
streamed."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from evidence_miner.cli.common import (
    ConfigOption,
    DbOption,
    QuietOption,
    cli_settings,
    err_console,
    open_store,
)
from evidence_miner.cli.choices import EXPORT_TABLES
from evidence_miner.errors import ConfigError

if TYPE_CHECKING:  # the store's modules import SQLAlchemy (and pyarrow for parquet): loaded on use
    from evidence_miner.store import EvidenceStore


class ExportFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


ExportTable = Enum("ExportTable", {name: name for name in EXPORT_TABLES}, type=str)  # type: ignore[misc]


def export_jsonl(store: EvidenceStore, table: str, output: Path | None) -> int:
    """Records as evidence records (what `import` reads); other tables as one object per row."""
    from evidence_miner.store.export import write_jsonl, write_rows_jsonl
    from evidence_miner.store.output import open_output
    from evidence_miner.store.tables import export_columns

    with open_output(output) as out:
        if table == "records":
            return write_jsonl(store.iter_records(), out)
        names, _ = export_columns(table, json_as_text=False)
        return write_rows_jsonl(names, store.iter_table_batches(table, json_as_text=False), out)


def export_csv(store: EvidenceStore, table: str, output: Path | None) -> int:
    """CSV with a header; a file gets a UTF-8 byte order mark so spreadsheets read accents."""
    from evidence_miner.store.export import write_csv
    from evidence_miner.store.output import open_output
    from evidence_miner.store.tables import export_columns

    names, _ = export_columns(table, json_as_text=True, csv=True)
    batches = store.iter_table_batches(table, json_as_text=True, csv=True)
    with open_output(output, encoding="utf-8-sig", newline="") as out:
        return write_csv(names, batches, out)


def check_output(fmt: ExportFormat, output: Path | None) -> None:
    if fmt is ExportFormat.parquet and output is None:
        raise ConfigError(
            "[EM310] Parquet is a binary file format and is not written to stdout. "
            "Pass -o FILE.parquet."
        )


def export_parquet(store: EvidenceStore, table: str, output: Path | None) -> int:
    from evidence_miner.store.export import write_parquet
    from evidence_miner.store.output import atomic_path
    from evidence_miner.store.tables import export_columns

    check_output(ExportFormat.parquet, output)
    assert output is not None
    names, types = export_columns(table, json_as_text=True)
    with atomic_path(output) as tmp:
        return write_parquet(names, types, store.iter_table_batches(table, json_as_text=True), tmp)


EXPORTERS = {
    ExportFormat.jsonl: export_jsonl,
    ExportFormat.csv: export_csv,
    ExportFormat.parquet: export_parquet,
}


def export(
    db: DbOption = None,
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format", help="jsonl, csv (spreadsheets) or parquet (typed, for pandas, R, DuckDB)."
        ),
    ] = ExportFormat.jsonl,
    table: Annotated[
        ExportTable,
        typer.Option(
            "--table", "-t", help="What to export: records, or one row per item of a child table."
        ),
    ] = ExportTable["records"],  # type: ignore[valid-type]
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write here instead of stdout (required for parquet)."),
    ] = None,
    config: ConfigOption = None,
    quiet: QuietOption = False,
) -> None:
    """Export the records of a database, or one of its tables, as JSONL, CSV or Parquet.

    Rows are streamed: the database is never loaded into memory at once. jsonl of records writes
    one full evidence record per line: the format `import` reads
    (export --table pages too to carry the article texts). Other tables give one JSON object,
    CSV row or Parquet row per item, with its record_id: doses and outcomes carry the drug.
    CSV files start with a UTF-8 byte order mark and leave out records.record and pages.text.

    Example: evidence-miner export --format csv --table doses -o doses.csv
    """
    settings = cli_settings(config, {"store": {"db": db}})
    name = table.value
    check_output(fmt, output)
    with open_store(settings.store.db, read_only=True) as store:
        count = EXPORTERS[fmt](store, name, output)
    if not quiet:
        err_console.print(f"exported {count} {name} rows as {fmt.value} to {output or 'stdout'}")
