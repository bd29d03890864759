"""Tests for reading HTML pages into Pages: main text, junk removal and metadata."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import lxml.etree
import lxml.html
import pytest
import trafilatura
import trafilatura.core
import trafilatura.metadata

from trafilatura.settings import Document

from evidence_miner.sources import html as html_module
from evidence_miner.sources import metadata
from evidence_miner.sources.html import page_from_html, parse_tree
from evidence_miner.sources.rules import find_junk_rule
from evidence_miner.errors import InputError

URL = "https://news.example.org/story"
NEWS_BODY_STARTS = [
    "A supervised walking programme reduced calf pain",
    "The investigators enrolled 64 participants",
    "Maximum walking distance rose by a median",
    "What the study found",
    "Two participants in the walking group stopped early",
    "The team plans a longer follow-up study",
]
NEWS_PAGE_JUNK = [
    "We use cookies",
    "Accept all cookies",
    "Home",
    "About us",
    "Share on Facebook",
    "Tweet",
    "Advertisement",
    "Buy the Example Health Wire annual digest",
    "Share this:",
    "Related stories",
    "Cycling study shows no change",
    "Swimming linked to better sleep",
    "3 comments",
    "Reader One",
    "I tried walking every day",
    "Does anyone know",
    "Leave a Reply",
    "Copyright",
    "Privacy Policy",
    "By Ada Quill",
]


def extract_journal(html: str) -> str | None:
    """The journal an article page names (citation_journal_title, JSON-LD isPartOf), or None."""
    sources = metadata.read_html_sources(parse_tree(html, url="about:blank"), url="about:blank")
    found = metadata.pick_journal(sources)
    return found.value if found else None


def extract_doi(html: str) -> str | None:
    """The article's DOI (citation_doi, JSON-LD identifier, or its one doi.org link), or None."""
    sources = metadata.read_html_sources(parse_tree(html, url="about:blank"), url="about:blank")
    found = metadata.pick_doi(sources)
    return found.value if found else None


def test_page_from_html_keeps_body_paragraphs_in_order(news_page_html: str) -> None:
    text = page_from_html(news_page_html, url=URL).text
    positions = [text.find(start) for start in NEWS_BODY_STARTS]
    assert -1 not in positions
    assert positions == sorted(positions)


def test_page_from_html_separates_paragraphs_with_blank_lines(news_page_html: str) -> None:
    text = page_from_html(news_page_html, url=URL).text
    assert "under usual care.\n\nWhat the study found\n\nTwo participants" in text


@pytest.mark.parametrize("junk", NEWS_PAGE_JUNK)
def test_page_from_html_drops_page_chrome(news_page_html: str, junk: str) -> None:
    assert junk not in page_from_html(news_page_html, url=URL).text


def test_page_from_html_leaves_no_junk_line(news_page_html: str) -> None:
    lines = page_from_html(news_page_html, url=URL).text.split("\n")
    assert all(find_junk_rule(line) is None for line in lines if line)


def test_page_from_html_keeps_simple_table(news_page_html: str) -> None:
    text = page_from_html(news_page_html, url=URL).text
    assert "Group | Participants\nWalking | 32\nUsual care | 32" in text


def test_page_from_html_starts_with_title_line_once(news_page_html: str) -> None:
    page = page_from_html(news_page_html, url=URL)
    assert page.title == "Walking programme eases calf pain in a made-up trial"
    assert page.text.startswith(page.title + "\n\n")
    assert page.text.count(page.title) == 1


def test_page_from_html_prepends_title_missing_from_main_text() -> None:
    html = (
        "<html><head><title>Headline from the head</title></head><body><article>"
        "<p>The only paragraph of this page is long enough for the extractor to keep it as "
        "the main text of the article.</p></article></body></html>"
    )
    page = page_from_html(html, url=URL)
    assert page.text.startswith("Headline from the head\n\nThe only paragraph")


