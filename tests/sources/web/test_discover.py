"""Tests of discovery and document reading: sitemaps, feeds, safe XML, gzip caps, HTML links,
charsets, split bodies and article/listing classification."""

from __future__ import annotations

import gzip
import zlib

import lxml.html
import pytest

from evidence_miner.sources.web.discover import (
    FEED,
    PAGE,
    SITEMAP,
    Link,
    find_html_links,
    find_xml_links,
    gunzip_capped,
    is_nofollow,
    parse_xml,
)
from evidence_miner.sources.web.document import ARTICLE, LISTING, UNKNOWN, ReadOptions, read_document
from evidence_miner.sources.web.fetch import Response
from evidence_miner.sources.split_body import join_split_body
from evidence_miner.errors import FetchError
from tests.sources.web.loopback_site import SITE

INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://e.org/a.xml</loc></sitemap><sitemap><loc> https://e.org/b.xml.gz </loc></sitemap>
</sitemapindex>"""
URLSET = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://e.org/1</loc><lastmod>2024-01-01</lastmod></url><url><loc>https://e.org/2</loc></url>
</urlset>"""
RSS = b"""<rss version="2.0"><channel><item><link>https://e.org/r1</link></item>
<item><guid>https://e.org/r2</guid></item><item><guid isPermaLink="false">tag:1</guid></item></channel></rss>"""
ATOM = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry>
<link rel="self" href="https://e.org/self"/><link rel="alternate" href="https://e.org/a1"/></entry></feed>"""
RDF = b"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<item rdf:about="https://e.org/d1"><link>https://e.org/d1</link></item></rdf:RDF>"""
LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>
<rss><channel><item><link>&lol2;</link></item></channel></rss>"""
EXTERNAL = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<urlset><url><loc>&x;</loc></url></urlset>"""


@pytest.mark.parametrize(("xml", "expected"), [
    (INDEX, [Link("https://e.org/a.xml", SITEMAP), Link("https://e.org/b.xml.gz", SITEMAP)]),
    (URLSET, [Link("https://e.org/1", PAGE), Link("https://e.org/2", PAGE)]),
    (RSS, [Link("https://e.org/r1", PAGE), Link("https://e.org/r2", PAGE)]),
    (ATOM, [Link("https://e.org/a1", PAGE)]),
    (RDF, [Link("https://e.org/d1", PAGE)]),
])  # fmt: skip
def test_find_xml_links_reads_sitemaps_and_feeds(xml: bytes, expected: list[Link]) -> None:
    assert find_xml_links(parse_xml(xml, name="test")) == expected


@pytest.mark.parametrize("xml", [LAUGHS, EXTERNAL])
def test_parse_xml_refuses_entities(xml: bytes) -> None:
    with pytest.raises(FetchError, match=r"\[EM611\]"):
        parse_xml(xml, name="evil.xml")


def test_gunzip_capped_refuses_a_gzip_bomb() -> None:
    bomb = gzip.compress(b"\0" * 5_000_000)
    assert len(bomb) < 10_000
    with pytest.raises(FetchError, match=r"\[EM606\]"):
        gunzip_capped(bomb, limit=1_000_000, name="bomb.xml.gz")
    assert gunzip_capped(gzip.compress(URLSET), limit=1_000_000, name="ok") == URLSET


def test_gunzip_capped_refuses_broken_gzip() -> None:
    with pytest.raises(FetchError, match=r"\[EM610\]"):
        gunzip_capped(b"\x1f\x8b" + zlib.compress(b"x")[2:], limit=100, name="bad.gz")


def test_find_html_links_finds_feeds_and_skips_scripts() -> None:
    tree = lxml.html.document_fromstring(
        '<html><head><link rel="alternate" type="application/atom+xml" href="/atom">'
        '<link rel="stylesheet" href="/s.css"><link rel="next" href="?page=2"></head><body>'
        '<a href="/a">A</a><a href="javascript:go()">J</a><a href="mailto:x@y">M</a>'
        '<a href="#top">T</a><map><area href="/b"></map></body></html>'
    )
    assert find_html_links(tree) == [
        Link("/atom", FEED), Link("?page=2", PAGE), Link("/a", PAGE), Link("/b", PAGE),
    ]


