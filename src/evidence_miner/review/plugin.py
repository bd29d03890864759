"""Datasette hooks of the reviewer's view: the record page, links to it, evidence tables first."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from datasette import Response, hookimpl
from markupsafe import Markup, escape

from evidence_miner.review.facets import ListFacet
from evidence_miner.review.record_page import read_record_page

RECORD_ROUTE = r"^/(?P<database>[^/]+)/-/record/(?P<record_id>[^/]+)$"
STATIC = "/-/static-plugins/evidence_miner.review/review.css"


def to_record_url(datasette: Any, database: str, record_id: str) -> str:
    return f"{datasette.urls.database(database)}/-/record/{quote(record_id, safe='')}"


async def show_record(datasette: Any, request: Any) -> Response:
    """The record page: the study, each value in its sentence, the article with its spans marked."""
    database, record_id = request.url_vars["database"], request.url_vars["record_id"]
    if database not in datasette.databases:
        return await show_not_found(datasette, request, f"No database {database!r}.")
    db = datasette.get_database(database)
    page = await db.execute_fn(lambda connection: read_record_page(connection, record_id))
    if page is None:
        return await show_not_found(datasette, request, f"No record {record_id!r} in {database!r}.")
    context = {"database": database, "page": page}
    html = await datasette.render_template("review_record.html", context, request=request)
    return Response.html(html)


async def show_not_found(datasette: Any, request: Any, message: str) -> Response:
    context = {"ok": False, "error": message, "status": 404, "title": "Not found"}
    html = await datasette.render_template("error.html", context, request=request)
    return Response.html(html, status=404)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(RECORD_ROUTE, show_record)]


def link_record(datasette: Any, database: str, record_id: str, label: str) -> Markup:
    url = to_record_url(datasette, database, record_id)
    return Markup(f'<a class="review-record" href="{escape(url)}">{escape(label)}</a>')


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Markup | None:
    """A record id links to its record page; in `records`, so does the record's JSON (not shown)."""
    if table is None or not isinstance(value, str):
        return None
    if column == "record_id":
        return link_record(datasette, database, value, value)
    if column == "record" and table == "records":
        return link_record(datasette, database, row["record_id"], "read it on its record page")
    return None


@hookimpl
def extra_css_urls() -> list[str]:
    return [STATIC]


def order_tables(
    tables: list[dict[str, Any]], described: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """The database page's tables in the order the descriptions give (evidence tables first),
    the others after, hidden ones last."""
    order = {name: index for index, name in enumerate(described or {})}
    return sorted(tables, key=lambda t: (t["hidden"], order.get(t["name"], len(order)), t["name"]))


@hookimpl
def prepare_jinja2_environment(env: Any) -> None:
    env.filters["review_order"] = order_tables


@hookimpl
def register_facet_classes() -> list[type]:
    return [ListFacet]
