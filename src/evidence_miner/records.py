"""Typed records, the only contract between pipeline stages (see docs/evidence-record.md)."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Literal

from evidence_miner.codes import DESIGNS, DIRECTIONS
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_VERSION = "1.0"

DurationUnit = Literal["day", "week", "month", "year", "hour", "minute"]
StatKind = Literal["mean", "median"]
Role = Literal["studied", "comparator", "placebo", "concomitant", "prior", "mentioned"]
Direction = Literal[DIRECTIONS]
Design = Literal[DESIGNS]
CountKind = Literal["screened", "enrolled", "randomized", "analysed", "reported"]
DoseWhen = Literal["before", "after", "loading", "maintenance"]
CharSpan = tuple[int, int]


class Model(BaseModel):
    """Base of every record: unknown fields are an error, values are validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Provenance(Model):
    """Where a value came from: its text, its character span and sentence, and a confidence."""

    text: str | None = None
    span: CharSpan | None = Field(
        default=None, description="[start, end) character offsets into the article text"
    )
    sentence: int | None = Field(default=None, ge=0, description="sentence index in the text")
    confidence: float | None = Field(default=None, ge=0.0, le=1.0)

    @field_validator("span")
    @classmethod
    def _span_is_ordered(cls, span: CharSpan | None) -> CharSpan | None:
        if span is not None and not 0 <= span[0] <= span[1]:
            raise ValueError(f"span {span} must satisfy 0 <= start <= end")
        return span


class Duration(Provenance):
    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: DurationUnit | None = None
    stat: StatKind | None = None
    iso: str | None = Field(default=None, description="ISO 8601 duration, e.g. P27M")


class Count(Provenance):
    value: int = Field(ge=0)
    kind: CountKind | None = None


class Stat(Provenance):
    value: float | None = None
    stat: StatKind | None = None
    low: float | None = None
    high: float | None = None
    unit: str | None = None


class Group(Provenance):
    label: str | None = None
    n: int | None = Field(default=None, ge=0)


class Concept(Provenance):
    name: str
    ids: dict[str, str] = Field(default_factory=dict)
    mentioned_only: bool = Field(
        default=False, description="named in passing, not a condition the study is about"
    )


class Dose(Provenance):
    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str | None = None
    route: str | None = None
    frequency: str | None = None
    frequency_per_day: float | None = None
    duration: Duration | None = None
    group: str | None = None
    group_n: int | None = Field(default=None, ge=0)
    when: DoseWhen | None = None

    @model_validator(mode="after")
    def _range_is_ordered(self) -> Dose:
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"dose range low {self.low} is above high {self.high}")
        return self


class Intervention(Provenance):
    name: str = Field(description="lowercase generic name, or the class name")
    aliases: list[str] = Field(default_factory=list)
    ids: dict[str, str] = Field(default_factory=dict)
    role: Role = "studied"
    is_class: bool = False
    doses: list[Dose] = Field(default_factory=list)


class Effect(Model):
    type: str = Field(description="HR, OR, RR, MD, SMD, NNT, ...")
    value: float
    ci: tuple[float, float] | None = None
    p: float | None = None
    p_operator: Literal["=", "<", ">", "<=", ">="] | None = None


class Outcome(Provenance):
    measure: str | None = None
    group: str | None = None
    direction: Direction | None = None
    count: int | None = Field(default=None, ge=0)
    of: int | None = Field(default=None, ge=0)
    percent: float | None = None
    value: float | None = None
    unit: str | None = None
    effect: Effect | None = None
    timepoint: Duration | None = None


class AdverseEvent(Provenance):
    name: str
    count: int | None = Field(default=None, ge=0)
    of: int | None = Field(default=None, ge=0)
    percent: float | None = None
    group: str | None = None
    serious: bool | None = None
    led_to_discontinuation: bool | None = None


class Source(Model):
    url: str
    canonical_url: str | None = None
    title: str | None = None
    site_name: str | None = None
    authors: list[str] = Field(default_factory=list)
    published: date | None = None
    fetched_at: datetime | None = None
    language: str | None = None
    text_sha256: str | None = None


class Study(Model):
    design: Design | None = None
    phase: int | None = Field(default=None, ge=1, le=4)
    trial_name: str | None = None
    journal: str | None = None
    journal_date: str | None = Field(
        default=None, description="date of publication in the journal as written or ISO"
    )
    doi: str | None = None
    pmid: str | None = None
    investigators: list[str] = Field(default_factory=list)
    institutions: list[str] = Field(default_factory=list)
    country: str | None = None
    follow_up: Duration | None = None
    treatment_duration: Duration | None = None


class Population(Model):
    total: Count | None = None
    age: Stat | None = None
    sex: str | None = None
    condition_duration: Duration | None = None
    groups: list[Group] = Field(default_factory=list)


class Findings(Model):
    """What one study reported in one article: the body of an evidence record."""

    study: Study = Field(default_factory=Study)
    conditions: list[Concept] = Field(default_factory=list)
    population: Population = Field(default_factory=Population)
    interventions: list[Intervention] = Field(default_factory=list)
    outcomes: list[Outcome] = Field(default_factory=list)
    adverse_events: list[AdverseEvent] = Field(default_factory=list)


class EvidenceRecord(Findings):
    """One study reported in one article: the product's output contract."""

    schema_version: str = SCHEMA_VERSION
    record_id: str
    source: Source
    pipeline_version: str | None = None


class Page(Model):
    """A fetched or read article page: the crawl stage's output."""

    url: str = Field(description="where it came from; a file's file:// URI")
    final_url: str | None = None
    canonical_url: str | None = None
    title: str | None = None
    site_name: str | None = None
    authors: list[str] = Field(default_factory=list)
    published: date | None = None
    language: str | None = None
    fetched_at: datetime | None = None
    content_type: str | None = None
    raw_sha256: str | None = None
    journal: str | None = Field(default=None, description="journal named in the page's metadata")
    doi: str | None = None
    text: str = Field(description="main text, boilerplate removed: every span refers to it")
    removed: list[str] = Field(default_factory=list, description="lines removed as page junk")
    metadata_sources: dict[str, str] = Field(
        default_factory=dict, description="which source each metadata value came from"
    )

    @property
    def text_sha256(self) -> str:
        return sha256_text(self.text)


class Article(Model):
    """A page after extraction: zero, one or more studies, or the reason there are none."""

    page: Page
    findings: list[Findings] = Field(default_factory=list)
    no_study_reason: str | None = None


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_record_id(page_url: str, study_index: int) -> str:
    """Stable id of a study: its page and its position there. A corrected article keeps its
    ids (record_history keeps each version), so saved references stay valid; the same page
    gives the same ids on every run."""
    digest = hashlib.sha256(f"{page_url}#study-{study_index}".encode()).hexdigest()
    return f"em-{digest[:20]}"


def record_json_schema() -> dict:
    """The JSON Schema of EvidenceRecord, generated from the pydantic models."""
    schema = EvidenceRecord.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://evidence-miner.invalid/schema/evidence-record-{SCHEMA_VERSION}.json"
    return schema


# Keys a record's JSON line starts with, so that `head records.jsonl` shows which record and
# article.
LEADING_KEYS = ("record_id", "source")


def to_json_line(record: EvidenceRecord) -> str:
    """One JSON line: record_id and source first, then the other fields in the model's order."""
    data = record.model_dump(mode="json")
    ordered = {key: data[key] for key in LEADING_KEYS} | data
    return json.dumps(ordered, ensure_ascii=False, sort_keys=False)
