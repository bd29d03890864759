"""Read real articles of the FakeHealth data set by `news_id`, for gold files that name one.

Gold for real published news never holds the article text (it is the publishers'): a gold file
gives `news_id`, and the text is read here from the data set at scoring time. Two layouts are read:
a JSON Lines file (optionally gzipped) with `news_id`, `title` and `text` on each line (as in
`../shared/data/fakehealth/articles.jsonl.gz`), or a clone of the public FakeHealth repository's
`dataset/content` folder (`HealthStory/NEWS_ID.json`, `HealthRelease/NEWS_ID.json`).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from pydantic import BaseModel

from evidence_miner.sources.text import page_from_text
from evidence_miner.errors import InputError
from evidence_miner.records import Page

DEFAULT_FAKEHEALTH = Path("../shared/data/fakehealth/articles.jsonl.gz")
FAKEHEALTH_COLLECTIONS = ("HealthStory", "HealthRelease")


class RealArticle(BaseModel):
    """One FakeHealth article: what evaluation needs of it."""

    news_id: str
    url: str = ""
    title: str = ""
    published: date | None = None
    text: str


def to_date(value: object) -> date | None:
    """A `YYYY-MM-DD` string (the JSONL file) or epoch seconds (the FakeHealth JSON files)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC).date()
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def to_real_article(news_id: str, data: dict) -> RealArticle:
    return RealArticle(
        news_id=news_id,
        url=str(data.get("url") or ""),
        title=str(data.get("title") or ""),
        published=to_date(data.get("publish_date")),
        text=str(data.get("text") or ""),
    )


def iter_jsonl_articles(path: Path) -> Iterator[RealArticle]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                data = json.loads(line)
                yield to_real_article(data["news_id"], data)


def read_clone_article(folder: Path, news_id: str) -> RealArticle | None:
    for collection in FAKEHEALTH_COLLECTIONS:
        path = folder / collection / f"{news_id}.json"
        if path.is_file():
            return to_real_article(news_id, json.loads(path.read_text("utf-8")))
    return None


def read_real_articles(source: Path, news_ids: Iterable[str]) -> dict[str, RealArticle]:
    """The articles of `news_ids` from a FakeHealth JSONL file or a clone's content folder.

    Raises InputError when the source is missing, unreadable or lacks one of the ids.
    """
    wanted = set(news_ids)
    try:
        if source.is_dir():
            found = {i: a for i in wanted if (a := read_clone_article(source, i)) is not None}
        else:
            found = {a.news_id: a for a in iter_jsonl_articles(source) if a.news_id in wanted}
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(
            f"[EM509] Cannot read the FakeHealth articles at {str(source)!r}: {exc!r}. Give "
            "--fakehealth the data set's articles.jsonl.gz or a FakeHealth clone's dataset/content "
            "folder."
        ) from exc
    missing = sorted(wanted - set(found))
    if missing:
        raise InputError(
            f"[EM510] {len(missing)} gold article(s) are not in {str(source)!r} (first: "
            f"{missing[0]!r}). Point --fakehealth at the full FakeHealth data set."
        )
    return found


def to_page(article: RealArticle) -> Page:
    """The article as a saved text page: headline on the first line, then the body.

    The URL keeps the article's own address and adds `#fakehealth=NEWS_ID`, so each record names
    the gold file it belongs to (docs/evaluation.md matches records to gold by name stem).
    """
    text = f"{article.title}\n\n{article.text}" if article.title else article.text
    base = article.url or "fakehealth:"
    page = page_from_text(text, url=f"{base}#fakehealth={article.news_id}")
    return page.model_copy(update={"published": page.published or article.published})
