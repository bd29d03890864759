"""Write evidence records out of the store as JSON Lines."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TextIO

from evidence_miner.records import EvidenceRecord, to_json_line

log = logging.getLogger(__name__)


def write_jsonl(records: Iterable[EvidenceRecord], out: TextIO) -> int:
    """One JSON object per line (UTF-8, non-ASCII kept as is); returns how many were written."""
    written = 0
    for record in records:
        out.write(to_json_line(record))
        out.write("\n")
        written += 1
    log.debug("Wrote %d records as JSON Lines", written, extra={"stage": "store"})
    return written
