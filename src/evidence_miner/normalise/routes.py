"""Normalise routes of administration ("IV", "by mouth", "injection under the skin")."""

from __future__ import annotations

from functools import cache

from evidence_miner.errors import NormaliseError
from evidence_miner.normalise.tables import TableModel, load_table, to_alias_index, to_key


class RouteEntry(TableModel):
    aliases: list[str]


class RouteTable(TableModel):
    routes: dict[str, RouteEntry]


@cache
def load_route_index() -> dict[str, str]:
    """Alias key -> canonical route."""
    routes = load_table("routes.toml", RouteTable).routes
    return to_alias_index({name: entry.aliases for name, entry in routes.items()}, "routes.toml")


def normalise_route(text: str) -> str:
    """Canonical route: "IV", "intravenously" -> intravenous; "by mouth" -> oral."""
    route = load_route_index().get(to_key(text))
    if route is None:
        raise NormaliseError(
            f"[EM212] Unknown route of administration {text!r}. "
            "Add it to normalise/data/routes.toml."
        )
    return route


def is_route(text: str) -> bool:
    return to_key(text) in load_route_index()
