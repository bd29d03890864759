"""Tests for the one format table (sources/formats.py) and reader plugins found by entry point."""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

import pytest

from evidence_miner.errors import ConfigError
from evidence_miner.evaluate.gold import find_article_for
from evidence_miner.records import Page
from evidence_miner.settings import load_settings
from evidence_miner.sources import formats
from evidence_miner.sources.archives import ARCHIVE_SUFFIXES, is_archive_path
from evidence_miner.sources.formats import Format, format_for_name, format_for_type
from evidence_miner.sources.read import find_article_paths, read_page
from evidence_miner.sources.web.fetch import DOCUMENT_TYPES

PLUGIN_MODULE = "em_recipe_reader"
# A made-up format: a ".recipe" file is "Title: ..." then the text.
PLUGIN_SOURCE = '''
from evidence_miner.records import Page
from evidence_miner.sources.formats import Format

RECIPE = Format("recipe", "em_recipe_reader:read_recipe", suffixes=(".recipe",), article=True)
NOT_A_FORMAT = "recipe"


def read_recipe(data, *, url, name):
    title, _, body = data.decode("utf-8").partition("\\n")
    return Page(url=url, text=title.removeprefix("Title: ") + "\\n\\n" + body.strip(),
                content_type="text/x-recipe")
'''


def install_plugin(root: Path, entry_points: str) -> None:
    """A real installed distribution on sys.path: its module and a dist-info folder whose
    entry_points.txt names it (what pip writes for `[project.entry-points]`)."""
    (root / f"{PLUGIN_MODULE}.py").write_text(PLUGIN_SOURCE, "utf-8")
    info = root / "em_recipe_reader-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: em-recipe-reader\nVersion: 1.0\n", "utf-8")
    (info / "entry_points.txt").write_text(entry_points, "utf-8")


def test_plugin_reader_reads_a_file_of_its_suffix(plugin_path: Path) -> None:
    install_plugin(plugin_path, f"[evidence_miner.readers]\nrecipe = {PLUGIN_MODULE}:RECIPE\n")
    article = plugin_path / "articles" / "soup.recipe"
    article.parent.mkdir()
    article.write_text("Title: Lentil soup\nSimmer the lentils for 20 minutes.\n", "utf-8")
    assert [entry.name for entry in importlib.metadata.entry_points(group=formats.ENTRY_POINT_GROUP)] == ["recipe"]

    page = read_page(article, max_bytes=10_000)

    assert isinstance(page, Page)
    assert (page.text, page.content_type) == ("Lentil soup\n\nSimmer the lentils for 20 minutes.", "text/x-recipe")
    assert page.url == article.resolve().as_uri() and page.raw_sha256 is not None
    extensions = load_settings().input.extensions
    assert extensions == [".txt", ".html", ".htm", ".recipe"]
    assert find_article_paths([article.parent], extensions=extensions) == ([article], [])


def test_broken_plugin_is_named_in_a_config_error(plugin_path: Path) -> None:
    install_plugin(plugin_path, "[evidence_miner.readers]\nbroken = em_no_such_module:FORMAT\n")
    (plugin_path / "x.txt").write_text("A headline\nA line of text.\n", "utf-8")
    with pytest.raises(ConfigError, match=r"^\[EM130\] The reader plugin 'broken' \(em_no_such_module:FORMAT"):
        read_page(plugin_path / "x.txt", max_bytes=10_000)


def test_plugin_entry_that_is_no_format_is_refused(plugin_path: Path) -> None:
    install_plugin(plugin_path, f"[evidence_miner.readers]\nrecipe = {PLUGIN_MODULE}:NOT_A_FORMAT\n")
    with pytest.raises(ConfigError, match=r"^\[EM131\] The reader plugin 'recipe'"):
        formats.load_formats()


def test_plugin_claiming_a_built_in_suffix_is_refused(plugin_path: Path) -> None:
    install_plugin(plugin_path, f"[evidence_miner.readers]\nrecipe = {PLUGIN_MODULE}:RECIPE\n")
    (plugin_path / "em_clash.py").write_text(
        "from evidence_miner.sources.formats import Format\n"
        "CLASH = Format('markup', 'em_clash:read', suffixes=('.htm',))\n", "utf-8")
    info = plugin_path / "em_clash-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: em-clash\nVersion: 1.0\n", "utf-8")
    (info / "entry_points.txt").write_text("[evidence_miner.readers]\nmarkup = em_clash:CLASH\n", "utf-8")
    try:
        with pytest.raises(ConfigError, match=r"^\[EM132\] The reader plugin 'markup' .* claims '\.htm'"):
            formats.load_formats()
    finally:
        sys.modules.pop("em_clash", None)


def test_reader_that_cannot_be_imported_gives_em133() -> None:
    with pytest.raises(ConfigError, match=r"^\[EM133\] The reader 'em_nowhere:read' of format 'x'"):
        Format("x", "em_nowhere:read").load_reader()


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a.txt", "text"), ("a.HTML", "html"), ("a.htm", "html"), ("a.warc", "warc"),
     ("a.warc.gz", "warc"), ("a.jsonl.gz", "jsonl"), ("a.txt.gz", "gzip"), ("a.md", None),
     ("a.gz", None)],
)  # fmt: skip
def test_format_for_name_picks_the_longest_suffix(name: str, expected: str | None) -> None:
    found = format_for_name(name)
    assert (found.name if found else None) == expected


def test_built_in_table_keeps_the_defaults_of_every_caller(tmp_path: Path) -> None:
    """What the callers asked before the table existed: the same suffixes and media types."""
    assert formats.article_suffixes() == [".txt", ".html", ".htm"]
    assert ARCHIVE_SUFFIXES == (".warc", ".warc.gz", ".jsonl", ".jsonl.gz", ".txt.gz", ".html.gz", ".htm.gz")
    feeds = {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/x-rss+xml"}
    gzip = {"application/gzip", "application/x-gzip", "application/x-gunzip"}
    pages = {"text/html", "application/xhtml+xml", "text/xml", "application/xml"}
    assert DOCUMENT_TYPES == pages | feeds | gzip
    assert format_for_type("application/xhtml+xml").name == "html" and format_for_type("text/plain") is None
    assert is_archive_path(Path("x.HTM.GZ")) and not is_archive_path(Path("x.html"))
    (tmp_path / "a.expected.json").write_text("{}", "utf-8")
    (tmp_path / "a.htm").write_text("<p>x</p>", "utf-8")
    assert find_article_for(tmp_path / "a.expected.json") == tmp_path / "a.htm"
