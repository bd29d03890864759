"""The database commands: export, import, search, stats, browse and db, on a SQLite file and
(with EVIDENCE_MINER_TEST_PG) a real PostgreSQL server. Error exits, the round trip and browse
go through the real entry point in a subprocess; the rest run the Typer app in-process."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pyarrow.parquet as pq
import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from evidence_miner.errors import ConfigError, StoreError
from evidence_miner.records import (
    Count,
    Dose,
    EvidenceRecord,
    Intervention,
    Population,
    Source,
    Study,
)
from evidence_miner.settings import load_settings

EXE = Path(sys.executable).with_name("evidence-miner")
STORE_COMMANDS = [["export"], ["import"], ["search"], ["stats"], ["browse"], ["db"], ["db", "migrate"], ["db", "status"]]


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The installed `evidence-miner` in a subprocess."""
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run([str(EXE), *args], cwd=cwd, capture_output=True, text=True, env=full_env, timeout=300, check=False)


def run(*args: str, env: dict[str, str] | None = None):
    """The Typer app in this process (no start-up cost); errors propagate as exceptions."""
    from evidence_miner.cli.main import app

    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200", **(env or {})}, catch_exceptions=False)
    return result


@pytest.fixture(autouse=True)
def keep_test_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process runs must not replace pytest's log handlers."""
    from evidence_miner.cli import main

    monkeypatch.setattr(main, "setup_logging", lambda **_: None)


