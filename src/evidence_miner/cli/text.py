"""`evidence-miner text`: the main text and metadata of saved pages or URLs, as the crawler keeps
them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from evidence_miner.cli.common import ConfigOption, cli_settings, err_console, out_console
from evidence_miner.errors import EvidenceMinerError

if TYPE_CHECKING:  # the HTML readers are imported when a page is read, not for --help
    from evidence_miner.records import Page
    from evidence_miner.settings import Settings


def read_one(page: str, settings: Settings) -> tuple[str, Page]:
    """("url", Page) for a URL, ("path", Page) for a saved file."""
    from evidence_miner.sources.web.page_fetch import fetch_page
    from evidence_miner.sources.read import read_page
    from evidence_miner.sources.web.urls import is_web_url

    if is_web_url(page):
        return "url", fetch_page(page, settings.crawl)
    return "path", read_page(Path(page), max_bytes=settings.input.max_file_bytes)


def to_json_object(key: str, given: str, page: Page) -> dict[str, Any]:
    return {
        key: given,
        "title": page.title,
        "published": page.published.isoformat() if page.published else None,
        "authors": page.authors,
        "site_name": page.site_name,
        "language": page.language,
        "canonical_url": page.canonical_url,
        "journal": page.journal,
        "doi": page.doi,
        "text": page.text,
        "metadata_sources": page.metadata_sources,
        "removed": page.removed,
    }


def print_readable(given: str, page: Page) -> None:
    out_console.rule(given, style="dim")
    for name in ("title", "published", "authors", "site_name", "language", "canonical_url", "doi"):
        value = getattr(page, name)
        if value:
            source = page.metadata_sources.get(name, "")
            out_console.print(
                f"{name}: {value}  [dim]({source})[/dim]", highlight=False, soft_wrap=True
            )
    out_console.print()
    out_console.print(page.text, highlight=False, markup=False, soft_wrap=True)


def text(
    pages: Annotated[
        list[str],
        typer.Argument(
            help="Saved HTML (or .txt) files, or http(s) URLs.", show_default=False, metavar="PAGE"
        ),
    ],
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="One JSON object per page (JSON Lines): path or url, title, published, text, "
            "metadata_sources...",
        ),
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Print the main text and metadata of pages exactly as the crawler keeps them, with the
    source of every metadata value (citation_title, json-ld, og:title, htmldate...).

    Example: evidence-miner text saved/article.html https://www.example.org/news/story --json
    """
    settings = cli_settings(config)
    failed = 0
    for given in pages:
        try:
            key, page = read_one(given, settings)
        except EvidenceMinerError as exc:
            err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            failed += 1
            continue
        if as_json:
            typer.echo(json.dumps(to_json_object(key, given, page), ensure_ascii=False))
        else:
            print_readable(given, page)
    raise typer.Exit(2 if failed == len(pages) else 1 if failed else 0)
