"""`evidence-miner evaluate`: per-field precision/recall/F1 against gold files
(docs/evaluation.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from evidence_miner.cli.choices import DEFAULT_FAKEHEALTH
from evidence_miner.watch import Unwatched
from evidence_miner.cli.common import (
    ConfigOption,
    ModelOption,
    ProgressLine,
    cli_settings,
    out_console,
)
from evidence_miner.errors import InputError

if TYPE_CHECKING:  # the scorer and the pipeline are imported when evaluate runs, not for --help
    from evidence_miner.evaluate.gold import GoldArticle
    from evidence_miner.evaluate.score import Score
    from evidence_miner.records import EvidenceRecord
    from evidence_miner.workflow import ArticleResult, RunSummary


def read_records(path: Path) -> list[EvidenceRecord]:
    from evidence_miner.records import EvidenceRecord

    try:
        lines = path.read_text("utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"[EM504] Cannot read records file {str(path)!r}: {exc}.") from exc
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            records.append(EvidenceRecord.model_validate_json(line))
        except ValueError as exc:
            raise InputError(
                f"[EM508] Line {number} of {str(path)!r} is not a valid evidence record: {exc}."
            ) from exc
    return records


class EvaluateView(Unwatched):
    """The workflow's BatchWatch for `evaluate`: the progress line over the gold articles."""

    def __init__(self, *, quiet: bool) -> None:
        self.line = ProgressLine("articles", quiet=quiet)

    @contextmanager
    def showing(self) -> Iterator[EvaluateView]:
        with self.line.showing():
            yield self

    def started(self, total: int | None) -> None:
        self.line.set_total(total)

    def done(self, result: ArticleResult, summary: RunSummary) -> None:
        self.line.advance()


def score_table(score: Score, *, title: str = "evaluation") -> Table:
    from evidence_miner.evaluate.score import FIELDS

    table = Table(title=title, show_header=True)
    for column in ("field", "tp", "fp", "fn", "precision", "recall", "f1"):
        table.add_column(column, justify="left" if column == "field" else "right")
    for name in FIELDS:
        t = score.fields[name]
        table.add_row(
            name,
            str(t.tp),
            str(t.fp),
            str(t.fn),
            f"{t.precision:.3f}",
            f"{t.recall:.3f}",
            f"{t.f1:.3f}",
        )
    micro = score.micro()
    table.add_row(
        "micro",
        str(micro.tp),
        str(micro.fp),
        str(micro.fn),
        f"{micro.precision:.3f}",
        f"{micro.recall:.3f}",
        f"{micro.f1:.3f}",
    )
    return table


def score_by_article(
    golds: list[GoldArticle], predicted: list[EvidenceRecord], *, strict: bool
) -> dict[str, Score]:
    """Each gold article's own score, from the records whose URL names it (their sum is the
    whole score)."""
    from evidence_miner.evaluate.score import Score, owner_of, score_article

    records: dict[str, list[EvidenceRecord]] = {article.stem: [] for article in golds}
    for record in predicted:
        if (owner := owner_of(record, golds)) is not None:
            records[owner.stem].append(record)
    scores = {article.stem: Score() for article in golds}
    for article in golds:
        score_article(article, records[article.stem], scores[article.stem], strict=strict)
    return scores


def to_errors_text(score: Score) -> str:
    """ "doses 1 fp 2 fn; outcomes 1 fn": the fields an article got wrong."""
    parts = []
    for name, tally in score.fields.items():
        wrong = " ".join(
            f"{count} {kind}" for kind, count in (("fp", tally.fp), ("fn", tally.fn)) if count
        )
        if wrong:
            parts.append(f"{name} {wrong}")
    return "; ".join(parts)


def articles_table(scores: dict[str, Score]) -> Table:
    """One row per gold article, lowest F1 first, with the fields it got wrong."""
    table = Table(title="by article (lowest F1 first)", show_header=True)
    for column in ("article", "tp", "fp", "fn", "f1", "wrong"):
        table.add_column(
            column,
            justify="right" if column in ("tp", "fp", "fn", "f1") else "left",
            no_wrap=column != "wrong",
            ratio=1 if column == "wrong" else None,
        )
    for stem, score in sorted(scores.items(), key=lambda item: (item[1].micro().f1, item[0])):
        micro = score.micro()
        table.add_row(
            stem,
            str(micro.tp),
            str(micro.fp),
            str(micro.fn),
            f"{micro.f1:.3f}",
            to_errors_text(score),
        )
    return table


def to_articles_json(scores: dict[str, Score]) -> dict:
    return {
        stem: {
            "tp": m.tp,
            "fp": m.fp,
            "fn": m.fn,
            "f1": round(m.f1, 4),
            "wrong": to_errors_text(score),
        }
        for stem, score in scores.items()
        for m in (score.micro(),)
    }


