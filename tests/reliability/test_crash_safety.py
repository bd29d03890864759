"""Crash safety: a crawl and a batch SIGKILLed at random points and resumed store every article
exactly once with nothing partial (compared with an uninterrupted run), and the SQLite file
passes integrity_check; a full disk gives [EM316] and leaves the database intact."""

from __future__ import annotations

import os
import random
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import event

from evidence_miner.errors import StoreError
from evidence_miner.store import open_store
from tests.sources.web.loopback_site import build_big_site, serve

REPO = Path(__file__).resolve().parents[2]
EXE = str(Path(sys.executable).with_name("evidence-miner"))
KILL_SEED = 10_2026
# Kills per test (two tests: 20 in the suite); scripts/gen_reliability_report.py --soak raises it.
KILLS = int(os.environ.get("EVIDENCE_MINER_RELIABILITY_KILLS", "10"))
ARTICLES = 40
RUN_TIMEOUT = 120
# Most kills land this long (uniformly random) after the run stored its next article; the
# others at a random moment after the start, wherever the run is (crawl steps, startup).
KILL_AFTER_PROGRESS = (0.0, 0.25)
# A batch of small files stores tens of articles in a quarter of a second on a fast machine, so
# its kills come sooner after a save (else most runs end before their kill).
BATCH_KILL_AFTER_PROGRESS = (0.0, 0.04)
KILL_AFTER_START = (0.3, 3.0)
SHARE_KILLED_BY_TIME = 0.25
FILE_LIMIT = 64 * 1024
CHILD_TABLES = ("interventions", "doses", "outcomes", "adverse_events", "conditions", "population_groups", "effects")
FAST_ENV = {
    "EVIDENCE_MINER_EXTRACT__NER_MODEL": "none",  # a second off each start; extraction unchanged otherwise
    "EVIDENCE_MINER_CRAWL__DELAY_SECONDS": "0",
    "EVIDENCE_MINER_CRAWL__TIMEOUT_SECONDS": "2",
    "EVIDENCE_MINER_CRAWL__BACKOFF_SECONDS": "0.05",
    "EVIDENCE_MINER_EXTRACT__BATCH_SIZE": "2",  # saves come two at a time, so kills fall between them
}


@dataclass
class KillRound:
    """What the kills did: how many landed while the run was working, articles stored before."""

    kills: int = 0
    finished_first: int = 0
    stored_at_kills: list[int] | None = None


