"""`evidence-miner search`: records by drug, condition, design, cohort size, date and site."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from evidence_miner.cli.choices import DESIGNS
from evidence_miner.cli.common import ConfigOption, DbOption, cli_settings, err_console, open_store, out_console
from evidence_miner.errors import ConfigError

if TYPE_CHECKING:
    from evidence_miner.store.search import DoseHit, SearchHit

# The largest cohort size a database column holds (a signed 64-bit integer).
MAX_COHORT = 2**63 - 1
DesignChoice = Enum("DesignChoice", {name: name for name in DESIGNS}, type=str)  # type: ignore[misc]


def to_dose_text(dose: DoseHit) -> str:
    """"semaglutide 2.4 mg weekly, subcutaneous (high dose, n=100)"."""
    amount = f"{dose.low:g}-{dose.high:g}" if dose.low is not None and dose.high is not None \
        else (f"{dose.value:g}" if dose.value is not None else "")  # fmt: skip
    words = " ".join(part for part in (dose.drug, amount, dose.unit or "", dose.frequency or "") if part)
    words += f", {dose.route}" if dose.route else ""
    arm = ", ".join(part for part in (dose.group or "", f"n={dose.group_n}" if dose.group_n is not None else "") if part)
    return f"{words} ({arm})" if arm else words


def parse_min_n(text: str | None) -> int | None:
    """A whole number of people from 0 to MAX_COHORT ("1e3" is 1000); raises ConfigError."""
    if text is None:
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value != value.to_integral_value() \
            or not 0 <= value <= MAX_COHORT:  # fmt: skip
        raise ConfigError(f"[EM520] --min-n {text!r} is not a cohort size: give a whole number of "
                          f"people from 0 to {MAX_COHORT}, e.g. --min-n 100.")  # fmt: skip
    return int(value)


def hits_table(hits: list[SearchHit]) -> Table:
    table = Table(show_header=True, show_lines=True)
    for column in ("record", "published", "site", "design", "n"):
        table.add_column(column, justify="right" if column == "n" else "left", no_wrap=column in ("record", "published"))
    for column, ratio in (("drugs", 2), ("doses", 4), ("conditions", 3)):
        table.add_column(column, ratio=ratio, overflow="fold")
    for hit in hits:
        table.add_row(hit.record_id, str(hit.published or ""), hit.site_name or "", hit.design or "",
                      "" if hit.total is None else str(hit.total), "; ".join(hit.drugs),
                      "\n".join(to_dose_text(d) for d in hit.doses), "; ".join(hit.conditions))  # fmt: skip
    return table


def search(
    drug: Annotated[str | None, typer.Option("--drug", help="Generic name, alias or vocabulary id (DrugBank, RxNorm, MeSH, ATC); any case.")] = None,
    condition: Annotated[str | None, typer.Option("--condition", help="Words in the condition's name, or its MeSH/UMLS id.")] = None,
    design: Annotated[DesignChoice | None, typer.Option("--design", help="Study design.")] = None,  # type: ignore[valid-type]
    min_n: Annotated[str | None, typer.Option("--min-n", metavar="INTEGER", help="At least this many people in the study.")] = None,
    since: Annotated[datetime | None, typer.Option("--since", formats=["%Y-%m-%d"], help="Published on or after this date (YYYY-MM-DD).")] = None,
    site: Annotated[str | None, typer.Option("--site", help="Publishing site name, e.g. Healio.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many records, newest first.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per record (JSON Lines) instead of a table.")] = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Find records by drug, condition, design, cohort size, date and site.

    Records matching every filter given are listed newest first, with their drugs, doses (of
    the --drug only, when given) and conditions.

    Example: evidence-miner search --drug semaglutide --min-n 100 --since 2020-01-01
    """
    from evidence_miner.store.search import SearchFilters

    filters = SearchFilters(drug=drug, condition=condition, design=design.value if design else None, min_n=parse_min_n(min_n),
                            since=since.date() if since else None, site=site, limit=limit)  # fmt: skip
    settings = cli_settings(config, {"store": {"db": db}})
    with open_store(settings.store.db, read_only=True) as store:
        hits = store.search(filters)
    if as_json:
        for hit in hits:
            typer.echo(hit.model_dump_json())
        return
    out_console.print(hits_table(hits))
    err_console.print(f"{len(hits)} records" + (f" (--limit {limit} reached)" if len(hits) == limit else ""))
