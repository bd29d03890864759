"""A reader plugin's page format reaches the crawler: its media type is asked for and accepted,
and a fetched document of that type is read by the plugin (a real server on 127.0.0.1, a real
SQLite file, the plugin installed as a distribution with an entry point)."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence_miner.records import Page
from evidence_miner.settings import load_settings
from evidence_miner.sources import formats
from evidence_miner.sources.web.crawler import Crawler
from evidence_miner.store import open_store
from tests.sources.web.loopback_site import FAST_CRAWL, Reply, plain_article, serve

PLUGIN_MODULE = "em_recipe_web_reader"
PLUGIN_SOURCE = '''
from evidence_miner.records import Page
from evidence_miner.sources.formats import Format

RECIPE = Format("recipe", "em_recipe_web_reader:read_recipe", suffixes=(".recipe",),
                content_types=("text/x-recipe",))


def read_recipe(data, *, url, name):
    title, _, body = data.decode("utf-8").partition("\\n")
    return Page(url=url, text=title.removeprefix("Title: ") + "\\n\\n" + body.strip())
'''
RECIPE = b"Title: Lentil soup trial\nIn a trial of 40 adults, lentil soup daily lowered LDL.\n"


def build_site(base: str) -> dict[str, Reply]:
    home = plain_article("Recipes of the week", "2024-03-01", "lentils", next_path="/soup.recipe")
    return {
        "/": Reply(body=home),
        "/soup.recipe": Reply(body=RECIPE, content_type="text/x-recipe"),
    }


@pytest.fixture
def recipe_plugin(plugin_path: Path) -> Path:
    """The plugin's module and dist-info folder in plugin_path (on sys.path)."""
    (plugin_path / f"{PLUGIN_MODULE}.py").write_text(PLUGIN_SOURCE, "utf-8")
    info = plugin_path / "em_recipe_web_reader-1.0.dist-info"
    info.mkdir()
    metadata = "Metadata-Version: 2.1\nName: em-recipe-web-reader\nVersion: 1.0\n"
    (info / "METADATA").write_text(metadata, "utf-8")
    entry = f"[{formats.ENTRY_POINT_GROUP}]\nrecipe = {PLUGIN_MODULE}:RECIPE\n"
    (info / "entry_points.txt").write_text(entry, "utf-8")
    return plugin_path


def crawl_pages(tmp_path: Path) -> list[Page]:
    settings = load_settings(overrides={"crawl": FAST_CRAWL}).crawl
    with serve(build_site) as site, open_store(str(tmp_path / "crawl.db")) as store:
        crawler = Crawler(settings, store.crawl_state(), [site.url("/")])
        pages = []
        for page in crawler.pages():
            pages.append(page)
            crawler.mark_stored(page.url)
        crawler.finish()
    return pages


def test_crawler_reads_a_plugin_page_format(recipe_plugin: Path) -> None:
    assert "text/x-recipe" in formats.fetched_content_types()
    pages = {page.url.rsplit("/", 1)[-1]: page for page in crawl_pages(recipe_plugin)}
    recipe = pages["soup.recipe"]
    assert recipe.text.startswith("Lentil soup trial\n\nIn a trial of 40 adults")
    assert recipe.content_type == "text/x-recipe" and recipe.raw_sha256 is not None


def test_crawler_without_the_plugin_leaves_the_media_type_alone(tmp_path: Path) -> None:
    formats._load_formats.cache_clear()
    assert "text/x-recipe" not in formats.fetched_content_types()
    urls = [page.url for page in crawl_pages(tmp_path)]
    assert not any(url.endswith("soup.recipe") for url in urls)
