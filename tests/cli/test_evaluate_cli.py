"""`evidence-miner evaluate` on gold files and --records: --quiet prints one line, --by-article
scores each article alone (issue 17)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evidence_miner.records import Dose, to_json_line
from tests.evaluate.test_score import GOLD, perfect_record, write_gold


@pytest.fixture(autouse=True)
def keep_test_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    from evidence_miner.cli import main

    monkeypatch.setattr(main, "setup_logging", lambda **_: None)


@pytest.fixture
def gold_and_records(tmp_path: Path) -> tuple[Path, Path]:
    """Gold for articles a and b; a's record is perfect, b's has a wrong dose unit."""
    gold = tmp_path / "gold"
    gold.mkdir()
    write_gold(gold, "a", GOLD)
    write_gold(gold, "b", GOLD)
    wrong = perfect_record("b")
    wrong.interventions[0].doses = [Dose(value=2.4, unit="g")]
    records = tmp_path / "records.jsonl"
    records.write_text(to_json_line(perfect_record("a")) + "\n" + to_json_line(wrong) + "\n", "utf-8")
    return gold, records


def evaluate(*args: str):
    from evidence_miner.cli.main import app

    return CliRunner().invoke(app, ["evaluate", *args], env={"COLUMNS": "120"}, catch_exceptions=False)


def test_evaluate_quiet_prints_only_the_micro_f1_line(gold_and_records: tuple[Path, Path]) -> None:
    gold, records = gold_and_records
    result = evaluate(str(gold), "--records", str(records), "-q")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [line for line in result.stdout.splitlines() if line.startswith("micro F1")]
    assert len(result.stdout.splitlines()) == 1


def test_evaluate_by_article_scores_each_article_and_adds_up(gold_and_records: tuple[Path, Path]) -> None:
    gold, records = gold_and_records
    data = json.loads(evaluate(str(gold), "--records", str(records), "--by-article", "--json").stdout)
    articles = data["articles"]
    assert articles["a"]["f1"] == 1.0 and articles["a"]["wrong"] == ""
    assert articles["b"]["f1"] < 1.0 and articles["b"]["wrong"] == "doses 1 fp 1 fn"
    total = {kind: sum(a[kind] for a in articles.values()) for kind in ("tp", "fp", "fn")}
    fields = data["fields"].values()
    assert total == {kind: sum(f[kind] for f in fields) for kind in ("tp", "fp", "fn")}
    table = evaluate(str(gold), "--records", str(records), "--by-article").stdout
    assert "by article (lowest F1 first)" in table and table.index("│ b ") < table.index("│ a ")
