"""Write records and table rows out of the store as JSON Lines, CSV or Parquet, streaming."""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from sqlalchemy import Boolean, Date, DateTime, Float, Integer
from sqlalchemy.types import TypeEngine

from evidence_miner.records import EvidenceRecord
from evidence_miner.store.output import write_records

if TYPE_CHECKING:
    import pyarrow

log = logging.getLogger(__name__)

Row = Sequence[Any]
# A cell starting with one of these is a formula to a spreadsheet: it gets a leading quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PARQUET_ROW_GROUP = 20_000


def write_jsonl(records: Iterable[EvidenceRecord], out: TextIO) -> int:
    """One JSON object per line (UTF-8, non-ASCII kept as is); returns how many were written."""
    written = write_records(records, out)
    log.debug("Wrote %d records as JSON Lines", written, extra={"stage": "store"})
    return written


def to_json_value(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def write_rows_jsonl(names: Sequence[str], batches: Iterable[Sequence[Row]], out: TextIO) -> int:
    """Each row as one JSON object keyed by column name; dates in ISO 8601."""
    written = 0
    for batch in batches:
        for row in batch:
            out.write(
                json.dumps(
                    dict(zip(names, row, strict=True)), ensure_ascii=False, default=to_json_value
                )
            )
            out.write("\n")
        written += len(batch)
    return written


def to_csv_cell(value: Any) -> str:
    """Empty for null, true/false, ISO dates, and text that cannot turn into a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    return str(value)


def write_csv(names: Sequence[str], batches: Iterable[Sequence[Row]], out: TextIO) -> int:
    """RFC 4180 CSV (CRLF line ends, quoted where needed) with a header row."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    written = 0
    for batch in batches:
        writer.writerows([to_csv_cell(value) for value in row] for row in batch)
        written += len(batch)
    return written


def to_arrow_type(sql_type: TypeEngine[Any]) -> pyarrow.DataType:
    """The Parquet column type for a SQL column type; text for anything else."""
    import pyarrow as pa

    if isinstance(sql_type, Boolean):
        return pa.bool_()
    if isinstance(sql_type, Integer):
        return pa.int64()
    if isinstance(sql_type, Float):
        return pa.float64()
    if isinstance(sql_type, DateTime) or isinstance(getattr(sql_type, "impl", None), DateTime):
        return pa.timestamp("us", tz="UTC")
    if isinstance(sql_type, Date):
        return pa.date32()
    return pa.string()


def to_arrow_schema(names: Sequence[str], types: Sequence[TypeEngine[Any]]) -> pyarrow.Schema:
    import pyarrow as pa

    return pa.schema(
        [pa.field(name, to_arrow_type(t)) for name, t in zip(names, types, strict=True)]
    )


def to_record_batch(schema: pyarrow.Schema, batch: Sequence[Row]) -> pyarrow.RecordBatch:
    import pyarrow as pa

    columns = list(zip(*batch, strict=True)) if batch else [() for _ in schema]
    arrays = [
        pa.array(column, type=field.type) for column, field in zip(columns, schema, strict=True)
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def write_parquet(
    names: Sequence[str],
    types: Sequence[TypeEngine[Any]],
    batches: Iterable[Sequence[Row]],
    path: Path,
) -> int:
    """A typed Parquet file (zstd), written one batch at a time: memory stays flat."""
    import pyarrow.parquet as pq

    schema = to_arrow_schema(names, types)
    written = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for batch in batches:
            writer.write_batch(to_record_batch(schema, batch), row_group_size=PARQUET_ROW_GROUP)
            written += len(batch)
    return written
