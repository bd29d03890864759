"""The base of every table model read from a language pack's TOML files: frozen, and an unknown
key is an error that lists the allowed ones (shared by numbers.py and normalise/)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


class TableModel(BaseModel):
    """Base of every table model: an unknown key is an error that lists the allowed ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _keys_are_known(cls, data: Any) -> Any:
        unknown = sorted(set(data) - set(cls.model_fields)) if isinstance(data, dict) else []
        if unknown:
            raise ValueError(f"unknown keys {unknown}; allowed: {sorted(cls.model_fields)}")
        return data
