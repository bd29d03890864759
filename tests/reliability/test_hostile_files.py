"""Hostile files for `extract` archives and `import` (issue 18, items 12 and 13): a JSON Lines
line far past input.max_file_bytes is skipped without being held in memory and reported with
its line number; a page row with a wrongly typed field, or a record whose spans do not fit its
page's text, fails alone and the good lines around it are imported."""

from __future__ import annotations

import gzip
import io
import json
import sqlite3
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evidence_miner.sources.archives import iter_archive_pages
from evidence_miner.errors import InputError
from evidence_miner.records import Page
from evidence_miner.store import open_store, write_jsonl
from evidence_miner.store.export import write_rows_jsonl
from evidence_miner.store.tables import export_columns
from tests.store.conftest import build_article

AREA = "hostile files"
LIMIT = 1 << 20  # input.max_file_bytes in these tests
HUGE = 48 << 20  # one line of this many bytes: 48 times the limit
ARTICLE = ("Low-dose aspirin cut repeat strokes in a randomized trial of 400 adults who received "
           "aspirin 81 mg daily or placebo for two years.")  # fmt: skip


@pytest.fixture(autouse=True)
def keep_test_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process runs must not replace pytest's log handlers."""
    from evidence_miner.cli import main

    monkeypatch.setattr(main, "setup_logging", lambda **_: None)


def run_cli(*args: str, env: dict[str, str] | None = None):
    from evidence_miner.cli.main import app

    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200", **(env or {})}, catch_exceptions=False)


