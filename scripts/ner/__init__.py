"""Helpers for scripts/train_ner.py: PubTator reading, DocBin conversion, config, scoring."""
