"""Read gold files (NAME.expected.json beside NAME.txt/.html) into typed gold studies."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from evidence_miner.errors import InputError
from evidence_miner.sources.formats import page_suffixes


class GoldModel(BaseModel):
    model_config = ConfigDict(extra="allow")


class GoldDrug(GoldModel):
    name: str
    role: str = "studied"
    match: list[str] = Field(default_factory=list)


class GoldStudy(GoldModel):
    """One study of a gold file; only the keys evaluation reads are typed, the rest are kept."""

    id: str | None = None
    study: dict = Field(default_factory=dict)
    drugs: list[GoldDrug] = Field(default_factory=list)
    doses: list[dict] = Field(default_factory=list)
    population: dict = Field(default_factory=dict)
    outcomes: list[dict] = Field(default_factory=list)
    adverse_events: list[dict] = Field(default_factory=list)


class GoldArticle(BaseModel):
    stem: str
    gold_path: Path
    article_path: Path | None
    studies: list[GoldStudy]
    news_id: str | None = Field(
        default=None, description="a real article of the FakeHealth data set"
    )


def find_news_id(data: object) -> str | None:
    """The `news_id` a gold file names (real news: the text stays in the data set)."""
    first = data[0] if isinstance(data, list) and data else data
    value = first.get("news_id") if isinstance(first, dict) else None
    return value if isinstance(value, str) and value else None


def find_article_for(gold_path: Path) -> Path | None:
    stem = gold_path.name.removesuffix(".expected.json")
    for suffix in page_suffixes():  # .txt, .html, .htm and the page formats of plugins
        candidate = gold_path.with_name(stem + suffix)
        if candidate.is_file():
            return candidate
    return None


def parse_gold(gold_path: Path) -> GoldArticle:
    try:
        data = json.loads(gold_path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(
            f"[EM501] Gold file {str(gold_path)!r} cannot be read as JSON: {exc}. Fix the file."
        ) from exc
    items = data if isinstance(data, list) else [data]
    if isinstance(data, dict) and data.get("expect_records") == 0:
        items = []
    studies = [GoldStudy.model_validate(item) for item in items]
    stem = gold_path.name.removesuffix(".expected.json")
    return GoldArticle(
        stem=stem,
        gold_path=gold_path,
        article_path=find_article_for(gold_path),
        studies=studies,
        news_id=find_news_id(data),
    )


def find_gold_articles(gold_dir: Path) -> list[GoldArticle]:
    if not gold_dir.is_dir():
        raise InputError(
            f"[EM502] Gold folder {str(gold_dir)!r} does not exist. Give a folder of "
            "NAME.expected.json files."
        )
    golds = [parse_gold(p) for p in sorted(gold_dir.rglob("*.expected.json"))]
    if not golds:
        raise InputError(f"[EM503] {str(gold_dir)!r} has no *.expected.json gold files.")
    return golds
