"""Load the normalise stage's alias tables from the default language pack (lang/en/) and
validate them."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from typing import TypeVar

from pydantic import ValidationError

from evidence_miner.errors import ConfigError
from evidence_miner.lang import load_pack
from evidence_miner.lang.tables import TableModel

TableT = TypeVar("TableT", bound="TableModel")


def load_table(name: str, model: type[TableT]) -> TableT:
    """Read <name> of the default language pack and validate it against `model`."""
    return parse_table(load_pack().read_text(name), model, name)


def parse_table(text: str, model: type[TableT], name: str) -> TableT:
    """Validate TOML `text` against `model`; any fault is EM200 naming the file `name`."""
    try:
        return model.model_validate(tomllib.loads(text))
    except (ValidationError, tomllib.TOMLDecodeError, ValueError) as exc:
        raise ConfigError(
            f"[EM200] Invalid data file {to_where(name)}: {exc}. Fix the file."
        ) from exc


def to_where(name: str) -> str:
    """How messages name a table of the default pack: "lang/en/units.toml"."""
    return load_pack().where(name)


def to_key(text: str) -> str:
    """Lookup form of an alias: NFKC, lowercase, no dots, hyphens and space runs as one space."""
    folded = unicodedata.normalize("NFKC", text).lower().replace(".", "")
    return " ".join(re.split(r"[\s\-–]+", folded)).strip()


def to_alias_index(entries: dict[str, list[str]], name: str) -> dict[str, str]:
    """Map each alias key to its canonical name; one alias under two names is an error."""
    index: dict[str, str] = {}
    for canonical, aliases in entries.items():
        for alias in [canonical, *aliases]:
            key = to_key(alias)
            if index.setdefault(key, canonical) != canonical:
                raise ConfigError(
                    f"[EM200] Invalid data file {to_where(name)}: alias {alias!r} is listed "
                    f"under both {index[key]!r} and {canonical!r}. Keep it under one."
                )
    return index