def test_page_from_html_reads_json_ld_graph(news_page_html: str) -> None:
    page = page_from_html(news_page_html, url=URL)
    assert page.published == date(2023, 4, 28)  # JSON-LD, not article:published_time
    assert page.authors == ["Ada Quill", "Bram Otter"]
    assert page.site_name == "Example Health Wire"
    assert page.language == "en-GB"
    assert page.canonical_url == "https://news.example.org/2023/walking-programme-calf-pain"
    assert page.metadata_sources == {
        "title": "json-ld",
        "published": "json-ld",
        "authors": "json-ld",
        "site_name": "json-ld",
        "language": "json-ld",
        "canonical_url": "link-canonical",
    }


def test_page_from_html_prefers_citation_tags_over_opengraph(citation_page_html: str) -> None:
    page = page_from_html(citation_page_html, url=URL)
    assert page.title == (
        "Pretend antibody infusion for a made-up neuropathy: a retrospective series"
    )
    assert page.published == date(2021, 7, 9)
    assert page.authors == ["Camila Rivera", "Tunde Okafor"]
    assert page.metadata_sources["title"] == "citation_title"
    assert page.metadata_sources["published"] == "citation_publication_date"
    assert page.metadata_sources["authors"] == "citation_author"
    assert page.journal == "Journal of Invented Medicine"
    assert page.doi == "10.5555/jim.2021.0042"


def test_page_from_html_reads_microdata(microdata_page_html: str) -> None:
    page = page_from_html(microdata_page_html, url=URL)
    assert page.title == "Yoga classes and back pain in an invented trial"
    assert page.authors == ["Noor Haddad"]
    assert page.published == date(2022, 11, 5)
    assert page.site_name == "Pretend Wellness Daily"
    assert set(page.metadata_sources.values()) == {"microdata"}


def test_page_from_html_strips_site_name_suffix(opengraph_page_html: str) -> None:
    page = page_from_html(opengraph_page_html, url=URL)
    assert page.title == "Tea drinking and blood pressure in a fictional cohort"
    assert page.metadata_sources["title"] == "og:title"
    assert page.published == date(2020, 2, 14)
    assert page.metadata_sources["published"] == "article:published_time"


def test_page_from_html_keeps_suffix_that_is_not_the_site_name(opengraph_page_html: str) -> None:
    html = opengraph_page_html.replace(
        'content="Sample Science News">', 'content="Another Site Entirely">'
    )
    page = page_from_html(html, url=URL)
    assert (
        page.title == "Tea drinking and blood pressure in a fictional cohort | Sample Science News"
    )


def test_page_from_html_accepts_bytes(news_page_html: str) -> None:
    from_bytes = page_from_html(news_page_html.encode("utf-8"), url=URL)
    assert from_bytes == page_from_html(news_page_html, url=URL)


def test_page_from_html_rejects_page_without_text() -> None:
    with pytest.raises(InputError, match=r"^\[EM108\]"):
        page_from_html("<html><head><title>x</title></head><body></body></html>", url=URL)


def test_extract_journal_reads_citation_journal_title(citation_page_html: str) -> None:
    assert extract_journal(citation_page_html) == "Journal of Invented Medicine"


def test_extract_journal_reads_json_ld_is_part_of() -> None:
    html = (
        '<html><head><script type="application/ld+json">{"@context": "https://schema.org", '
        '"@type": "ScholarlyArticle", "headline": "H", "isPartOf": {"@type": "PublicationIssue", '
        '"issueNumber": "3", "isPartOf": {"@type": "Periodical", "name": "Invented Journal"}}}'
        "</script></head><body><p>x</p></body></html>"
    )
    assert extract_journal(html) == "Invented Journal"


def test_extract_journal_returns_none_without_journal(news_page_html: str) -> None:
    assert extract_journal(news_page_html) is None


def test_extract_doi_reads_citation_doi(citation_page_html: str) -> None:
    assert extract_doi(citation_page_html) == "10.5555/jim.2021.0042"