def build_record(index: int, *, drug: str, n: int, design: str, site: str) -> EvidenceRecord:
    source = Source(url=f"https://{site.lower()}.example/{index}", title=f"Study {index} of {drug}",
                    site_name=site, published=f"2024-0{index}-01")  # fmt: skip
    dose = Dose(text=f"{drug} 2.4 mg", value=2.4, unit="mg", frequency="weekly", route="subcutaneous", group_n=n // 2)
    return EvidenceRecord(record_id=f"em-cli-{index}", source=source, pipeline_version="1",
                          study=Study(design=design), population=Population(total=Count(value=n)),
                          interventions=[Intervention(name=drug, ids={"drugbank": "DB13928"}, doses=[dose])])  # fmt: skip


@pytest.fixture
def records_file(tmp_path: Path) -> Path:
    records = [build_record(1, drug="semaglutide", n=1200, design="rct", site="Healio"),
               build_record(2, drug="semaglutide", n=40, design="retrospective", site="Healio"),
               build_record(3, drug="metformin", n=300, design="rct", site="CardioBeat")]  # fmt: skip
    path = tmp_path / "in.jsonl"
    path.write_text("".join(r.model_dump_json() + "\n" for r in records), "utf-8")
    return path


@pytest.fixture
def db(tmp_path: Path, records_file: Path) -> str:
    path = str(tmp_path / "evidence.db")
    result = run("import", str(records_file), "--db", path, "--quiet")
    assert result.exit_code == 0, result.stderr
    return path


@pytest.fixture
def pg_url() -> Iterator[str]:
    server = os.environ.get("EVIDENCE_MINER_TEST_PG", "").strip()
    if not server:
        pytest.skip("EVIDENCE_MINER_TEST_PG is not set")
    schema = f"cli_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{server}{'&' if '?' in server else '?'}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def test_store_commands_have_help_with_an_example() -> None:
    for command in STORE_COMMANDS:
        result = run(*command, "--help")
        assert result.exit_code == 0, command
        assert "Example:" in result.output, command


def test_export_csv_has_one_row_per_dose_with_record_and_drug(db: str, tmp_path: Path) -> None:
    result = run("export", "--db", db, "--format", "csv", "--table", "doses", "-o", str(tmp_path / "doses.csv"))
    assert result.exit_code == 0, result.stderr
    raw = (tmp_path / "doses.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [(r["record_id"], r["drug"], r["value"], r["unit"]) for r in rows] == [
        ("em-cli-1", "semaglutide", "2.4", "mg"), ("em-cli-2", "semaglutide", "2.4", "mg"),
        ("em-cli-3", "metformin", "2.4", "mg")]  # fmt: skip
    assert "exported 3 doses rows" in result.stderr


def test_export_parquet_is_typed_and_needs_a_file(db: str, tmp_path: Path) -> None:
    result = run("export", "--db", db, "--format", "parquet", "--table", "records", "-o", str(tmp_path / "r.parquet"))
    assert result.exit_code == 0, result.stderr
    table = pq.read_table(tmp_path / "r.parquet")
    assert table.column("total").to_pylist() == [1200, 40, 300]
    assert str(table.schema.field("published").type) == "date32[day]"
    refused = cli("export", "--db", db, "--format", "parquet", cwd=tmp_path)
    assert refused.returncode == 2 and "EM310" in refused.stderr
    assert not list(tmp_path.glob(".*parquet*"))


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_export_import_round_trip_gives_identical_records(
    backend: str, db: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    exported = cli("export", "--db", db, "-o", "records.jsonl", "--quiet", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    target = str(tmp_path / "copy.db") if backend == "sqlite" else request.getfixturevalue("pg_url")
    env = {"EVIDENCE_MINER_DB": target}  # the variable, not --db: both must work
    imported = cli("import", "records.jsonl", cwd=tmp_path, env=env)
    assert imported.returncode == 0, imported.stderr
    again = run("export", "--quiet", env=env)
    assert again.stdout == (tmp_path / "records.jsonl").read_text("utf-8")
    if "@" in target and ":" in target.split("@")[0].split("//")[1]:
        password = target.split("@")[0].split(":")[-1]
        assert password not in imported.stderr + again.stderr


def test_import_reports_bad_lines_and_keeps_the_good_ones(records_file: Path, tmp_path: Path) -> None:
    lines = records_file.read_text("utf-8").splitlines()
    (tmp_path / "mixed.jsonl").write_text("\n".join([lines[0], "{broken", lines[1]]) + "\n", "utf-8")
    result = cli("import", "mixed.jsonl", "missing.jsonl", "--db", "x.db", cwd=tmp_path)
    assert result.returncode == 1
    assert "EM309" in result.stderr and "line 2 of 'mixed.jsonl'" in result.stderr and "EM315" in result.stderr
    exported = run("export", "--db", str(tmp_path / "x.db")).stdout.splitlines()
    assert [json.loads(line)["record_id"] for line in exported] == ["em-cli-1", "em-cli-2"]
    again = run("import", str(tmp_path / "mixed.jsonl"), "--db", str(tmp_path / "x.db"), "--max-failures", "1")
    assert again.exit_code == 0


def test_import_of_a_wrong_file_reports_it_once_and_imports_the_others(records_file: Path, tmp_path: Path) -> None:
    """A CSV export given to import printed one EM309 line per row (136 for the corpus, issue 17)."""
    rows = ["record_id,drug,value,unit", *(f"em-{i},semaglutide,2.4,mg" for i in range(136))]
    (tmp_path / "doses.csv").write_text("\n".join(rows) + "\n", "utf-8")
    result = run("import", str(tmp_path / "doses.csv"), str(records_file), "--db", str(tmp_path / "x.db"))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) <= 5, "\n".join(errors)
    assert sum("[EM309]" in line for line in errors) == 3 and sum("[EM340]" in line for line in errors) == 1
    assert "2 more lines of" in result.stderr and "failed with EM309" in result.stderr
    assert re.search(r"records inserted\s*│\s*3", result.stderr)


def test_import_shows_three_lines_per_code_of_a_damaged_file_and_counts_the_rest(
    records_file: Path, tmp_path: Path
) -> None:
    good = records_file.read_text("utf-8").splitlines()
    (tmp_path / "damaged.jsonl").write_text("\n".join([good[0], *["{broken"] * 10, good[1]]) + "\n", "utf-8")
    result = run("import", str(tmp_path / "damaged.jsonl"), "--db", str(tmp_path / "x.db"), "--max-failures", "10")
    assert result.exit_code == 0
    assert result.stderr.count("[EM309]") == 3 and "7 more lines of" in result.stderr and "[EM340]" not in result.stderr
    assert re.search(r"lines that failed\s*│\s*10", result.stderr)


def test_show_of_a_record_imported_without_its_page_shows_its_words_not_empty_marks(tmp_path: Path) -> None:
    """`show` printed `«»` for every value of a record whose page text is not stored (issue 17)."""
    record = build_record(1, drug="semaglutide", n=1200, design="rct", site="Healio")
    dose = Dose(text="semaglutide 2.4 mg", span=(40, 58), sentence=1, value=2.4, unit="mg")
    record.interventions[0].doses = [dose]
    (tmp_path / "r.jsonl").write_text(record.model_dump_json() + "\n", "utf-8")
    assert run("import", str(tmp_path / "r.jsonl"), "--db", str(tmp_path / "x.db"), "--quiet").exit_code == 0
    shown = run("show", "em-cli-1", "--db", str(tmp_path / "x.db"))
    assert shown.exit_code == 0, shown.stderr
    assert "«»" not in shown.stdout and "«semaglutide 2.4 mg»" in shown.stdout
    assert "no text for the record's article" in shown.stdout and "--table pages" in shown.stdout


def test_search_prints_a_table_and_json(db: str, tmp_path: Path) -> None:
    table = run("search", "--db", db, "--drug", "Semaglutide", "--min-n", "100")
    assert table.exit_code == 0, table.stderr
    assert "em-cli-1" in table.stdout and "em-cli-2" not in table.stdout and "2.4 mg weekly" in table.stdout
    found = run("search", "--db", db, "--design", "rct", "--since", "2024-02-01", "--json")
    assert [json.loads(line)["record_id"] for line in found.stdout.splitlines()] == ["em-cli-3"]
    assert run("search", "--db", db, "--design", "rtc").exit_code == 2


def test_search_brand_name_finds_the_generic_drug(db: str) -> None:
    """The records name semaglutide only; Ozempic is its brand in the drug lexicon (issue 17)."""
    found = run("search", "--db", db, "--drug", "Ozempic", "--json")
    assert [json.loads(line)["record_id"] for line in found.stdout.splitlines()] == ["em-cli-2", "em-cli-1"]


def render_at(width: int, renderable: object) -> str:
    from rich.console import Console

    console = Console(width=width, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return console.file.getvalue()


def test_search_table_at_80_columns_keeps_drug_names_whole_and_shows_the_title() -> None:
    from evidence_miner.cli.search import hits_table
    from evidence_miner.store.search import DoseHit, SearchHit

    hit = SearchHit(record_id="em-b804bfa4070f585c4ecf", url="https://x.example/1", design="rct", total=1146,
                    title="Weekly semaglutide cuts heart failure events", published="2025-03-04",
                    drugs=["semaglutide", "spironolactone"], conditions=["heart failure with preserved ejection fraction"],
                    doses=[DoseHit(drug="semaglutide", value=2.4, unit="mg", frequency="weekly", route="subcutaneous")])  # fmt: skip
    text = render_at(80, hits_table([hit]))
    assert max(len(line) for line in text.splitlines()) <= 80
    for whole in ("semaglutide", "spironolactone", "em-b804bfa4070f585c4ecf", "2025-03-04", "ejection", "Weekly"):
        assert whole in text, f"{whole!r} broken at 80 columns:\n{text}"


def test_search_with_no_match_says_so_instead_of_an_empty_table(db: str) -> None:
    result = run("search", "--db", db, "--drug", "aspirin", "--condition", "heart failure")
    assert result.exit_code == 0 and result.stdout == ""
    assert "No records match --drug aspirin --condition 'heart failure'" in result.stderr and "--mentioned" in result.stderr


def test_search_min_n_out_of_range_is_a_coded_usage_error(db: str, tmp_path: Path) -> None:
    result = cli("search", "--db", db, "--min-n", "1e23", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "[EM520]" in result.stderr and "'1e23'" in result.stderr and "Traceback" not in result.stderr
    assert "--min-n 100" in result.stderr  # says what to give instead


@pytest.mark.parametrize("value", ["100000000000000000000000", "-1", "12.5", "many", "nan", "inf"])
def test_search_min_n_that_is_no_cohort_size_is_refused(db: str, value: str) -> None:
    with pytest.raises(ConfigError, match=rf"\[EM520\] --min-n {re.escape(repr(value))}") as raised:
        run("search", "--db", db, "--min-n", value)
    assert raised.value.exit_code == 2


def test_search_min_n_accepts_a_whole_number_written_with_an_exponent(db: str) -> None:
    found = run("search", "--db", db, "--min-n", "1e3", "--json")
    assert found.exit_code == 0 and [json.loads(line)["record_id"] for line in found.stdout.splitlines()] == ["em-cli-1"]


def test_stats_counts_by_site_design_and_drug(db: str, tmp_path: Path) -> None:
    result = run("stats", "--db", db, "--json")
    data = json.loads(result.stdout)
    assert data["counts"]["records"] == 3
    assert data["site"][0] == {"key": "Healio", "records": 2, "doses": None}
    assert [(d["key"], d["records"], d["doses"]) for d in data["drug"]] == [("semaglutide", 2, 2), ("metformin", 1, 1)]
    assert "records by design" in run("stats", "--db", db).stdout


def test_db_migrate_and_status(tmp_path: Path) -> None:
    new = str(tmp_path / "new.db")
    assert "database revision: empty" in run("db", "status", "--db", new).stdout
    down = run("db", "migrate", "--db", new, "--revision", "0002")
    assert down.stdout.strip() == "schema revision: empty -> 0002"
    assert "needs `evidence-miner db migrate`" in run("db", "status", "--db", new).stdout
    up = run("db", "migrate", "--db", new)
    assert up.stdout.startswith("schema revision: 0002 -> 0")
    assert "up to date" in run("db", "status", "--db", new).stdout
    with pytest.raises(StoreError, match=r"\[EM313\]"):
        run("db", "migrate", "--db", new, "--revision", "zz")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str, deadline: float) -> str:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode("utf-8")
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_browse_serves_the_database_on_a_loopback_port(db: str, tmp_path: Path) -> None:
    port = free_port()
    command = [str(EXE), "browse", "--db", db, "--port", str(port), "--no-open"]
    server = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        page = fetch(f"http://127.0.0.1:{port}/evidence/doses", time.monotonic() + 60)
        rows = json.loads(fetch(f"http://127.0.0.1:{port}/evidence/doses_of_drug.json"
                                "?drug=semaglutide&min_n=100&_shape=array", time.monotonic() + 10))  # fmt: skip
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    assert "One row per dose of a drug" in page and "Dose amount" in page
    assert [row["record_id"] for row in rows] == ["em-cli-1"]
    assert server.returncode in (0, -15), stderr


def test_browse_refuses_postgresql_without_showing_the_password(tmp_path: Path) -> None:
    result = cli("browse", "--db", "postgresql://me:S3cret@127.0.0.1:1/db", "--no-open", cwd=tmp_path)
    assert result.returncode == 2
    assert "EM311" in result.stderr and "S3cret" not in result.stderr and "me:***@" in result.stderr


def test_db_variable_sits_between_the_flag_and_the_store_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EVIDENCE_MINER_STORE__DB", "nested.db")
    assert load_settings().store.db == "nested.db"
    monkeypatch.setenv("EVIDENCE_MINER_DB", "short.db")
    assert load_settings().store.db == "short.db"
    assert load_settings(None, {"store": {"db": "flag.db"}}).store.db == "flag.db"
    monkeypatch.setenv("EVIDENCE_MINER_DB", "")
    assert load_settings().store.db == "nested.db"
