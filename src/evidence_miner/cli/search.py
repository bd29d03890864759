"""`evidence-miner search`: records by drug, condition, design, cohort size, date and site."""

from __future__ import annotations

import shlex
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from evidence_miner.cli.choices import DESIGNS
from evidence_miner.cli.common import (
    ConfigOption,
    DbOption,
    cli_settings,
    err_console,
    open_store,
    out_console,
)
from evidence_miner.errors import ConfigError

if TYPE_CHECKING:
    from evidence_miner.store.search import DoseHit, SearchFilters, SearchHit

# The largest cohort size a database column holds (a signed 64-bit integer).
MAX_COHORT = 2**63 - 1
DesignChoice = Enum("DesignChoice", {name: name for name in DESIGNS}, type=str)  # type: ignore[misc]


def to_dose_text(dose: DoseHit) -> str:
    """ "semaglutide 2.4 mg weekly, subcutaneous (high dose, n=100)"."""
    amount = (
        f"{dose.low:g}-{dose.high:g}"
        if dose.low is not None and dose.high is not None
        else (f"{dose.value:g}" if dose.value is not None else "")
    )
    words = " ".join(
        part for part in (dose.drug, amount, dose.unit or "", dose.frequency or "") if part
    )
    words += f", {dose.route}" if dose.route else ""
    arm = ", ".join(
        part
        for part in (dose.group or "", f"n={dose.group_n}" if dose.group_n is not None else "")
        if part
    )
    return f"{words} ({arm})" if arm else words


def parse_min_n(text: str | None) -> int | None:
    """A whole number of people from 0 to MAX_COHORT ("1e3" is 1000); raises ConfigError."""
    if text is None:
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = None
    if (
        value is None
        or not value.is_finite()
        or value != value.to_integral_value()
        or not 0 <= value <= MAX_COHORT
    ):
        raise ConfigError(
            f"[EM520] --min-n {text!r} is not a cohort size: give a whole number of "
            f"people from 0 to {MAX_COHORT}, e.g. --min-n 100."
        )
    return int(value)


def to_record_cell(hit: SearchHit) -> str:
    """ "em-... / 2025-03-04 · rct / n=1146 · Healio": the id and the facts to sort by."""
    study = " · ".join(part for part in (str(hit.published or ""), hit.design or "") if part)
    where = " · ".join(
        part
        for part in ("" if hit.total is None else f"n={hit.total}", hit.site_name or "")
        if part
    )
    return "\n".join(part for part in (hit.record_id, study, where) if part)


def to_findings_cell(hit: SearchHit) -> Text:
    """The article's title, then one line each for the drugs, doses and conditions."""
    cell = Text(hit.title or hit.url, style="bold")
    for label, values in (
        ("drugs", "; ".join(hit.drugs)),
        ("doses", "; ".join(to_dose_text(d) for d in hit.doses)),
        ("conditions", "; ".join(hit.conditions)),
    ):
        if values:
            cell.append(f"\n{label}: ", style="dim").append(values)
    return cell


def hits_table(hits: list[SearchHit]) -> Table:
    """Two columns, so that at 80 columns a drug name wraps whole (one column per field broke
    names into pieces): the record's id, date, design, size and site; its title and findings."""
    table = Table(show_header=True, show_lines=True)
    table.add_column("record", no_wrap=True)
    table.add_column("title, drugs, doses, conditions", ratio=1)
    for hit in hits:
        table.add_row(to_record_cell(hit), to_findings_cell(hit))
    return table


def describe_filters(filters: SearchFilters) -> str:
    """The filters given, as options: "--drug Ozempic --condition 'heart failure'"."""
    given = filters.model_dump(
        mode="json", exclude_defaults=True, exclude={"drug_generic", "limit", "mentioned"}
    )
    options = [
        f"--{name.replace('_', '-')} {shlex.quote(str(value))}" for name, value in given.items()
    ]
    return " ".join(options) or "no filter"


def find_generic_name(drug: str) -> str | None:
    """The name the drug lexicon gives `drug` ("Ozempic" -> "semaglutide"), so that a brand
    name finds the records of its generic drug whatever name the article used."""
    from evidence_miner.extract.lexicons import load_drug_lexicon

    entry = load_drug_lexicon().lookup(drug.strip())
    return entry.name if entry is not None else None


def search(
    drug: Annotated[
        str | None,
        typer.Option(
            "--drug",
            help="Generic or brand name, alias or vocabulary id (DrugBank, RxNorm, MeSH, ATC); "
            "any case. A brand name (Ozempic) finds its generic drug (semaglutide) through the "
            "drug lexicon.",
        ),
    ] = None,
    condition: Annotated[
        str | None,
        typer.Option(
            "--condition",
            help="Words in the name of a condition the study is about, or its MeSH/UMLS id.",
        ),
    ] = None,
    mentioned: Annotated[
        bool,
        typer.Option(
            "--mentioned",
            help="With --condition: also match conditions the article only mentions in passing "
            "(by default only the conditions a study is about match).",
        ),
    ] = False,
    design: Annotated[DesignChoice | None, typer.Option("--design", help="Study design.")] = None,  # type: ignore[valid-type]
    min_n: Annotated[
        str | None,
        typer.Option("--min-n", metavar="INTEGER", help="At least this many people in the study."),
    ] = None,
    since: Annotated[
        datetime | None,
        typer.Option(
            "--since", formats=["%Y-%m-%d"], help="Published on or after this date (YYYY-MM-DD)."
        ),
    ] = None,
    site: Annotated[
        str | None, typer.Option("--site", help="Publishing site name, e.g. Healio.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="At most this many records, newest first.")
    ] = 50,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="One JSON object per record (JSON Lines) instead of a table."),
    ] = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Find records by drug, condition, design, cohort size, date and site.

    Records matching every filter given are listed newest first, with their title, drugs, doses
    (of the --drug only, when given) and conditions. A brand name given to --drug finds the
    records of its generic drug (the drug lexicon's synonyms); --condition matches the conditions
    a study is about, and with --mentioned also those the article only names in passing. When
    nothing matches, a line on stderr says so and no table is printed.

    Example: evidence-miner search --drug Ozempic --condition "heart failure" --min-n 100
    """
    from evidence_miner.store.search import SearchFilters

    filters = SearchFilters(
        drug=drug,
        drug_generic=find_generic_name(drug) if drug else None,
        condition=condition,
        mentioned=mentioned,
        design=design.value if design else None,
        min_n=parse_min_n(min_n),
        since=since.date() if since else None,
        site=site,
        limit=limit,
    )
    settings = cli_settings(config, {"store": {"db": db}})
    with open_store(settings.store.db, read_only=True) as store:
        hits = store.search(filters)
    if as_json:
        for hit in hits:
            typer.echo(hit.model_dump_json())
        return
    if not hits:
        hint = " or add --mentioned" if condition and not mentioned else ""
        err_console.print(
            f"No records match {describe_filters(filters)}: try fewer filters{hint}.",
            highlight=False,
            soft_wrap=True,
        )
        return
    out_console.print(hits_table(hits))
    found = f"{len(hits)} record{'' if len(hits) == 1 else 's'}"
    err_console.print(
        found + (f" (--limit {limit} reached)" if len(hits) == limit else ""), highlight=False
    )
