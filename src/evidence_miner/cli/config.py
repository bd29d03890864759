"""`evidence-miner config show`: the effective settings after every layer is applied."""

from __future__ import annotations

import typer

from evidence_miner.cli.common import ConfigOption, cli_settings

config_app = typer.Typer(
    help="Inspect settings.\n\nExample: evidence-miner config show", no_args_is_help=True
)


def hide_password(url: str) -> str:
    """Database URLs are shown without their password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def to_toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(to_toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


@config_app.command("show")
def show(config: ConfigOption = None) -> None:
    """Print the effective settings as TOML (defaults < evidence-miner.toml < EVIDENCE_MINER_* <
    flags).

    Example: EVIDENCE_MINER_STORE__DB=team.db evidence-miner config show
    """
    settings = cli_settings(config)
    for section, values in settings.model_dump().items():
        typer.echo(f"[{section}]")
        for key, value in values.items():
            shown = hide_password(value) if key == "db" else value
            typer.echo(f"{key} = {to_toml_value(shown)}")
        typer.echo("")
