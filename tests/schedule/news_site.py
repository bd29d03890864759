"""A loopback news site whose feed and articles change between crawls (tests of scheduled runs)."""

from __future__ import annotations

from collections.abc import Callable

from tests.sources.web.loopback_site import Reply, Route, plain_article

FEED_TYPE = "application/rss+xml"
ROBOTS = Reply(body=b"User-agent: *\nDisallow:\n", content_type="text/plain")
HOME = (
    b'<html><head><title>Test news</title></head><body><a href="/feed.xml">Feed</a></body></html>'
)


def article_path(slug: str) -> str:
    return f"/news/{slug}.html"


def to_feed(base: str, slugs: list[str]) -> bytes:
    items = "".join(
        f"<item><title>{slug}</title><link>{base}{article_path(slug)}</link></item>"
        for slug in slugs
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Test news</title>'
            f"<link>{base}/</link>{items}</channel></rss>").encode()  # fmt: skip


def to_article(slug: str, drug: str, *, edition: int = 1) -> Reply:
    title = f"Invented {drug} study {slug} reports a result" + (
        " (corrected)" if edition > 1 else ""
    )
    body = plain_article(
        title, "2024-03-01", drug, next_path="/feed.xml", paragraphs=6 + edition - 1
    )
    return Reply(body=body)


def to_sitemap(base: str, lastmod: dict[str, str]) -> bytes:
    urls = "".join(f"<url><loc>{base}{article_path(slug)}</loc><lastmod>{date}</lastmod></url>"
                   for slug, date in lastmod.items())  # fmt: skip
    return (b'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + urls.encode() + b"</urlset>")  # fmt: skip


def build_news_site(
    articles: dict[str, tuple[str, int]], lastmod: dict[str, str] | None = None
) -> Callable[[str], dict[str, Route]]:
    """A feed listing `articles` (slug -> (drug, edition)), their pages, and a sitemap with
    `lastmod` dates (slug -> date) when given."""

    def build(base: str) -> dict[str, Route]:
        routes: dict[str, Route] = {"/robots.txt": ROBOTS, "/": Reply(body=HOME)}
        routes |= {
            "/news/": Reply(body=HOME),
            "/about": Reply(body=HOME),
        }  # the article template's links
        routes["/feed.xml"] = Reply(body=to_feed(base, list(articles)), content_type=FEED_TYPE)
        if lastmod is not None:
            routes["/sitemap.xml"] = Reply(
                body=to_sitemap(base, lastmod), content_type="application/xml"
            )
        for slug, (drug, edition) in articles.items():
            routes[article_path(slug)] = to_article(slug, drug, edition=edition)
        return routes

    return build
