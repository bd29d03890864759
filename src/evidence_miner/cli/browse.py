"""`evidence-miner browse`: open a SQLite store in Datasette, with descriptions, canned queries
and the reviewer's view (evidence_miner.review: record pages, search, facets)."""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from evidence_miner.cli.common import ConfigOption, DbOption, cli_settings, err_console, open_store
from evidence_miner.errors import ConfigError, StoreError


def find_sqlite_file(location: str) -> Path:
    """The SQLite file behind --db; PostgreSQL or a missing file is a usage error."""
    from evidence_miner.store.urls import hide_password, to_database_url, to_sqlite_path

    path = to_sqlite_path(to_database_url(location))
    if path is None:
        raise ConfigError(
            f"[EM311] browse opens a SQLite file, and {hide_password(to_database_url(location))} "
            "is not one. Export the tables (`export --format parquet`) or pass --db PATH.db."
        )
    if not path.is_file():
        raise ConfigError(
            f"[EM311] No database at {str(path)!r}. Pass --db with an existing file, "
            "or create one with `evidence-miner run`."
        )
    return path


def claim_port(host: str, port: int) -> int:
    """The port to serve on, checked free before it is announced (0: any free port)."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.create_server((host, port), family=family) as server:
            return int(server.getsockname()[1])
    except OSError as exc:
        raise ConfigError(
            f"[EM350] Cannot listen on {host}:{port}: {exc.strerror or exc}. "
            "Another program (an earlier `browse`?) uses the port: pass another "
            "--port, or --port 0 for any free one."
        ) from exc


def read_table_names(path: Path) -> list[str]:
    """The tables and views of the SQLite file, read without writing to it."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
        return [row[0] for row in rows]
    finally:
        connection.close()


def to_datasette_args(
    path: Path, metadata: Path, *, host: str, port: int, open_browser: bool
) -> list[str]:
    args = [
        "serve",
        str(path),
        "--metadata",
        str(metadata),
        "--host",
        host,
        "--port",
        str(port),
        "--setting",
        "sql_time_limit_ms",
        "5000",
        "--setting",
        "facet_time_limit_ms",
        "3000",
        "--setting",
        "suggest_facets",
        "off",
    ]
    # At 20,000 records a facet on drugs or conditions takes 0.5 s (Datasette's default limit:
    # 0.2 s), and suggesting facets 1 s more a page: the reviewer's facets are configured.
    return args + (["--open"] if open_browser else [])


def register_review_plugin() -> None:
    """The reviewer's view, for this process's Datasette only (not every Datasette installed)."""
    from datasette.plugins import pm

    from evidence_miner import review

    if not pm.is_registered(review):
        pm.register(review, name="evidence_miner.review")


def stop_on_signal(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def run_datasette(args: list[str]) -> None:
    """Datasette's own command line, in this process: Ctrl-C or SIGTERM stop it cleanly."""
    try:
        import click
        from datasette.cli import cli

        register_review_plugin()
    except ImportError as exc:
        raise StoreError(
            f"[EM312] Cannot start Datasette: {exc}. Install it with `pip install datasette`."
        ) from exc
    signal.signal(signal.SIGTERM, stop_on_signal)  # uvicorn re-raises it once it has stopped
    try:
        cli.main(args=args, prog_name="datasette", standalone_mode=False)
    except KeyboardInterrupt:
        return
    except click.ClickException as exc:
        raise StoreError(f"[EM312] Datasette refused to start: {exc.format_message()}.") from exc
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise StoreError(
                f"[EM312] Datasette stopped with exit code {exc.code}. See its "
                "message above; a port in use needs another --port."
            ) from exc


def browse(
    db: DbOption = None,
    host: Annotated[
        str,
        typer.Option("--host", help="Address to listen on; 127.0.0.1 keeps it on this machine."),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port to listen on (0: any free port).")
    ] = 8001,
    open_browser: Annotated[
        bool, typer.Option("--open/--no-open", help="Also open a web browser on it.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Open a SQLite database in Datasette to look at records in a browser.

    Records come first: search the articles' titles and text, narrow by design, drug, condition
    and year, and open a record's page to see each value highlighted in its sentence and in the
    article. Every table and column is described, and canned queries list the doses of a drug,
    the studies of a condition, adverse events, effect sizes and a record's history. It prints
    the address and opens no web browser unless --open is given. Ctrl-C stops it.

    Example: evidence-miner browse --db evidence.db --port 8001
    """
    from evidence_miner.store.describe import to_datasette_metadata

    settings = cli_settings(config, {"store": {"db": db}})
    path = find_sqlite_file(settings.store.db)
    open_store(str(path)).close()  # bring the schema to the revision the descriptions follow
    port = claim_port(host, port)
    with tempfile.TemporaryDirectory(prefix="evidence-miner-browse-") as folder:
        metadata = Path(folder) / "metadata.json"
        described = to_datasette_metadata(path.stem, read_table_names(path))
        metadata.write_text(json.dumps(described, ensure_ascii=False), "utf-8")
        err_console.print(f"Datasette on http://{host}:{port}/{path.stem} (Ctrl-C stops it)")
        run_datasette(
            to_datasette_args(path, metadata, host=host, port=port, open_browser=open_browser)
        )
