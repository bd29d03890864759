"""Tests for the page-junk line rules of lang/en/junk_lines.toml on article text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidence_miner.sources.rules import find_junk_rule
from evidence_miner.sources.text import find_junk_rule_fast, find_line_rule, page_from_text

URL = "https://news.example.org/story"
HEADLINE = "Walking programme eases calf pain in a made-up trial"
OPENING = (
    "A supervised walking programme reduced calf pain in an invented trial of 64 adults, "
    "the imaginary investigators reported on Tuesday after a year of follow-up visits."
)
CLOSING = "A last body sentence closes the made-up report here."


WIDGET_LINES = [
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
]
BODY_SENTENCES = [
    "Also on Monday, the imaginary regulator approved a second made-up trial.",
    "Subscribers to the clinic's newsletter were invited to take part in the study.",
    "Printed questionnaires were sent to every participant after six months.",
    "An error in the dosing table was corrected before the analysis, the authors said.",
    "- Participants walked three times a week for 30 minutes each time.",
    "Don't miss a dose, the pretend doctors told the participants.",
    "The nurses will follow them on a yearly basis for ten more years.",
    "Doctors explain the made-up results [VIDEO]",
    "Each of the three authors contributed to the analysis of this report's data.",
]


def to_article(line: str) -> str:
    return f"{HEADLINE}\n\n{OPENING}\n\n{line}\n\n{CLOSING}"


@pytest.mark.parametrize("line", WIDGET_LINES)
def test_page_from_text_drops_widget_line_inside_body(line: str) -> None:
    page = page_from_text(to_article(line), url=URL)
    assert line.strip() in page.removed
    assert page.text.endswith(CLOSING)


@pytest.mark.parametrize("sentence", BODY_SENTENCES)
def test_page_from_text_keeps_body_sentence_like_a_widget(sentence: str) -> None:
    page = page_from_text(to_article(sentence), url=URL)
    assert sentence in page.text.split("\n")


def test_find_line_rule_reads_line_without_its_list_marker() -> None:
    assert find_line_rule("- Tweet") is not None
    assert find_line_rule("- Tweets from the trial team were analysed.") is None


PIECES = [*"abeos :|-©[]/=?!.'", "share", "comments", "newsletter", "sign up", "follow us on ",
          "twitter", "advertisement", "print article", "related stories", "copyright", "photos ©"]


@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
def test_find_junk_rule_fast_agrees_with_the_rules(line: str) -> None:
    assert find_junk_rule_fast(line) is find_junk_rule(line)


LONG_WIDGET_LINE = "3 bloggers like this: " + "x " * 1500  # longer than the prefilter reads


@pytest.mark.parametrize("line", [*WIDGET_LINES, *BODY_SENTENCES, LONG_WIDGET_LINE])
def test_find_junk_rule_fast_agrees_on_widgets_and_sentences(line: str) -> None:
    assert find_junk_rule_fast(line) is find_junk_rule(line)
