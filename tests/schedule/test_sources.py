"""The sources file: the README's example loads; bad entries are reported with line and key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from evidence_miner.errors import ConfigError
from evidence_miner.schedule.sources import load_sources, parse_interval

README = Path(__file__).resolve().parents[2] / "README.md"
GOOD = """
[[source]]
name = "news"
start_urls = ["http://127.0.0.1:8000/feed.xml"]
interval = "30m"

[[source]]
name = "journal"
start_urls = ["https://example.org/", "https://example.org/sitemap.xml"]
cron = "0 */6 * * *"
enabled = false
include = ["/articles/"]
exclude = ["/tag/", "\\\\?page="]
[source.politeness]
delay_seconds = 2.5
concurrency = 1
max_pages = 200
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, "utf-8")
    return path


def test_load_sources_reads_every_field(tmp_path: Path) -> None:
    sources = load_sources(write(tmp_path, GOOD))
    news, journal = sources.source
    assert [s.name for s in sources.enabled()] == ["news"]
    assert isinstance(news.trigger(), IntervalTrigger) and isinstance(
        journal.trigger(), CronTrigger
    )
    assert journal.politeness.delay_seconds == 2.5 and journal.exclude == ["/tag/", "\\?page="]
    assert sources.named("journal") is journal


def test_load_sources_reads_the_readme_example() -> None:
    section = README.read_text("utf-8").split("## Scheduled crawls", 1)[1]
    example = re.search(r"```toml\n(.*?)```", section, re.DOTALL)
    assert example is not None
    sources = load_sources(write_tmp(example.group(1)))
    assert sources.source and all(source.start_urls for source in sources.source)


def write_tmp(text: str) -> Path:
    import tempfile

    folder = Path(tempfile.mkdtemp())
    return write(folder, text)


@pytest.mark.parametrize(("replace", "by", "expected"), [
    ('interval = "30m"', 'interval = "30 minutes"', r"line 5, source 'news', key 'interval': '30 minutes' is not an interval"),
    ('cron = "0 */6 * * *"', 'cron = "every day"', r"line 10, source 'journal', key 'cron': not a cron expression"),
    ("concurrency = 1", "concurrency = 0", r"line 16, source 'journal', key 'politeness.concurrency'"),
    ("max_pages = 200", "max_page = 200", r"line 17, source 'journal', key 'politeness.max_page': unknown key; allowed: .*max_pages"),
    ('interval = "30m"', 'interval = "30m"\ncron = "* * * * *"', r"line 2, source 'news'.*exactly one of 'interval'"),
    ('start_urls = ["http://127.0.0.1:8000/feed.xml"]', "start_urls = []", r"line 4, source 'news', key 'start_urls'"),
    ('include = ["/articles/"]', 'include = ["(unclosed"]', r"line 12, source 'journal', key 'include'.*not a regular expression"),
    ('name = "journal"', 'name = "news"', r"\[EM703\].*line 8: source name 'news' is used twice"),
])  # fmt: skip
def test_load_sources_reports_line_and_key(
    tmp_path: Path, replace: str, by: str, expected: str
) -> None:
    with pytest.raises(ConfigError, match=expected):
        load_sources(write(tmp_path, GOOD.replace(replace, by, 1)))


def test_load_sources_reports_toml_syntax_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[EM701\].*line 3"):
        load_sources(write(tmp_path, "[[source]]\nname = 'x'\nstart_urls = nope\n"))
    with pytest.raises(ConfigError, match=r"\[EM701\].*Cannot read"):
        load_sources(tmp_path / "missing.toml")


def test_named_unknown_source_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[EM704\].*'nope'.*news, journal"):
        load_sources(write(tmp_path, GOOD)).named("nope")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90), ("30s", 30), ("15m", 900), ("6h", 21600), ("1d", 86400), ("0.5s", 0.5)],
)
def test_parse_interval(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize(("interval", "expected"), [
    ("1000000000d", r"key 'interval': '1000000000d' is longer than a year \(365d\)"),
    ("0.000001s", r"key 'interval': '0.000001s' is shorter than a minute \(60s\)"),
    ("59s", r"key .interval.: .59s. is shorter than a minute"),
    ("366d", r"key .interval.: .366d. is longer than a year"),
])  # fmt: skip
def test_load_sources_refuses_an_interval_out_of_bounds(tmp_path: Path, interval: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=r"\[EM702\] .*line 5, source 'news', " + expected):
        load_sources(write(tmp_path, GOOD.replace('interval = "30m"', f'interval = "{interval}"', 1)))


@pytest.mark.parametrize("interval", ["60s", "1m", "365d"])
def test_load_sources_accepts_the_interval_bounds(tmp_path: Path, interval: str) -> None:
    sources = load_sources(write(tmp_path, GOOD.replace('interval = "30m"', f'interval = "{interval}"', 1)))
    assert sources.named("news").trigger().interval.total_seconds() == parse_interval(interval)


@pytest.mark.parametrize("text", ["", "0", "-5m", "6 hours", "h"])
def test_parse_interval_refuses_bad_text(text: str) -> None:
    with pytest.raises(ValueError, match="not an interval"):
        parse_interval(text)
