"""Load and validate the sources stage's data: page-junk line rules and word lists (of the default
language pack, lang/en/) and the HTML metadata names (sources/data/meta_names.toml)."""

from __future__ import annotations

import functools
import logging
import re
import tomllib
from importlib import resources
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from evidence_miner.errors import ConfigError
from evidence_miner.lang import load_pack

log = logging.getLogger(__name__)

DATA_PACKAGE = "evidence_miner.sources"
JUNK_FILE = "junk_lines.toml"
WORDS_FILE = "page_words.toml"
META_NAMES_FILE = "meta_names.toml"
M = TypeVar("M", bound=BaseModel)
SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*$")


class DataModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class JunkRule(DataModel):
    """One page-junk line pattern, matched case-insensitively against a whole stripped line."""

    pattern: re.Pattern[str]
    zone: Literal["line", "trailing"]
    max_words: int | None = Field(default=None, gt=0)
    note: str | None = None

    @field_validator("pattern", mode="before")
    @classmethod
    def _compile(cls, value: Any) -> re.Pattern[str]:
        if not isinstance(value, str):
            return value  # pydantic then reports the wrong type
        try:
            return re.compile(value, re.IGNORECASE)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {value!r}: {exc}") from exc

    def matches(self, line: str) -> bool:
        stripped = line.strip()
        if self.max_words is not None and len(stripped.split()) > self.max_words:
            return False
        if self.zone == "trailing" and SENTENCE_END.search(stripped):
            return False
        return self.pattern.fullmatch(stripped) is not None


class JunkRules(DataModel):
    rule: list[JunkRule] = Field(min_length=1)


class Words(DataModel):
    """Word lists for bylines, date lines, article metadata and titles (see page_words.toml)."""

    byline_prefixes: list[str]
    byline_roles: list[str]
    date_prefixes: list[str]
    update_prefixes: list[str]
    credentials: list[str]
    article_types: list[str]
    journal_types: list[str]
    title_separators: list[str]


class FieldNames(DataModel):
    """HTML <meta> names (lowercased) read for each metadata field, most trusted first."""

    title: list[str]
    published: list[str]
    authors: list[str]
    language: list[str]
    journal: list[str]
    doi: list[str]
    canonical_url: list[str]
    site_name: list[str]


class MetaNames(DataModel):
    citation: FieldNames = Field(description="trusted above JSON-LD and microdata")
    page: FieldNames = Field(description="trusted below JSON-LD and microdata")


def to_where(name: str) -> str:
    """Where a data file lives, as messages name it: HTML metadata names in sources/data/, the
    words in the default language pack ("lang/en/junk_lines.toml")."""
    return f"sources/data/{name}" if name == META_NAMES_FILE else load_pack().where(name)


def read_data_toml(name: str) -> dict[str, Any]:
    if name == META_NAMES_FILE:
        text = resources.files(DATA_PACKAGE).joinpath("data", name).read_text("utf-8")
    else:
        text = load_pack().read_text(name)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"[EM110] {to_where(name)} is not valid TOML: {exc}. Fix the file."
        ) from exc


def check_known_keys(data: dict[str, Any], model: type[BaseModel], *, where: str) -> None:
    """Raise ConfigError naming an unknown key and the allowed ones (pydantic says only 'extra')."""
    allowed = sorted(model.model_fields)
    for key in data:
        if key not in allowed:
            raise ConfigError(
                f"[EM111] Unknown key {key!r} in {where}; allowed: {', '.join(allowed)}."
            )


def parse_junk_rules(data: dict[str, Any]) -> JunkRules:
    check_known_keys(data, JunkRules, where=to_where(JUNK_FILE))
    for index, rule in enumerate(data.get("rule", [])):
        if isinstance(rule, dict):
            check_known_keys(rule, JunkRule, where=f"{to_where(JUNK_FILE)} rule {index + 1}")
    return validate_data(JunkRules, data, name=JUNK_FILE)


def parse_words(data: dict[str, Any]) -> Words:
    check_known_keys(data, Words, where=to_where(WORDS_FILE))
    return validate_data(Words, data, name=WORDS_FILE)


def validate_data(model: type[M], data: dict[str, Any], *, name: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"[EM112] Invalid {to_where(name)}: {problems}. Fix the file.") from exc


def parse_meta_names(data: dict[str, Any]) -> MetaNames:
    where = f"sources/data/{META_NAMES_FILE}"
    check_known_keys(data, MetaNames, where=where)
    for group, names in data.items():
        if isinstance(names, dict):
            check_known_keys(names, FieldNames, where=f"{where} [{group}]")
    return validate_data(MetaNames, data, name=META_NAMES_FILE)


@functools.cache
def load_junk_rules() -> JunkRules:
    rules = parse_junk_rules(read_data_toml(JUNK_FILE))
    log.debug("loaded %d junk-line rules", len(rules.rule))
    return rules


@functools.cache
def load_words() -> Words:
    return parse_words(read_data_toml(WORDS_FILE))


@functools.cache
def load_meta_names() -> MetaNames:
    return parse_meta_names(read_data_toml(META_NAMES_FILE))


def find_junk_rule(line: str) -> JunkRule | None:
    """The first junk-line rule matching the whole line, or None."""
    return next((rule for rule in load_junk_rules().rule if rule.matches(line)), None)
