"""Tests for reading plain scraped article text into a Page."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence_miner.sources.rules import SENTENCE_END, find_junk_rule
from evidence_miner.sources.text import page_from_text
from evidence_miner.errors import InputError

URL = "file:///tmp/article.txt"
BODY = (
    "A first body sentence that reports what the made-up study found in its patients.\n"
    "A second body sentence gives the number of people who took part in it.\n"
)


def make_article(*header: str, body: str = BODY, tail: tuple[str, ...] = ()) -> str:
    return "\n".join(["A headline for a test article", *header, "", body, *tail])


def test_page_from_text_takes_title_from_first_line(blog_article_path: Path) -> None:
    raw = blog_article_path.read_text("utf-8")
    page = page_from_text(raw, url=URL)
    first_line = raw.splitlines()[0]
    assert page.title == first_line
    assert page.text.split("\n")[:2] == [first_line, ""]
    assert page.metadata_sources["title"] == "first-line"


def test_page_from_text_reads_date_line_and_byline(blog_article_path: Path) -> None:
    page = page_from_text(blog_article_path.read_text("utf-8"), url=URL)
    assert page.published == date(2024, 3, 3)
    assert page.authors == ["Jane Doe", "Li Wei"]
    assert page.metadata_sources["published"] == "date-line"
    assert page.metadata_sources["authors"] == "byline"
    assert "Published: March 3, 2024" in page.removed
    assert "By Jane Doe and Li Wei" not in page.text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("September 16, 2016", date(2016, 9, 16)),
        ("16 Sep 2016", date(2016, 9, 16)),
        ("2016-09-16", date(2016, 9, 16)),
        ("Published: March 3, 2024", date(2024, 3, 3)),
        ("By Jane Doe | March 3, 2024", date(2024, 3, 3)),
        ("Posted on 4 July 2019 by admin", date(2019, 7, 4)),
        ("Friday, May 5, 2023 at 10:32 am", date(2023, 5, 5)),
        ("Health News | 8 August 2023", date(2023, 8, 8)),
    ],
)
def test_page_from_text_removes_date_line(line: str, expected: date) -> None:
    page = page_from_text(make_article(line), url=URL)
    assert page.published == expected
    assert line not in page.text
    assert line in page.removed


def test_page_from_text_prefers_published_over_updated_date() -> None:
    page = page_from_text(make_article("Updated: May 9, 2022", "May 2, 2022"), url=URL)
    assert page.published == date(2022, 5, 2)


def test_page_from_text_drops_tagline_and_section_labels(blog_article_path: Path) -> None:
    page = page_from_text(blog_article_path.read_text("utf-8"), url=URL)
    assert "Notes From a Rural Clinic" in page.removed
    assert "HEALTH NEWS" in page.removed
    assert page.text.split("\n")[2].startswith("Taking a cold shower")


@pytest.mark.parametrize(
    "tagline",
    [
        "Example Clinic Blog - notes for busy doctors",
        "Sample News | Health since 1999",
        "CARDIOLOGY",
    ],
)
def test_page_from_text_drops_site_tagline_before_body(tagline: str) -> None:
    page = page_from_text(make_article(tagline), url=URL)
    assert tagline in page.removed
    assert tagline not in page.text


def test_page_from_text_keeps_body_subheading(blog_article_path: Path) -> None:
    page = page_from_text(blog_article_path.read_text("utf-8"), url=URL)
    assert "\nWhat the study found\n" in page.text


def test_page_from_text_keeps_paragraphs_verbatim_and_in_order(blog_article_path: Path) -> None:
    raw = blog_article_path.read_text("utf-8")
    page = page_from_text(raw, url=URL)
    paragraphs = [
        p for p in raw.split("\n\n") if p.startswith(("Taking", "Colds", "Partic", "“We"))
    ]
    assert len(paragraphs) == 4
    positions = [page.text.find(p.split("\n")[0]) for p in paragraphs]
    assert -1 not in positions and positions == sorted(positions)
    assert "“We expected a small benefit and did not see one,”" in page.text


def test_page_from_text_drops_trailing_zone(blog_article_path: Path) -> None:
    page = page_from_text(blog_article_path.read_text("utf-8"), url=URL)
    for widget in [
        "Share this:",
        "Like this:",
        "Related",
        "2 comments",
        "Leave a Reply",
        "%d bloggers like this:",
        "Twitter",
        "Reader A",
    ]:
        assert widget not in page.text.split("\n")
        assert widget in page.removed
    assert "never get sick" not in page.text
    assert page.text.endswith("said an imaginary author of the report.")


def test_page_from_text_drops_junk_line_inside_body(blog_article_path: Path) -> None:
    page = page_from_text(blog_article_path.read_text("utf-8"), url=URL)
    assert "Advertisement" not in page.text
    assert "also similar.\n\nWhat the study found" in page.text


@pytest.mark.parametrize(
    "sentence",
    [
        "Share this information with your doctor before you stop any medicine.",
        "Comments from patients were mostly positive, the authors said.",
        "Related studies in children found the same pattern of response.",
        "Two responses to treatment were seen in the first month.",
        "More on the results is expected when the full data are published.",
        "Tagged cells were counted under the microscope by two readers.",
        "Published in 2019, the guideline was updated after the trial.",
        "We use a new scale here.",
    ],
)
def test_page_from_text_never_drops_body_sentence(sentence: str) -> None:
    body = f"{BODY}\n{sentence}\n\nA last body sentence closes the made-up report here."
    page = page_from_text(make_article(body=body), url=URL)
    assert sentence in page.text.split("\n")
    assert page.text.endswith("closes the made-up report here.")


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t\n"])
def test_page_from_text_rejects_empty_text(text: str) -> None:
    with pytest.raises(InputError, match=r"^\[EM103\]"):
        page_from_text(text, url=URL)


def test_page_from_text_rejects_text_that_is_only_junk() -> None:
    with pytest.raises(InputError, match=r"^\[EM109\]"):
        page_from_text("Advertisement\nShare this:\n\nMarch 3, 2024\n", url=URL)


def test_page_from_text_normalises_line_endings() -> None:
    page = page_from_text("Headline\r\n\r\nA body sentence.\r\nAnother one.\r\n", url=URL)
    assert page.text == "Headline\n\nA body sentence.\nAnother one."


ARTICLE_LINES = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            "",
            "  ",
            "Leave a Reply",
            "September 16, 2016",
            "By Jane Doe",
            "Advertisement",
            "Share this:",
            "Related",
            "3 comments",
            "A Short Title Case Line",
            "A sentence.",
            "%d bloggers like this:",
            "By Jane Doe | March 3, 2024",
            "Home > News",
        ]
    ),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(ARTICLE_LINES, max_size=30), st.sampled_from(["\n", "\r\n", "\r"]))
def test_page_from_text_keeps_only_input_lines(lines: list[str], newline: str) -> None:
    text = newline.join(lines)
    try:
        page = page_from_text(text, url=URL)
    except InputError:
        return
    input_lines = set(re.split(r"\r\n|\r|\n", text))
    assert all(line in input_lines for line in page.text.split("\n") if line)
    assert page.title is not None
    assert " ".join(page.text.split("\n")[0].split()) == page.title


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_page_from_text_raises_only_input_error(text: str) -> None:
    try:
        page_from_text(text, url=URL)
    except InputError:
        pass


def test_page_from_text_cleans_seed_article(seed_article_text: str) -> None:
    page = page_from_text(seed_article_text, url=URL)
    lines = page.text.split("\n")
    assert page.title == seed_article_text.splitlines()[0].strip()
    assert lines[0].strip() == page.title
    assert all(find_junk_rule(line) is None for line in lines if line)
    assert page.published is not None
    assert SENTENCE_END.search(lines[-1])
    assert page.removed


def test_page_from_text_about_section_of_press_release_is_trailing_but_about_the_study_stays() -> None:
    body = " ".join(["The trial enrolled adults and reported its results in detail."] * 8)
    text = f"Headline\n\n{body}\n\nAbout the study\n\nIt enrolled 40 adults.\n\nAbout Calder Bay Therapeutics\n\nA company."
    page = page_from_text(text, url="file:///x.txt")
    assert "It enrolled 40 adults." in page.text
    assert "A company." not in page.text and "About Calder Bay Therapeutics" in page.removed
