"""`crawl --sources --source`, `runs` and `schedule` as the user runs them (real subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from evidence_miner.cli.runs import find_flags
from tests.sources.web.loopback_site import FAST_CRAWL, serve
from tests.schedule.news_site import build_news_site

EXE = Path(sys.executable).with_name("evidence-miner")
ARTICLES = {"alpha": ("atorvastatin", 1), "beta": ("metformin", 1)}


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "250"}
    return subprocess.run(
        [str(EXE), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )


def write_files(folder: Path, feed: str) -> list[str]:
    config = folder / "fast.toml"
    config.write_text(
        "[crawl]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in FAST_CRAWL.items()), "utf-8"
    )
    sources = folder / "sources.toml"
    sources.write_text(
        f'[[source]]\nname = "news"\nstart_urls = ["{feed}"]\ninterval = "1h"\n', "utf-8"
    )
    return ["--sources", str(sources), "--db", str(folder / "news.db"), "--config", str(config)]


@pytest.mark.slow
@pytest.mark.network
def test_cli_crawl_source_runs_once_and_runs_lists_it(tmp_path: Path) -> None:
    with serve(build_news_site(dict(ARTICLES))) as site:
        args = write_files(tmp_path, site.url("/feed.xml"))
        first = cli("crawl", *args, "--source", "news", cwd=tmp_path)
        second = cli("crawl", *args, "--source", "news", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "run 1 finished" in first.stdout and "'pages_new': 2" in first.stdout
    assert "'pages_new': 0" in second.stdout and "'pages_unchanged': 2" in second.stdout
    listed = cli("runs", "--db", str(tmp_path / "news.db"), "--json", cwd=tmp_path)
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(row["id"], row["source"], row["status"], row["pages_new"]) for row in rows] == [
        (2, "news", "finished", 0), (1, "news", "finished", 2)]  # fmt: skip
    table = cli("runs", "--db", str(tmp_path / "news.db"), cwd=tmp_path)
    assert table.returncode == 0 and "news" in table.stdout


def test_cli_crawl_source_unknown_name_and_bad_file_exit_2(tmp_path: Path) -> None:
    args = write_files(tmp_path, "http://127.0.0.1:9/feed.xml")
    unknown = cli("crawl", *args, "--source", "nope", cwd=tmp_path)
    assert unknown.returncode == 2 and "[EM704]" in unknown.stderr
    (tmp_path / "sources.toml").write_text(
        '[[source]]\nname = "x"\nstart_urls = ["http://127.0.0.1:9/"]\nintervall = "1h"\n'
    )
    bad = cli("schedule", *args, cwd=tmp_path)
    assert bad.returncode == 2
    assert "[EM702]" in bad.stderr and "line 4" in bad.stderr and "intervall" in bad.stderr


def test_cli_crawl_without_starts_or_source_is_a_usage_error(tmp_path: Path) -> None:
    result = cli("crawl", cwd=tmp_path)
    assert result.returncode == 2 and "--sources" in result.stderr


def make_run(source: str, status: str, hours_ago: float, new: int = 0) -> dict:
    started = datetime.now(UTC) - timedelta(hours=hours_ago)
    return {
        "source": source,
        "status": status,
        "started_at": started,
        "pages_new": new,
        "pages_changed": 0,
    }


def test_find_flags_failed_and_quiet_sources() -> None:
    runs = [
        make_run("broken", "failed", 1), make_run("broken", "finished", 2, new=3),
        make_run("quiet", "finished", 1), make_run("quiet", "finished", 80, new=2), make_run("quiet", "finished", 100),
        make_run("busy", "finished", 1, new=1), make_run("busy", "finished", 100),
        make_run("young", "finished", 1),
    ]  # fmt: skip
    flags = find_flags(runs, quiet_hours=72, now=datetime.now(UTC))
    assert flags == {"broken": "last run failed", "quiet": "nothing new for 72h"}


def run_row(run_id: int, source: str, status: str) -> dict:
    started = datetime(2026, 12, 7, 18, 20, 5, tzinfo=UTC)
    counts = {"pages_new": 12, "pages_changed": 3, "pages_unchanged": 140, "pages_failed": 1,
              "records_added": 20, "records_updated": 2, "errors": 1}  # fmt: skip
    return {"id": run_id, "source": source, "status": status, "started_at": started,
            "finished_at": started + timedelta(minutes=1), **counts}  # fmt: skip


def test_runs_table_at_80_columns_keeps_source_names_whole() -> None:
    """The run log's table used to cut a source to `so…` at 80 columns (issue 17)."""
    import io

    from rich.console import Console

    from evidence_miner.cli.runs import runs_table

    console = Console(width=80, file=io.StringIO(), color_system=None)
    table = runs_table([run_row(12, "example-news", "finished"), run_row(11, "healio-cardiology", "failed")],
                       {"example-news": "nothing new for 72h"})  # fmt: skip
    console.print(table)
    text = console.file.getvalue()
    assert max(len(line.rstrip()) for line in text.splitlines()) <= 80
    for whole in ("example-news", "healio-cardiology", "finished", "failed", "12/3/140/1", "20/2", "nothing new"):
        assert whole in text, f"{whole!r} broken at 80 columns:\n{text}"


def test_runs_of_an_empty_log_say_so(tmp_path: Path) -> None:
    assert cli("db", "migrate", "--db", str(tmp_path / "empty.db"), cwd=tmp_path).returncode == 0
    result = cli("runs", "--db", str(tmp_path / "empty.db"), cwd=tmp_path)
    assert result.returncode == 0 and result.stdout == ""
    assert "No runs logged" in result.stderr
