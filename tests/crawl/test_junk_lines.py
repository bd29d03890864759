"""Tests for the page-junk line rules of crawl/data/junk_lines.toml on article text."""

from __future__ import annotations

import pytest

from evidence_miner.crawl.text import find_line_rule, page_from_text

URL = "https://news.example.org/story"
HEADLINE = "Walking programme eases calf pain in a made-up trial"
OPENING = (
    "A supervised walking programme reduced calf pain in an invented trial of 64 adults, "
    "the imaginary investigators reported on Tuesday after a year of follow-up visits."
)
CLOSING = "A last body sentence closes the made-up report here."


def to_article(line: str) -> str:
    return f"{HEADLINE}\n\n{OPENING}\n\n{line}\n\n{CLOSING}"


@pytest.mark.parametrize(
    "line",
    [
        "This copy is for your personal, non-commercial use only. To order presentation-ready "
        "copies for distribution to your colleagues, visit the reprints desk.",
        "- Order Reprints",
        "- Print Article",
        "• Share on Facebook",
        "Like this story? Share it with a friend!",
        "Also on example.com Invented headline about another made-up trial",
        "SEE MORE: Invented headline about another made-up trial",
        "DON'T MISS",
        "Pick Six Newsletter",
        "For more health news, you can sign up for our weekly newsletter here.",
        "An error has occurred, please try again later.",
        "This article has been sent to",
        '[button link="https://news.example.org/review/" type="big"] Send us your review[/button]',
        "Ada Quill's book is out now. Follow her on Twitter @adaquill. Follow us on Facebook.",
        "The new ward, installation views, photos © Example Studio, 2023",
        "Example Wire's Bram Otter contributed to this report.",
    ],
)
def test_page_from_text_drops_widget_line_inside_body(line: str) -> None:
    page = page_from_text(to_article(line), url=URL)
    assert line.strip() in page.removed
    assert page.text.endswith(CLOSING)


@pytest.mark.parametrize(
    "sentence",
    [
        "Also on Monday, the imaginary regulator approved a second made-up trial.",
        "Subscribers to the clinic's newsletter were invited to take part in the study.",
        "Printed questionnaires were sent to every participant after six months.",
        "An error in the dosing table was corrected before the analysis, the authors said.",
        "- Participants walked three times a week for 30 minutes each time.",
        "Don't miss a dose, the pretend doctors told the participants.",
        "The nurses will follow them on a yearly basis for ten more years.",
        "Doctors explain the made-up results [VIDEO]",
        "Each of the three authors contributed to the analysis of this report's data.",
    ],
)
def test_page_from_text_keeps_body_sentence_like_a_widget(sentence: str) -> None:
    page = page_from_text(to_article(sentence), url=URL)
    assert sentence in page.text.split("\n")


def test_find_line_rule_reads_line_without_its_list_marker() -> None:
    assert find_line_rule("- Tweet") is not None
    assert find_line_rule("- Tweets from the trial team were analysed.") is None