def write_gzip_lines(path: Path, lines: list[bytes]) -> None:
    """Lines into a .gz file; a line of HUGE bytes is written in pieces (never built whole)."""
    with gzip.open(path, "wb", compresslevel=1) as out:
        for line in lines:
            if line == b"HUGE":
                piece = b" " * (1 << 20)
                for _ in range(HUGE // len(piece)):
                    out.write(piece)
                out.write(b"\n")
            else:
                out.write(line + b"\n")


def measure_peak(items: Iterator) -> tuple[list, int]:
    """The items and the most memory Python held while they were read (bytes)."""
    tracemalloc.start()
    try:
        read = list(items)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return read, peak


# -- item 12: a JSON Lines line past the limit ---------------------------------------------------

def test_jsonl_archive_line_past_the_limit_is_reported_and_never_held(tmp_path: Path, ledger) -> None:
    """A 48 MB line of spaces (4 GiB in the issue; blank once stripped, so it used to vanish
    silently) between two good lines: the good ones are read, the long one is an EM820 error
    naming its line, and memory stays near the limit, not the line."""
    path = tmp_path / "dump.jsonl.gz"
    good = [json.dumps({"url": f"https://news.test/{n}", "text": ARTICLE}).encode() for n in (1, 3)]
    write_gzip_lines(path, [good[0], b"HUGE", good[1]])
    items, peak = measure_peak(iter_archive_pages(path, max_bytes=LIMIT))
    pages = [item for _, item in items if isinstance(item, Page)]
    errors = [(url, str(item)) for url, item in items if isinstance(item, InputError)]
    assert [page.url for page in pages] == ["https://news.test/1", "https://news.test/3"]
    assert len(errors) == 1 and errors[0][0].endswith("#line=2")
    assert errors[0][1].startswith("[EM820]") and "line 2" in errors[0][1] and "input.max_file_bytes" in errors[0][1]
    assert peak < 8 * LIMIT, f"peak {peak / 2**20:.0f} MiB while reading a {HUGE >> 20} MiB line"
    ledger.record(AREA, f"JSONL archive with one {HUGE >> 20} MiB line (limit {LIMIT >> 20} MiB)",
                  expected="EM820 for that line, the other lines read, memory bounded by the limit",
                  observed=f"EM820 on line 2; 2/2 good lines read; peak {peak / 2**20:.1f} MiB")


def test_import_line_past_the_limit_is_reported_and_the_rest_imported(tmp_path: Path, ledger) -> None:
    exported = export_lines(tmp_path)
    path = tmp_path / "records.jsonl"
    with path.open("wb") as out:
        out.write(exported["records"][0].encode() + b"\n")
        out.write(b'{"url": "' + b"x" * HUGE + b'", "status": "failed"}\n')
        out.write(exported["records"][1].encode() + b"\n")
    db = tmp_path / "imported.db"
    env = {"EVIDENCE_MINER_INPUT__MAX_FILE_BYTES": str(LIMIT)}
    tracemalloc.start()
    try:
        result = run_cli("import", str(path), "--db", str(db), env=env)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.exit_code == 1, result.stderr
    assert "[EM320]" in result.stderr and "line 2 of" in result.stderr
    assert count_rows(db, "records") == 2
    assert peak < 16 * LIMIT, f"peak {peak / 2**20:.0f} MiB while importing a {HUGE >> 20} MiB line"
    ledger.record(AREA, f"import file with one {HUGE >> 20} MiB line (limit {LIMIT >> 20} MiB)",
                  expected="EM320 for that line, exit 1, the other lines imported, memory bounded",
                  observed=f"EM320 on line 2, exit {result.exit_code}; 2/2 records imported; "
                           f"peak {peak / 2**20:.1f} MiB")


# -- item 13: wrongly typed page rows and records outside their text -----------------------------

def export_lines(tmp_path: Path) -> dict[str, list[str]]:
    """The records and pages export of a store holding one article with two records."""
    with open_store(str(tmp_path / "source.db")) as store:
        store.save_article(*build_article(studies=2), pipeline_version="1.0")
        records, pages = io.StringIO(), io.StringIO()
        write_jsonl(store.iter_records(), records)
        names, _ = export_columns("pages", json_as_text=False)
        write_rows_jsonl(names, store.iter_table_batches("pages", json_as_text=False), pages)
    return {"records": records.getvalue().splitlines(), "pages": pages.getvalue().splitlines()}


def count_rows(db: Path, table: str) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def with_changes(line: str, **changes: object) -> str:
    return json.dumps(json.loads(line) | changes)


def test_import_bad_page_rows_and_records_outside_their_text_fail_alone(tmp_path: Path, ledger) -> None:
    exported = export_lines(tmp_path)
    page = exported["pages"][0]
    pages = [with_changes(page, url="https://news.test/int-date", published=20240101),
             with_changes(page, url="https://news.test/dict-text", text={"html": "<p>x</p>"}),
             page]  # fmt: skip
    bad = json.loads(exported["records"][0])
    bad["record_id"] = "em-span-outside"
    bad["adverse_events"][0]["span"] = [10, 10**6]
    records = [exported["records"][0], json.dumps(bad), exported["records"][1]]
    (tmp_path / "records.jsonl").write_text("\n".join(records) + "\n", "utf-8")
    (tmp_path / "pages.jsonl").write_text("\n".join(pages) + "\n", "utf-8")
    db = tmp_path / "imported.db"
    # The README's order: records first, then the pages their spans point into.
    result = run_cli("import", str(tmp_path / "records.jsonl"), str(tmp_path / "pages.jsonl"), "--db", str(db))
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.exit_code == 1, result.stderr
    assert "[EM305]" not in result.stderr and len(errors) == 3, errors
    assert "[EM321]" in errors[0] and "line 1 of" in errors[0] and "'published'" in errors[0]
    assert "[EM321]" in errors[1] and "line 2 of" in errors[1] and "'text'" in errors[1]
    assert "[EM322]" in errors[2] and "line 2 of" in errors[2] and "em-span-outside" in errors[2]
    with sqlite3.connect(db) as connection:
        stored = sorted(row[0] for row in connection.execute("SELECT record_id FROM records"))
        urls = [row[0] for row in connection.execute("SELECT url FROM pages WHERE text IS NOT NULL")]
    assert stored == sorted(json.loads(line)["record_id"] for line in exported["records"])
    assert urls == [json.loads(page)["url"]]
    ledger.record(AREA, "import: page rows with published 20240101 or a dict as text; a record "
                  "whose span is outside its page's text",
                  expected="each bad line fails alone with a coded error naming line and field; "
                           "the good lines are imported",
                  observed=f"EM321 x2 (published, text), EM322 x1; exit {result.exit_code}; "
                           f"{len(stored)}/2 good records and 1/1 good page imported")


# -- item 15: two identical files in one batch ----------------------------------------------------

@pytest.fixture(scope="module")
def plain_nlp():
    """The default pipeline without the NER model (a second faster to build; enough here)."""
    from evidence_miner.extract.pipeline import build_pipeline

    return build_pipeline(ner_model="none")


def test_identical_files_keep_the_record_on_the_first_path_run_after_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plain_nlp, ledger
) -> None:
    monkeypatch.setattr("evidence_miner.extract.pipeline.build_pipeline", lambda *args, **kwargs: plain_nlp)
    folder = tmp_path / "in"
    folder.mkdir()
    text = (Path(__file__).resolve().parents[2] / "corpus/dev/amiodarone-thyroid-screening-cross-sectional.txt").read_text("utf-8")
    for name in ("b.txt", "a.txt"):
        (folder / name).write_text(text, "utf-8")
    db, first = tmp_path / "t.db", (folder / "a.txt").resolve().as_uri()
    for run in range(3):
        result = run_cli("extract", str(folder), "--db", str(db), "--workers", "1", "-o", str(tmp_path / "out.jsonl"))
        assert result.exit_code == 0, result.stderr
        written = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
        with sqlite3.connect(db) as connection:
            owners = connection.execute("SELECT DISTINCT p.url FROM records r JOIN pages p ON p.id = r.page_id").fetchall()
            history = connection.execute("SELECT action, page_url FROM record_history").fetchall()
        assert written and {record["source"]["url"] for record in written} == {first}, run
        assert owners == [(first,)] and {action for action, _ in history} == {"inserted"}, (run, history)
        assert "b.txt has the same text as" in result.stderr and "duplicate" in result.stderr
    ledger.record(AREA, "two identical files in one batch, extracted three times",
                  expected="the record stays on the first path; the other file is reported as a duplicate",
                  observed=f"record on a.txt after each of 3 runs; {len(history)} history row(s), no move")
