"""`evidence-miner schema`: the JSON Schema of the evidence record, generated from its models."""

from __future__ import annotations

import json

import typer


def schema() -> None:
    """Print the JSON Schema every written record is valid against.

    Example: evidence-miner schema > evidence-record.schema.json
    """
    from evidence_miner.records import record_json_schema

    typer.echo(json.dumps(record_json_schema(), indent=2, ensure_ascii=False))
