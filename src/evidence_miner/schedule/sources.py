"""Read and validate a sources file (sources.toml): what to crawl, when, and how politely."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from evidence_miner.errors import ConfigError

INTERVAL_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
INTERVAL_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
# Shortest and longest interval between two runs: a crawl more often than once a minute is a
# mistake (and impolite), and APScheduler cannot schedule past its datetime range.
MIN_INTERVAL_SECONDS = 60.0
MAX_INTERVAL_SECONDS = 365 * 86400.0


class Politeness(BaseModel):
    """Per-source overrides of the [crawl] settings."""

    model_config = ConfigDict(extra="forbid")

    delay_seconds: float | None = Field(default=None, ge=0)
    concurrency: int | None = Field(default=None, ge=1)
    max_pages: int | None = Field(default=None, ge=0)


class Source(BaseModel):
    """One site to crawl on a schedule."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME_PATTERN)
    start_urls: list[str] = Field(min_length=1)
    interval: str | None = None
    cron: str | None = None
    enabled: bool = True
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    politeness: Politeness = Field(default_factory=Politeness)

    @field_validator("interval")
    @classmethod
    def check_interval(cls, value: str | None) -> str | None:
        if value is not None:
            check_interval_bounds(value, parse_interval(value))
        return value

    @field_validator("cron")
    @classmethod
    def check_cron(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                CronTrigger.from_crontab(value, timezone="UTC")
            except ValueError as exc:
                raise ValueError(f"not a cron expression ({exc}); e.g. '0 */6 * * *'") from exc
        return value

    @field_validator("include", "exclude")
    @classmethod
    def check_patterns(cls, values: list[str]) -> list[str]:
        for pattern in values:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a regular expression: {exc}") from exc
        return values

    @model_validator(mode="after")
    def check_schedule(self) -> Source:
        if (self.interval is None) == (self.cron is None):
            raise ValueError(
                "give exactly one of 'interval' (e.g. \"6h\") and 'cron' (e.g. \"0 */6 * * *\")"
            )
        return self

    def trigger(self) -> CronTrigger | IntervalTrigger:
        """The APScheduler trigger of this source's schedule (UTC)."""
        if self.cron is not None:
            return CronTrigger.from_crontab(self.cron, timezone="UTC")
        return IntervalTrigger(seconds=parse_interval(self.interval or ""), timezone="UTC")


class SourcesFile(BaseModel):
    """A sources file: its [[source]] tables."""

    model_config = ConfigDict(extra="forbid")

    source: list[Source] = Field(default_factory=list)

    def named(self, name: str) -> Source:
        for source in self.source:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.source) or "none"
        raise ConfigError(
            f"[EM704] No source named {name!r} in the sources file. Known sources: {known}."
        )

    def enabled(self) -> list[Source]:
        return [source for source in self.source if source.enabled]


def parse_interval(text: str) -> float:
    """Seconds of an interval such as "90", "30s", "15m", "6h" or "1d"; raises ValueError."""
    match = INTERVAL_PATTERN.match(str(text))
    if match is None or float(match.group(1)) <= 0:
        raise ValueError(
            f'{text!r} is not an interval; write a number with s, m, h or d, e.g. "6h"'
        )
    return float(match.group(1)) * INTERVAL_UNITS[match.group(2) or "s"]


def check_interval_bounds(text: str, seconds: float) -> None:
    """Raise ValueError for an interval shorter than a minute or longer than a year."""
    if seconds < MIN_INTERVAL_SECONDS:
        raise ValueError(
            f"{text!r} is shorter than a minute (60s); runs that close together "
            'are impolite to the site. Give at least "1m"'
        )
    if seconds > MAX_INTERVAL_SECONDS:
        raise ValueError(
            f'{text!r} is longer than a year (365d); give at most "365d", '
            "or run the crawl by hand (`crawl --sources --source NAME`)"
        )


def load_sources(path: Path) -> SourcesFile:
    """The validated sources file; a bad entry raises ConfigError with its line and key."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"[EM701] Cannot read sources file {str(path)!r}: {exc}. Check the path."
        ) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"[EM701] {path}: not valid TOML: {exc}. Fix the syntax there.") from exc
    try:
        sources = SourcesFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_source_error(exc, text, path)) from exc
    check_unique_names(sources, text, path)
    return sources


def describe_source_error(exc: ValidationError, text: str, path: Path) -> str:
    """`[EM702] sources.toml line 7, source "news", key "interval": <what is wrong>. <fix>`"""
    error = exc.errors()[0]
    where = [str(part) for part in error["loc"]]
    index = int(where[1]) if len(where) > 1 and where[1].isdigit() else None
    keys = where[2:] if index is not None else where
    line = find_line(text, index, keys)
    key = ".".join(keys) or "(the table)"
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = f"unknown key; allowed: {', '.join(allowed_keys(keys))}"
    return (
        f"[EM702] {path} line {line}, source {to_source_label(index, text)}, key {key!r}: "
        f"{message}. "
        'Fix that entry (see the README\'s "Scheduled crawls" section).'
    )


def allowed_keys(keys: list[str]) -> list[str]:
    model: type[BaseModel] = Politeness if keys[:1] == ["politeness"] else Source
    if not keys:
        model = SourcesFile
    return sorted(model.model_fields)


def to_source_label(index: int | None, text: str) -> str:
    if index is None:
        return "-"
    names = re.findall(
        r'^\s*name\s*=\s*"([^"]*)"', "\n".join(source_blocks(text)[index : index + 1]), re.MULTILINE
    )
    return repr(names[0]) if names else f"#{index + 1}"


def source_blocks(text: str) -> list[str]:
    """The text of each [[source]] table (with its sub-tables), in order."""
    parts = re.split(r"^\s*\[\[\s*source\s*\]\]", text, flags=re.MULTILINE)
    return parts[1:]


def find_line(text: str, index: int | None, keys: list[str]) -> int:
    """The 1-based line of `keys` inside the index-th [[source]] table (or the table's header)."""
    lines = text.splitlines()
    headers = [n for n, line in enumerate(lines) if re.match(r"^\s*\[\[\s*source\s*\]\]", line)]
    if index is None or index >= len(headers):
        return 1
    start = headers[index]
    end = headers[index + 1] if index + 1 < len(headers) else len(lines)
    wanted = keys[-1] if keys and not keys[-1].isdigit() else (keys[-2] if len(keys) > 1 else "")
    for number in range(start, end):
        if wanted and re.match(rf"^\s*{re.escape(wanted)}\s*=", lines[number]):
            return number + 1
    return start + 1


def check_unique_names(sources: SourcesFile, text: str, path: Path) -> None:
    seen: set[str] = set()
    for index, source in enumerate(sources.source):
        if source.name in seen:
            line = find_line(text, index, ["name"])
            raise ConfigError(
                f"[EM703] {path} line {line}: source name {source.name!r} is used twice. "
                "Give each source its own name."
            )
        seen.add(source.name)