def test_is_nofollow_reads_robots_meta() -> None:
    page = '<html><head><meta name="{}" content="{}"></head><body></body></html>'
    assert is_nofollow(lxml.html.document_fromstring(page.format("robots", "noindex, nofollow")), "x")
    assert is_nofollow(lxml.html.document_fromstring(page.format("evidence-miner", "none")), "evidence-miner")
    assert not is_nofollow(lxml.html.document_fromstring(page.format("robots", "noarchive")), "x")


def to_response(body: bytes, content_type: str | None = "text/html", charset: str | None = None) -> Response:
    url = "http://127.0.0.1:1/page"
    return Response(url=url, final_url=url, status=200, content_type=content_type, charset=charset, body=body)


def test_read_document_decodes_windows_1252_without_a_header_charset() -> None:
    body = (SITE / "letters.html").read_text("utf-8").encode("cp1252")
    document = read_document(to_response(body), ReadOptions())
    assert document.kind == ARTICLE and document.page is not None
    assert "“We were surprised,” said Dr. Zoë Lefèvre" in document.page.text
    assert "José Núñez" in document.page.text


def test_read_document_trusts_the_header_charset_first() -> None:
    html = "<html><head><meta charset='utf-8'><title>Ünïcode</title></head><body><p>{}</p></body></html>"
    body = html.format("Grüße aus Köln. " * 40).encode("iso-8859-15")
    document = read_document(to_response(body, charset="ISO-8859-15"), ReadOptions(min_article_words=10))
    assert document.page is not None and "Grüße aus Köln." in document.page.text


def test_read_document_reads_a_gzipped_sitemap() -> None:
    document = read_document(to_response(gzip.compress(URLSET), "application/x-gzip"), ReadOptions())
    assert document.kind == SITEMAP
    assert [link.url for link in document.links] == ["https://e.org/1", "https://e.org/2"]


def test_read_document_reports_unreadable_xml() -> None:
    document = read_document(to_response(LAUGHS, "application/rss+xml"), ReadOptions())
    assert document.kind == UNKNOWN and "EM611" in (document.reason or "")


def test_read_document_tells_listing_pages_from_articles() -> None:
    home = (SITE / "home.html").read_bytes()
    document = read_document(to_response(home), ReadOptions(tracking=("utm_*",)))
    assert document.kind == LISTING
    urls = [link.url for link in document.links]
    assert "http://127.0.0.1:1/wire/2024/03/colchicine-heart-attacks.html" in urls  # utm_* and #top gone
    assert Link("http://127.0.0.1:1/atom.xml", FEED) in document.links


def test_join_split_body_moves_later_blocks_and_drops_the_advert() -> None:
    tree = lxml.html.document_fromstring(
        '<html><body><article><section class="article-body"><p>One.</p></section>'
        '<div class="advert">Advertisement: buy now</div>'
        '<section class="article-body"><p>Two.</p></section>'
        '<section class="related-stories"><p>Other story</p></section></article></body></html>'
    )
    assert join_split_body(tree) == 1
    bodies = tree.xpath("//section[@class='article-body']")
    assert len(bodies) == 1 and [p.text for p in bodies[0].iter("p")] == ["One.", "Two."]
    assert not tree.xpath("//div[@class='advert']") and tree.xpath("//section[@class='related-stories']")


def test_join_split_body_leaves_teaser_lists_alone() -> None:
    tree = lxml.html.document_fromstring(
        '<html><body><div class="teaser-text"><p>A</p></div><div class="teaser-text"><p>B</p></div></body></html>'
    )
    assert join_split_body(tree) == 0
