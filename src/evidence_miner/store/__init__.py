"""The store stage: keep pages and evidence records in SQLite or PostgreSQL, and export them."""

from evidence_miner.store.evidence_store import EvidenceStore, open_store
from evidence_miner.store.export import write_jsonl
from evidence_miner.store.save import SaveResult
from evidence_miner.store.urls import to_database_url

__all__ = ["EvidenceStore", "SaveResult", "open_store", "to_database_url", "write_jsonl"]
