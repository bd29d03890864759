"""Fixtures for the crawl stage: hand-written article files and files that must be refused."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from evidence_miner.sources import formats

FIXTURES = Path(__file__).parent / "fixtures"
REPO_ROOT = Path(__file__).resolve().parents[2]
# The worked example: in the repository's corpus, or in shared/ beside the clone.
SEED_CANDIDATES = [
    REPO_ROOT / "corpus" / "seed" / "ivig-sjogren.txt",
    REPO_ROOT.parent / "shared" / "corpus" / "seed" / "ivig-sjogren.txt",
]
MAX_BYTES = 5_000_000

# An invented page with typographic quotes, a dash and accented names, saved as Windows-1252
# with no charset declaration (as many older sites and "Save page as" copies are).
WINDOWS_1252_PAGE = """<html><head><title>Coffee and sleep: a pilot report</title></head>
<body><article>
<h1>Coffee and sleep: a pilot report</h1>
<p>“We were surprised,” said Dr. Zoë Lefèvre, who led the invented pilot study at a clinic in Besançon.</p>
<p>The team’s results – still preliminary – suggest that a late espresso doesn’t change how fast people fall asleep.</p>
<p>José Núñez, a co-author, said a larger trial with 200 volunteers is being planned for next winter.</p>
</article></body></html>
"""


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def blog_article_path() -> Path:
    return FIXTURES / "blog-article.txt"


@pytest.fixture
def news_page_html() -> str:
    return (FIXTURES / "news-page.html").read_text("utf-8")


@pytest.fixture
def citation_page_html() -> str:
    return (FIXTURES / "citation-page.html").read_text("utf-8")


@pytest.fixture
def microdata_page_html() -> str:
    return (FIXTURES / "microdata-page.html").read_text("utf-8")


@pytest.fixture
def opengraph_page_html() -> str:
    return (FIXTURES / "opengraph-page.html").read_text("utf-8")


@pytest.fixture
def windows_1252_page(tmp_path: Path) -> Path:
    path = tmp_path / "coffee.html"
    path.write_bytes(WINDOWS_1252_PAGE.encode("cp1252"))
    return path


@pytest.fixture
def article_tree(tmp_path: Path) -> Path:
    """A directory of articles mixed with files that are not articles."""
    root = tmp_path / "articles"
    for name in [
        "b.txt",
        "a.HTML",
        "sub/c.htm",
        "sub/deeper/d.txt",
        "notes.md",
        ".hidden.txt",
        ".cache/e.txt",
        "a.expected.json",
        "sub/c.expected.json",
    ]:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("Headline\n\nBody sentence.\n", encoding="utf-8")
    return root


@pytest.fixture
def seed_article_text() -> str:
    found = next((path for path in SEED_CANDIDATES if path.is_file()), None)
    if found is None:
        pytest.skip("the seed article ivig-sjogren.txt is not present")
    return found.read_text("utf-8")


# -- crawler fixtures: real loopback servers, real SQLite files ------------------------------

@pytest.fixture
def crawl_settings():
    """Crawl settings for tests: no politeness delay, short timeouts and backoff."""
    from evidence_miner.settings import load_settings
    from tests.sources.web.loopback_site import FAST_CRAWL

    return load_settings(overrides={"crawl": FAST_CRAWL}).crawl


@pytest.fixture
def crawl_store(tmp_path: Path):
    """A real SQLite store file in tmp_path."""
    from evidence_miner.store import open_store

    with open_store(str(tmp_path / "crawl.db")) as store:
        yield store


@pytest.fixture
def plugin_path(tmp_path: Path) -> Iterator[Path]:
    """tmp_path on sys.path, for a reader plugin installed there (its module and a dist-info
    folder); the format table is reloaded before and after the test, and the plugin's modules
    are forgotten."""
    sys.path.insert(0, str(tmp_path))
    formats._load_formats.cache_clear()
    yield tmp_path
    sys.path.remove(str(tmp_path))
    for name, module in list(sys.modules.items()):
        if str(getattr(module, "__file__", "") or "").startswith(str(tmp_path)):
            del sys.modules[name]
    formats._load_formats.cache_clear()
    formats.load_reader.cache_clear()
