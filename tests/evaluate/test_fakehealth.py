"""Real articles are read from the FakeHealth data set by news_id; gold never holds their text."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from evidence_miner.errors import InputError
from evidence_miner.evaluate.fakehealth import read_real_articles, to_page
from evidence_miner.evaluate.gold import find_gold_articles
from evidence_miner.evaluate.records import pages_for_golds
from evidence_miner.evaluate.score import score_all

ARTICLE = {"news_id": "story_reviews_00001", "collection": "HealthStory", "url": "https://news.example/a",
           "title": "Drug X cut relapses in a trial", "publish_date": "2016-05-02",
           "text": "Researchers gave 40 patients drug X.\n\nRelapses fell by 30 percent."}  # fmt: skip


def write_jsonl_gz(path: Path, rows: list[dict]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(row) + "\n" for row in rows)
    return path


def test_read_real_articles_reads_jsonl_gz_by_news_id(tmp_path: Path) -> None:
    data = write_jsonl_gz(tmp_path / "articles.jsonl.gz", [ARTICLE, {**ARTICLE, "news_id": "other", "text": "x"}])
    found = read_real_articles(data, ["story_reviews_00001"])
    assert list(found) == ["story_reviews_00001"]
    assert found["story_reviews_00001"].published.isoformat() == "2016-05-02"


def test_read_real_articles_reads_a_fakehealth_clone_folder(tmp_path: Path) -> None:
    folder = tmp_path / "content" / "HealthStory"
    folder.mkdir(parents=True)
    clone_row = {**ARTICLE, "publish_date": 1462147200}  # the clone stores epoch seconds
    (folder / "story_reviews_00001.json").write_text(json.dumps(clone_row), "utf-8")
    found = read_real_articles(tmp_path / "content", ["story_reviews_00001"])
    assert found["story_reviews_00001"].title == ARTICLE["title"]


def test_read_real_articles_names_a_missing_id(tmp_path: Path) -> None:
    data = write_jsonl_gz(tmp_path / "articles.jsonl.gz", [ARTICLE])
    with pytest.raises(InputError, match="EM510"):
        read_real_articles(data, ["story_reviews_99999"])
    with pytest.raises(InputError, match="EM509"):
        read_real_articles(tmp_path / "nowhere.jsonl.gz", ["story_reviews_00001"])


def test_to_page_keeps_the_headline_and_names_the_news_id(tmp_path: Path) -> None:
    data = write_jsonl_gz(tmp_path / "articles.jsonl.gz", [ARTICLE])
    page = to_page(read_real_articles(data, ["story_reviews_00001"])["story_reviews_00001"])
    assert page.title == ARTICLE["title"]
    assert "story_reviews_00001" in page.url and "Relapses fell by 30 percent." in page.text


def test_pages_for_golds_reads_news_ids_and_refuses_gold_without_article(tmp_path: Path) -> None:
    data = write_jsonl_gz(tmp_path / "articles.jsonl.gz", [ARTICLE])
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    (gold_dir / "story_reviews_00001.expected.json").write_text(json.dumps({"id": "r", "news_id": "story_reviews_00001"}), "utf-8")
    golds = find_gold_articles(gold_dir)
    assert pages_for_golds(golds, fakehealth=data)[0].text.startswith(ARTICLE["title"])
    (gold_dir / "lost.expected.json").write_text(json.dumps({"id": "lost"}), "utf-8")
    with pytest.raises(InputError, match="EM511"):
        pages_for_golds(find_gold_articles(gold_dir), fakehealth=data)


def test_records_of_a_real_article_belong_to_its_gold(tmp_path: Path, nlp) -> None:
    from evidence_miner.evaluate.records import records_for_golds

    data = write_jsonl_gz(tmp_path / "articles.jsonl.gz", [ARTICLE])
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    gold = {"id": "r", "news_id": "story_reviews_00001", "population": {"total": 40}}
    (gold_dir / "story_reviews_00001.expected.json").write_text(json.dumps(gold), "utf-8")
    golds = find_gold_articles(gold_dir)
    records = records_for_golds(nlp, golds, fakehealth=data)
    assert records and all("story_reviews_00001" in r.source.url for r in records)
    assert score_all(golds, records).fields["records"].tp == 1
