"""Fixtures of the reliability suite: fast crawl settings, and the ledger behind the report.

With EVIDENCE_MINER_RELIABILITY_REPORT=path set, every fault a test injects is counted into a
JSON file there (scripts/gen_reliability_report.py turns it into docs/reliability.md).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest

REPORT_VARIABLE = "EVIDENCE_MINER_RELIABILITY_REPORT"


@dataclass
class Row:
    """One fault (or hostile input) of the report: how often it was tried and what happened."""

    area: str
    fault: str
    expected: str
    tried: int = 0
    survived: int = 0
    lost: int = 0
    observed: list[str] = field(default_factory=list)


class Ledger:
    """What the suite tried and saw; a test records only figures it measured."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Row] = {}
        self.lock = threading.Lock()

    def record(
        self, area: str, fault: str, *, expected: str, observed: str,
        tried: int = 1, survived: int | None = None, lost: int = 0,
    ) -> None:  # fmt: skip
        with self.lock:
            row = self.rows.setdefault((area, fault), Row(area, fault, expected))
            row.tried += tried
            row.survived += tried if survived is None else survived
            row.lost += lost
            if observed not in row.observed:
                row.observed.append(observed)

    def to_json(self) -> dict:
        return {"rows": [asdict(row) for row in self.rows.values()]}


@pytest.fixture(scope="session")
def ledger():
    book = Ledger()
    yield book
    target = os.environ.get(REPORT_VARIABLE)
    if target:
        Path(target).write_text(json.dumps(book.to_json(), indent=1), "utf-8")


@pytest.fixture
def fast_crawl():
    """Crawl settings for fault tests: no politeness delay, short timeouts and backoff."""
    from evidence_miner.settings import load_settings
    from tests.sources.web.loopback_site import FAST_CRAWL

    return load_settings(overrides={"crawl": {**FAST_CRAWL, "retries": 2}}).crawl


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "crawl.db"
