"""Turn a store location (a plain path or a SQLAlchemy URL) into a database URL."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote_plus

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

POSTGRES_PREFIXES = ("postgresql://", "postgres://")
PSYCOPG_PREFIX = "postgresql+psycopg://"


def to_database_url(path_or_url: str) -> str:
    """A plain path means a SQLite file; a URL is kept, with `postgresql://` using psycopg 3."""
    location = path_or_url.strip()
    if "://" not in location:
        return "sqlite:///" + Path(location).expanduser().as_posix()
    for prefix in POSTGRES_PREFIXES:
        if location.startswith(prefix):
            return PSYCOPG_PREFIX + location[len(prefix) :]
    return location


def hide_password(url: str | URL) -> str:
    """The URL as text with its password replaced by ***, safe for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):  # it may still hold a password: show none of it
        return "<unparseable database URL>"


def to_shown_location(path_or_url: str) -> str:
    """A store location as given, safe to print: a plain path as is, a URL without password."""
    return hide_password(path_or_url) if "://" in path_or_url else path_or_url


def scrub_password(message: str, url: str | URL) -> str:
    """Remove the URL's password from a message written by a driver."""
    try:
        password = make_url(url).password
    except (ArgumentError, ValueError):
        return message
    if not password:
        return message
    for form in (str(password), quote_plus(str(password))):
        message = message.replace(form, "***")
    return message


def to_sqlite_path(url: str | URL) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)
