"""The bundled corpus keeps its promises: every gold file parses, every gold number is printed in
its article (as digits or words), and every printed percentage agrees with its count."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from evidence_miner.sources.read import read_page
from evidence_miner.errors import NormaliseError
from evidence_miner.evaluate.fakehealth import read_real_articles
from evidence_miner.evaluate.gold import GoldArticle, GoldStudy, find_gold_articles
from evidence_miner.numbers import parse_number

REPO = Path(__file__).resolve().parents[1]
FAKEHEALTH = REPO.parent / "shared" / "data" / "fakehealth" / "articles.jsonl.gz"
REAL_GOLD_PATHS = sorted((REPO / "corpus" / "real").glob("*/*.expected.json"))
GOLD_PATHS = sorted((REPO / "corpus").glob("*/*.expected.json")) + REAL_GOLD_PATHS
COPIED_WORDS = 12  # this many words in a row from a real article is copied text
DIGITS = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?|(?<![\w\d])\.\d+")
WORDS = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")


def numbers_in(text: str) -> set[float]:
    """Every number the text prints: digits (with separators and decimals) and number words
    ("Nineteen", "twenty-two", "one hundred"), read with the project's own number parser."""
    found = {float(m.group().replace(",", "")) for m in DIGITS.finditer(text) if m.group().replace(",", "").strip(".")}
    words = WORDS.findall(text)
    for size in (1, 2, 3):
        for i in range(len(words) - size + 1):
            try:
                found.add(parse_number(" ".join(words[i : i + size])))
            except NormaliseError:
                continue
    return found


def gold_numbers(study: GoldStudy) -> Iterator[tuple[str, float]]:
    """(where, value) for every scored number of one gold study, leaving out approximate items
    and zeros (a zero is often written "no patient")."""
    population = study.population
    if isinstance(population.get("total"), (int, float)) and not population.get("total_approximate"):
        yield "total", population["total"]
    for group in population.get("groups", []):
        if group.get("n") is not None and not group.get("approximate"):
            yield f"group {group.get('label')!r}", group["n"]
    for dose in study.doses:
        if not dose.get("approximate"):
            yield from ((f"dose of {dose.get('drug')}", dose[k]) for k in ("value", "low", "high") if dose.get(k) is not None)
    for name, items in (("outcome", study.outcomes), ("adverse event", study.adverse_events)):
        for item in items:
            if item.get("approximate"):
                continue
            yield from ((f"{name} {k}", item[k]) for k in ("count", "of", "percent") if item.get(k))
            effect = item.get("effect") or {}
            if isinstance(effect.get("value"), (int, float)):
                yield f"{name} effect", abs(effect["value"])


@functools.cache
def real_texts() -> dict[str, str]:
    """Headline and body of every real article a gold file names, read once from FakeHealth."""
    if not FAKEHEALTH.is_file():
        return {}
    ids = {p.name.removesuffix(".expected.json") for p in REAL_GOLD_PATHS}
    return {i: f"{a.title}\n\n{a.text}" for i, a in read_real_articles(FAKEHEALTH, ids).items()}


def article_text(article: GoldArticle) -> str:
    """The text as printed: the saved file, or the real article of the data set (raw, junk and all)."""
    if article.article_path is not None:
        return read_page(article.article_path, max_bytes=5_000_000).text
    if article.news_id not in real_texts():
        pytest.skip(f"{FAKEHEALTH} is not next to this checkout")
    return real_texts()[article.news_id]


@functools.cache
def golds_in(folder: Path) -> dict[str, GoldArticle]:
    """A folder's gold files by stem, parsed once for all of this module's tests."""
    return {a.stem: a for a in find_gold_articles(folder)}


def gold_article(gold_path: Path) -> GoldArticle:
    return golds_in(gold_path.parent)[gold_path.name.removesuffix(".expected.json")]


def rounding_of(percent: float) -> float:
    """Half a unit of the last printed decimal (41.2 -> 0.05, 41 -> 0.5), with a hair of slack."""
    decimals = len(repr(float(percent)).split(".")[1].rstrip("0"))
    return 0.5 * 10**-decimals + 1e-3


def is_printed(value: float, printed: set[float]) -> bool:
    return any(abs(abs(value) - p) < 1e-6 for p in printed)


@pytest.mark.parametrize("gold_path", GOLD_PATHS, ids=lambda p: f"{p.parent.name}/{p.name.removesuffix('.expected.json')}")
def test_corpus_gold_numbers_are_printed_in_the_article(gold_path: Path) -> None:
    article = gold_article(gold_path)
    printed = numbers_in(article_text(article))
    missing = [(where, value) for study in article.studies for where, value in gold_numbers(study) if not is_printed(value, printed)]
    assert missing == []


@pytest.mark.parametrize("gold_path", GOLD_PATHS, ids=lambda p: f"{p.parent.name}/{p.name.removesuffix('.expected.json')}")
def test_corpus_gold_percentages_agree_with_counts(gold_path: Path) -> None:
    article = gold_article(gold_path)
    wrong = [
        item for study in article.studies for item in (*study.outcomes, *study.adverse_events)
        if item.get("count") is not None and item.get("of") and item.get("percent") is not None
        and abs(100 * item["count"] / item["of"] - item["percent"]) > rounding_of(item["percent"])
    ]  # fmt: skip
    assert wrong == []


def word_runs(text: str, size: int) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def gold_strings(data: object) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        yield from (s for key, value in data.items() if key != "source" for s in gold_strings(value))
    elif isinstance(data, list):
        if data and all(isinstance(item, str) for item in data):
            yield " ".join(data)  # a list of names read in order can copy a byline or author list
        yield from (s for item in data for s in gold_strings(item))


@pytest.mark.parametrize("gold_path", REAL_GOLD_PATHS, ids=lambda p: f"{p.parent.name}/{p.name.removesuffix('.expected.json')}")
def test_corpus_real_gold_copies_no_article_text(gold_path: Path) -> None:
    """Real articles are the publishers': a gold file may name facts, never copy sentences."""
    runs = word_runs(article_text(gold_article(gold_path)), COPIED_WORDS)
    copied = [s for s in gold_strings(json.loads(gold_path.read_text("utf-8"))) if word_runs(s, COPIED_WORDS) & runs]
    assert copied == []


def test_corpus_every_article_has_a_gold_file() -> None:
    articles = [p for p in (REPO / "corpus").glob("*/*") if p.suffix in (".txt", ".html")]
    assert articles and all(p.with_name(p.stem + ".expected.json").is_file() for p in articles)


def test_numbers_in_reads_digits_and_words() -> None:
    printed = numbers_in("Of 1,146 adults, a 2.4-mg dose; Nineteen and twenty-two; .5 mg")
    assert {1146.0, 2.4, 19.0, 22.0, 0.5} <= printed
    assert not is_printed(146, printed) and not is_printed(7, printed)


def test_rounding_of_follows_the_printed_decimals() -> None:
    assert (rounding_of(41.2), rounding_of(41)) == pytest.approx((0.051, 0.501))