def to_json(score: Score) -> dict:
    fields = {
        n: {
            "tp": t.tp,
            "fp": t.fp,
            "fn": t.fn,
            "precision": round(t.precision, 4),
            "recall": round(t.recall, 4),
            "f1": round(t.f1, 4),
        }
        for n, t in score.fields.items()
    }
    micro = score.micro()
    return {
        "fields": fields,
        "micro": {
            "precision": round(micro.precision, 4),
            "recall": round(micro.recall, 4),
            "f1": round(micro.f1, 4),
        },
        "junk_failures": score.junk_failures,
    }


def read_floors(baseline: Path, set_name: str) -> dict[str, float]:
    """The floors of one set in eval/baseline.json ({"sets": {"heldout": {"micro": 0.66, ...}}})."""
    try:
        sets = json.loads(baseline.read_text("utf-8"))["sets"]
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(
            f"[EM505] Cannot read floors from {str(baseline)!r}: {exc!r}. It needs a 'sets' object."
        ) from exc
    if set_name not in sets:
        raise InputError(
            f"[EM506] {str(baseline)!r} has no floors for set {set_name!r}; it has "
            f"{sorted(sets)}. Use --set."
        )
    return sets[set_name]


def below_floors(result: dict, floors: dict[str, float]) -> list[str]:
    """Fields whose F1 dropped below their floors."""
    drops = []
    for name, floor in floors.items():
        got = result["micro"]["f1"] if name == "micro" else result["fields"].get(name, {}).get("f1")
        if got is not None and got + 1e-9 < floor:
            drops.append(f"{name}: F1 {got:.3f} < floor {floor:.3f}")
    return drops


def evaluate(
    gold_dir: Annotated[
        Path, typer.Argument(help="Folder of NAME.expected.json gold files beside their articles.")
    ],
    records: Annotated[
        Path | None,
        typer.Option("--records", help="Score these JSONL records instead of extracting."),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", help="Exit 1 if any F1 falls below the floors in this file."),
    ] = None,
    set_name: Annotated[
        str | None,
        typer.Option("--set", help="Which set's floors to use (default: the gold folder's name)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Strict scoring: a result must name its arm or subgroup (docs/evaluation.md); "
            "the table and floors use it.",
        ),
    ] = False,
    fakehealth: Annotated[
        Path,
        typer.Option(
            "--fakehealth",
            help="FakeHealth articles.jsonl.gz or a clone's dataset/content folder, for gold "
            "files that name a news_id.",
        ),
    ] = DEFAULT_FAKEHEALTH,
    by_article: Annotated[
        bool,
        typer.Option(
            "--by-article",
            help="Also score each gold article alone: a table (lowest F1 first, with the fields "
            "it got wrong), or an 'articles' object with --json.",
        ),
    ] = False,
    model: ModelOption = None,
    config: ConfigOption = None,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            "-q",
            help="No progress bar and no tables: only the micro F1 line (and floors missed).",
        ),
    ] = False,
) -> None:
    """Score records against gold files: per-field precision, recall and F1, micro F1 last.

    Extracts the gold folder's articles (files beside the gold, or real FakeHealth articles read by
    news_id from --fakehealth), or reads --records. Prints plain and strict micro F1; --by-article
    adds each article's score, --quiet prints only the micro F1 line.

    Example: evidence-miner evaluate corpus/heldout --baseline eval/baseline.json
    """
    from evidence_miner.evaluate.gold import find_gold_articles
    from evidence_miner.evaluate.records import records_for_golds
    from evidence_miner.evaluate.score import score_all
    from evidence_miner.workflow import PIPELINE_VERSION

    golds = find_gold_articles(gold_dir)
    if records is not None:
        predicted = read_records(records)
    else:
        settings = cli_settings(config, {"extract": {"model": model}})
        with EvaluateView(quiet=quiet).showing() as view:
            predicted = records_for_golds(
                None,
                golds,
                pipeline_version=PIPELINE_VERSION,
                fakehealth=fakehealth,
                settings=settings,
                watch=view,
            )
    plain, strict_score = score_all(golds, predicted), score_all(golds, predicted, strict=True)
    score = strict_score if strict else plain
    result = to_json(score) | {
        "scoring": "strict" if strict else "plain",
        "micro_plain": to_json(plain)["micro"],
        "micro_strict": to_json(strict_score)["micro"],
    }
    articles = score_by_article(golds, predicted, strict=strict) if by_article else None
    if as_json:
        typer.echo(
            json.dumps(
                result | ({"articles": to_articles_json(articles)} if articles is not None else {}),
                indent=2,
            )
        )
    else:
        if not quiet:
            out_console.print(score_table(score, title=f"evaluation ({result['scoring']})"))
            if articles is not None:
                out_console.print(articles_table(articles))
            out_console.print(f"junk in records: {score.junk_failures}")
        out_console.print(
            f"micro F1 {result['micro_plain']['f1']:.3f} plain, "
            f"{result['micro_strict']['f1']:.3f} strict"
        )
    drops = (
        below_floors(result, read_floors(baseline, set_name or gold_dir.name))
        if baseline is not None
        else []
    )
    for drop in drops:
        typer.echo(f"below floor: {drop}", err=True)
    raise typer.Exit(1 if drops else 0)