def count_pages(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as connection:
            return connection.execute("SELECT count(*) FROM pages").fetchone()[0]
    except sqlite3.Error:
        return 0


def run_to_end(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, **FAST_ENV}
    return subprocess.run([EXE, *args], check=False, cwd=cwd, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)


def start_and_kill(
    args: list[str],
    cwd: Path,
    db: Path,
    rng: random.Random,
    after_progress: tuple[float, float] = KILL_AFTER_PROGRESS,
) -> int | None:
    """Start the command and SIGKILL it at a random point: mostly a moment after it stored one
    more article, sometimes anywhere after its start. The articles stored by then, or None
    when it finished first."""
    before = count_pages(db)
    by_time = rng.random() < SHARE_KILLED_BY_TIME
    env = {**os.environ, **FAST_ENV}
    process = subprocess.Popen([EXE, *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + (rng.uniform(*KILL_AFTER_START) if by_time else RUN_TIMEOUT)
    try:
        while (by_time or count_pages(db) <= before) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        if not by_time:
            time.sleep(rng.uniform(*after_progress))
        if process.poll() is not None:
            return None
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    return count_pages(db)


def kill_repeatedly(
    args: list[str],
    cwd: Path,
    db: Path,
    rng: random.Random,
    after_progress: tuple[float, float] = KILL_AFTER_PROGRESS,
) -> KillRound:
    result = KillRound(stored_at_kills=[])
    for _ in range(KILLS):
        stored = start_and_kill(args, cwd, db, rng, after_progress)
        if stored is None:
            result.finished_first += 1
        else:
            result.kills += 1
            result.stored_at_kills.append(stored)
    return result


def snapshot(db: Path) -> dict:
    """What a run stored, without timestamps: pages, records and each record's child rows."""
    with sqlite3.connect(db) as connection:
        pages = sorted(connection.execute("SELECT url, status, text_sha256, reason IS NULL FROM pages"))
        records = sorted(connection.execute(
            "SELECT r.record_id, p.url FROM records r JOIN pages p ON p.id = r.page_id"))
        children = {table: sorted(connection.execute(
            f"SELECT record_id, count(*) FROM {table} GROUP BY record_id")) for table in CHILD_TABLES}
    return {"pages": pages, "records": records, "children": children}


def check_database(db: Path) -> tuple[str, list]:
    """integrity_check's verdict and foreign_key_check's violations."""
    with sqlite3.connect(db) as connection:
        verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
        orphans = connection.execute("PRAGMA foreign_key_check").fetchall()
    return verdict, orphans


def count_lost_and_doubled(killed: dict, clean: dict) -> tuple[int, int]:
    """Records the killed-and-resumed database lacks, and rows it has beyond the clean run."""
    lost = len(set(clean["records"]) - set(killed["records"])) + len(set(clean["pages"]) - set(killed["pages"]))
    doubled = len(killed["records"]) - len(set(killed["records"])) + len(set(killed["records"]) - set(clean["records"]))
    return lost, doubled


def to_differences(killed: dict, clean: dict) -> dict[str, list]:
    """The rows each snapshot has and the other lacks, per table (a readable failure)."""
    tables = {"pages": (killed["pages"], clean["pages"]), "records": (killed["records"], clean["records"])}
    tables.update({name: (killed["children"][name], clean["children"][name]) for name in CHILD_TABLES})
    return {name: sorted(set(a) ^ set(b))[:5] for name, (a, b) in tables.items() if set(a) != set(b)}


def assert_same_as_clean_run(
    name: str, killed_db: Path, clean_db: Path, kills: KillRound, ledger, expected_pages: int, seed: int
) -> None:  # fmt: skip
    killed, clean = snapshot(killed_db), snapshot(clean_db)
    verdict, orphans = check_database(killed_db)
    lost, doubled = count_lost_and_doubled(killed, clean)
    assert verdict == "ok" and orphans == []
    assert len(clean["pages"]) == expected_pages and kills.kills >= KILLS // 2
    assert killed == clean, f"lost {lost}, doubled {doubled}; differing: {to_differences(killed, clean)}"
    ledger.record("crash safety", f"SIGKILL of {name} at random points, then resumed (seed {seed})",
                  tried=kills.kills, lost=lost,
                  expected="every article once, nothing partial, integrity_check ok",
                  observed=f"{len(killed['pages'])} pages / {len(killed['records'])} records = clean run; "
                           f"integrity {verdict}; {kills.finished_first} runs ended before their kill")


def test_crawl_killed_at_random_points_resumes_without_loss(tmp_path: Path, ledger) -> None:
    rng = random.Random(KILL_SEED)
    with serve(build_big_site(ARTICLES)) as site:
        args = ["crawl", site.url("/"), "--quiet"]
        kills = kill_repeatedly([*args, "--db", "killed.db"], tmp_path, tmp_path / "killed.db", rng)
        final = run_to_end([*args, "--db", "killed.db"], tmp_path)
        assert final.returncode == 0, final.stderr
        clean = run_to_end([*args, "--db", "clean.db"], tmp_path)
        assert clean.returncode == 0, clean.stderr
    with sqlite3.connect(tmp_path / "killed.db") as connection:
        unsettled = connection.execute("SELECT count(*) FROM crawl_frontier WHERE state IN ('queued', 'active')").fetchone()[0]
    assert unsettled == 0
    assert_same_as_clean_run("a 40-article crawl", tmp_path / "killed.db", tmp_path / "clean.db", kills, ledger,
                             ARTICLES, KILL_SEED)


def make_batch_folder(root: Path, count: int, *, name: str = "texts", first: int = 0) -> Path:
    """`count` small article files made from the corpus's first paragraphs (distinct texts)."""
    sources = sorted((REPO / "corpus").rglob("*.txt"))
    folder = root / name
    folder.mkdir()
    for index in range(first, first + count):
        text = sources[index % len(sources)].read_text("utf-8")
        (folder / f"{index:03d}.txt").write_text(text[:1500] + f"\n\nCopy {index}.\n", "utf-8")
    return folder


def test_batch_killed_at_random_points_resumes_without_loss(tmp_path: Path, ledger) -> None:
    seed = KILL_SEED + 1
    rng = random.Random(seed)
    folder = make_batch_folder(tmp_path, ARTICLES)
    args = ["extract", str(folder), "--workers", "1", "--resume", "-o", "out.jsonl"]
    killed_db = tmp_path / "killed.db"
    kills = kill_repeatedly([*args, "--db", "killed.db"], tmp_path, killed_db, rng, BATCH_KILL_AFTER_PROGRESS)
    final = run_to_end([*args, "--db", "killed.db"], tmp_path)
    assert final.returncode == 0, final.stderr
    clean = run_to_end([*args, "--db", "clean.db"], tmp_path)
    assert clean.returncode == 0, clean.stderr
    assert_same_as_clean_run("a 40-file extract batch", tmp_path / "killed.db", tmp_path / "clean.db", kills, ledger,
                             ARTICLES, seed)


# -- a full disk -------------------------------------------------------------------------------

def cap_database_pages(store, pages: int) -> None:
    """Every new connection of the store may grow the file to `pages` pages (SQLITE_FULL beyond):
    a full disk as SQLite sees it, without needing a small filesystem."""
    event.listen(store._engine, "connect", lambda connection, _: connection.execute(f"PRAGMA max_page_count = {pages}"))
    store._engine.dispose()


def test_store_full_disk_gives_a_coded_error_and_keeps_the_database(tmp_path: Path, ledger) -> None:
    from evidence_miner.records import Article
    from tests.store.conftest import TEXT, build_page  # the store tests' real-format article

    db = tmp_path / "full.db"
    with open_store(str(db)) as store:
        for n in range(3):
            store.save_failure(f"https://news.test/{n}", "kept before the disk filled")
        used = sqlite3.connect(db).execute("PRAGMA page_count").fetchone()[0]
        cap_database_pages(store, used + 1)
        big = build_page("https://news.test/big", TEXT + " filler" * 200_000)
        with pytest.raises(StoreError) as raised:
            store.save_article(Article(page=big), [], pipeline_version="test")
    message = str(raised.value)
    assert message.startswith("[EM316]") and "disk is full" in message and "free disk space" in message
    verdict, orphans = check_database(db)
    with sqlite3.connect(db) as connection:
        kept = connection.execute("SELECT count(*) FROM pages").fetchone()[0]
    assert verdict == "ok" and orphans == [] and kept == 3
    ledger.record("crash safety", "disk full while saving an article (SQLite max_page_count)",
                  expected="EM316 saying the disk is full; earlier rows intact; integrity ok",
                  observed=f"{message[:7]} ({message[message.index('the disk'):][:45]}...); {kept}/3 rows kept; "
                           f"integrity {verdict}",
                  lost=3 - kept)


def limit_file_size(limit: int) -> Callable[[], None]:
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_batch_on_a_full_disk_exits_with_a_store_error_and_keeps_the_database(tmp_path: Path, ledger) -> None:
    """The real `extract` command with RLIMIT_FSIZE: no file may grow past FILE_LIMIT bytes, so
    the write-ahead log fills within the first saves (records go to stdout, not a file)."""
    folder = make_batch_folder(tmp_path, 3)
    first = run_to_end(["extract", str(folder), "--db", "t.db", "--workers", "1", "-o", "first.jsonl"], tmp_path)
    assert first.returncode == 0, first.stderr
    before = snapshot(tmp_path / "t.db")
    more = make_batch_folder(tmp_path, 8, name="more", first=3)
    env = {**os.environ, **FAST_ENV}
    done = subprocess.run([EXE, "extract", str(folder), str(more), "--db", "t.db", "--workers", "1"], check=False,
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT,
                          preexec_fn=limit_file_size(FILE_LIMIT))  # fmt: skip
    assert done.returncode == 3 and "[EM316]" in done.stderr and "disk is full" in done.stderr, done.stderr[-2000:]
    verdict, orphans = check_database(tmp_path / "t.db")
    after = snapshot(tmp_path / "t.db")
    lost = len(set(before["records"]) - set(after["records"]))
    assert verdict == "ok" and orphans == [] and lost == 0 and set(before["pages"]) <= set(after["pages"])
    error = done.stderr[done.stderr.index("[EM316]"):]
    reason = error[error.index("the disk"):][:45]
    ledger.record("crash safety", "disk full during a batch (RLIMIT_FSIZE on the extract command)",
                  expected="exit 3 with EM316; database intact, earlier records kept",
                  observed=f"exit {done.returncode}, EM316 ({reason}...); integrity {verdict}; "
                           f"{len(before['pages'])}/{len(before['pages'])} earlier pages kept",
                  lost=lost)
