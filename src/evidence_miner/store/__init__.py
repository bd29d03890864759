"""The store stage: keep pages and evidence records in SQLite or PostgreSQL, and export them."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evidence_miner.store.evidence_store import EvidenceStore, open_store
    from evidence_miner.store.export import write_jsonl
    from evidence_miner.store.save import SaveResult
    from evidence_miner.store.urls import to_database_url

__all__ = ["EvidenceStore", "SaveResult", "open_store", "to_database_url", "write_jsonl"]

# Names import their module on first use: SQLAlchemy and Alembic take about a second to import,
# and a run that only writes a JSONL file (store.output) never needs them.
_MODULES = {
    "EvidenceStore": "evidence_store",
    "open_store": "evidence_store",
    "write_jsonl": "export",
    "SaveResult": "save",
    "to_database_url": "urls",
}


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_MODULES[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