def test_extract_doi_reads_single_doi_link() -> None:
    html = '<html><body><p>See <a href="https://doi.org/10.5555/abc.123">the paper</a>.</p></body></html>'
    assert extract_doi(html) == "10.5555/abc.123"


def test_extract_doi_ignores_several_different_doi_links() -> None:
    html = (
        '<html><body><a href="https://doi.org/10.5555/one">a</a>'
        '<a href="https://doi.org/10.5555/two">b</a></body></html>'
    )
    assert extract_doi(html) is None


def test_page_from_html_survives_broken_json_ld(microdata_page_html: str) -> None:
    broken = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
    page = page_from_html(microdata_page_html.replace("</head>", broken + "</head>"), url=URL)
    assert page.metadata_sources["title"] == "microdata"


def count_metadata_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every call of trafilatura's metadata reader, direct or inside bare_extraction."""
    calls: list[str] = []
    real = trafilatura.metadata.extract_metadata

    def counted(*args: object, **kwargs: object) -> object:
        calls.append("extract_metadata")
        return real(*args, **kwargs)

    monkeypatch.setattr(trafilatura, "extract_metadata", counted)
    monkeypatch.setattr(trafilatura.core, "extract_metadata", counted)
    return calls


def test_page_from_html_skips_trafilatura_metadata_when_markup_has_every_field(
    microdata_page_html: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = count_metadata_reads(monkeypatch)
    page = page_from_html(microdata_page_html, url=URL)
    assert calls == []
    assert set(page.metadata_sources.values()) == {"microdata"}


def test_page_from_html_reads_trafilatura_metadata_for_a_missing_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = count_metadata_reads(monkeypatch)
    html = (
        '<html><head><meta property="og:title" content="Cocoa and memory in a made-up trial">'
        '<meta property="og:site_name" content="Example Wire">'
        '<meta property="article:published_time" content="2024-02-03">'
        '<meta name="author" content="Lena Moss"></head><body><article>'
        "<p>The only paragraph of this page is long enough for the extractor to keep it as "
        "the main text of the article.</p></article></body></html>"
    )
    assert page_from_html(html, url=URL).site_name == "Example Wire"
    assert calls == []
    page = page_from_html(html.replace('<meta name="author" content="Lena Moss">', ""), url=URL)
    assert len(calls) == 1 and page.published == date(2024, 2, 3)


def test_page_from_html_drops_characters_xml_forbids() -> None:
    html = (
        "<html><head><title>Control characters</title></head><body><article>"
        "<p>The only paragraph\x01 of this page is long enough\x0b for the extractor to keep "
        "it as the main text of the article.</p></article></body></html>"
    )
    text = page_from_html(html, url=URL).text
    assert "The only paragraph of this page is long enough for the extractor" in text


STORY = " ".join(
    f"<p>Paragraph {i} of the invented story says the walking trial enrolled {i * 10} adults "
    "and followed them for a year.</p>"
    for i in range(1, 6)
)


LONG_STORY = STORY + STORY.replace("Paragraph", "Section")
RUNS = {"fast": (True, True), "precision": (True, False), "default": (False, False)}


def fake_extraction(
    bodies: dict[str, str], calls: list[str] | None = None
) -> Callable[..., Document | None]:
    """extract_main answering each run ("fast", "precision", "default") with a trafilatura
    body, or None; the runs asked for are listed in `calls`."""
    by_mode = {mode: bodies.get(name) for name, mode in RUNS.items()}

    def extract(tree: object, attempt: html_module.ExtractionTry, *, url: str) -> Document | None:
        markup = None if attempt.recall else by_mode.get((attempt.precision, attempt.fast))
        if calls is not None:
            calls.append(next(n for n, m in RUNS.items() if m == (attempt.precision, attempt.fast)))
        if markup is None:
            return None
        document = Document()
        document.body = lxml.etree.fromstring(f"<body>{markup}</body>")
        document.text = " ".join(document.body.itertext())
        return document

    return extract


def test_extract_lines_keeps_a_fast_text_holding_a_body(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    bodies = {"fast": LONG_STORY, "precision": STORY, "default": STORY}
    monkeypatch.setattr(html_module, "extract_main", fake_extraction(bodies, calls))
    lines = html_module.extract_lines(None, title="Walking trial", url=URL)
    assert calls == ["fast"] and "Section 5 of the invented story" in "\n".join(lines.kept)


def test_extract_lines_asks_the_full_run_when_the_fast_text_is_thin(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    bodies = {"fast": "<p>A teaser of one sentence.</p>", "precision": STORY, "default": STORY}
    monkeypatch.setattr(html_module, "extract_main", fake_extraction(bodies, calls))
    lines = html_module.extract_lines(None, title="Walking trial", url=URL)
    assert calls == ["fast", "precision"]
    assert lines.kept[0].startswith("Paragraph 1 of the invented story")


def test_extract_lines_falls_back_when_precision_leaves_no_body(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    notice = "<p>Order presentation-ready copies for distribution to your colleagues.</p>"
    bodies = {"fast": notice, "precision": notice, "default": STORY}
    monkeypatch.setattr(html_module, "extract_main", fake_extraction(bodies))
    lines = html_module.extract_lines(None, title="Walking trial", url=URL)
    assert lines.kept[0].startswith("Paragraph 1 of the invented story")


def test_extract_lines_keeps_precision_body(monkeypatch: pytest.MonkeyPatch) -> None:
    fuller = STORY + "<p>Sign up for our free daily newsletter to read more stories.</p>"
    bodies = {"fast": STORY, "precision": STORY, "default": fuller}
    monkeypatch.setattr(html_module, "extract_main", fake_extraction(bodies))
    lines = html_module.extract_lines(None, title="Walking trial", url=URL)
    assert not any("newsletter" in line for line in lines.kept)


def test_extract_lines_keeps_the_full_precision_text_when_no_try_finds_a_body(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    links = "<p>One sentence here.</p><p>Another story?</p><p>A third story?</p>"
    bodies = {"fast": "<p>Menu</p>", "precision": "<p>One sentence here.</p>", "default": links}
    monkeypatch.setattr(html_module, "extract_main", fake_extraction(bodies))
    lines = html_module.extract_lines(None, title="Walking trial", url=URL)
    assert [line for line in lines.kept if line] == ["One sentence here."]


def to_grid_row(label: str, count: int) -> str:
    """A grid row: one block of the article body beside an (empty) advert rail."""
    paragraphs = "".join(
        f"<p>{label} paragraph {i} tells how the invented cohort of {i * 12} nurses slept "
        "better after the night-shift rota changed.</p>"
        for i in range(count)
    )
    return (
        f'<div class="grid grid-layout--adrail"><div class="grid--item body article__body">'
        f'{paragraphs}</div><div class="grid--item grid-layout__aside"><div class="sticky-box">'
        "</div></div></div>"
    )


def test_page_from_html_joins_body_blocks_in_wrapper_rows() -> None:
    html = (
        "<html><head><title>Night shifts and sleep</title></head><body><main><article>"
        '<h1>Night shifts and sleep</h1><div class="article__chunks">'
        + to_grid_row("First", 6)
        + '<div class="row full-bleed-ad"><div class="ad"><span>Advertisement</span></div></div>'
        + to_grid_row("Second", 4)
        + "</div></article></main></body></html>"
    )
    text = page_from_html(html, url=URL).text
    assert "First paragraph 5 tells" in text and "Second paragraph 3 tells" in text
    assert "Advertisement" not in text


def test_join_body_parts_leaves_rows_of_other_stories_alone() -> None:
    teaser = "<p>A teaser of some twenty words about an invented trial of walking.</p>" * 3
    row = f'<div class="card"><div class="story-text">{teaser}</div></div>'
    tree = lxml.html.document_fromstring(f"<html><body>{row}{row}{row}</body></html>")
    assert html_module.join_body_parts(tree) == 0
