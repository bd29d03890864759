"""Worker choice: a batch smaller than the break-even runs in this process, whatever files hold
its documents; a larger one uses every core other processes leave idle; a number asked for is kept."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from evidence_miner.records import Page
from evidence_miner.scale.plan import BREAK_EVEN_DOCUMENTS, CpuSample, choose_workers, count_idle_cores, sample_cpu
from evidence_miner.workflow import ArticleResult

REPO = Path(__file__).resolve().parents[2]
CORPUS_TEXTS = sorted((REPO / "corpus").rglob("*.txt"))
IMPORTED = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*([\w.]+)\s*$", re.M)


def make_pages(count: int) -> list[Page]:
    return [Page(url=f"https://news.test/{index}", text=f"Article {index}.") for index in range(count)]


def machine(*, others_busy: float, own_busy: float = 0.5):
    """Samples one second apart of a machine where other processes keep `others_busy` cores busy
    and this process `own_busy`."""
    calls = [0]

    def sample() -> CpuSample:
        calls[0] += 1
        return CpuSample(wall=calls[0], busy=(others_busy + own_busy) * calls[0], own=own_busy * calls[0])

    return sample


IDLE = machine(others_busy=0.0)


def test_choose_workers_below_break_even_runs_in_this_process() -> None:
    workers, _ = choose_workers(make_pages(BREAK_EVEN_DOCUMENTS - 1), workers=None, cores=2, sample=IDLE)
    assert workers == 1


def test_choose_workers_at_break_even_uses_every_idle_core() -> None:
    assert choose_workers(make_pages(BREAK_EVEN_DOCUMENTS), workers=None, cores=2, sample=IDLE)[0] == 2
    assert choose_workers(make_pages(BREAK_EVEN_DOCUMENTS), workers=None, cores=4,
                          sample=machine(others_busy=1.2))[0] == 3  # fmt: skip


def test_choose_workers_on_a_busy_machine_runs_in_this_process() -> None:
    """Another process keeps one of two cores busy: two workers would share one core."""
    busy = machine(others_busy=1.0)
    assert choose_workers(make_pages(BREAK_EVEN_DOCUMENTS * 2), workers=None, cores=2, sample=busy)[0] == 1


def test_count_idle_cores_leaves_out_own_work() -> None:
    before, after = CpuSample(wall=0.0, busy=0.0, own=0.0), CpuSample(wall=2.0, busy=3.0, own=2.0)
    assert count_idle_cores(before, after, 2) == 1.5


def test_sample_cpu_reads_this_machine() -> None:
    before, after = sample_cpu(), sample_cpu()
    assert after.wall >= before.wall and after.busy >= before.busy and after.own >= before.own


def test_choose_workers_counts_pages_not_failed_or_skipped_inputs() -> None:
    failed = [ArticleResult(url=f"file:///bad/{i}", error="[EM104] unreadable") for i in range(BREAK_EVEN_DOCUMENTS)]
    items = [*failed, *make_pages(3)]
    workers, _ = choose_workers(items, workers=None, cores=2, sample=IDLE)
    assert workers == 1


def test_choose_workers_keeps_a_number_asked_for() -> None:
    assert choose_workers(make_pages(3), workers=2, cores=2)[0] == 2
    assert choose_workers(make_pages(BREAK_EVEN_DOCUMENTS * 2), workers=1, cores=2)[0] == 1


def test_choose_workers_one_core_runs_in_this_process() -> None:
    assert choose_workers(make_pages(BREAK_EVEN_DOCUMENTS * 2), workers=None, cores=1, sample=IDLE)[0] == 1


@given(st.integers(0, BREAK_EVEN_DOCUMENTS * 2), st.sampled_from([None, 1, 2]))
def test_choose_workers_yields_every_item_once_in_order(count: int, asked: int | None) -> None:
    pages = make_pages(count)
    _, items = choose_workers(iter(pages), workers=asked, cores=2, sample=machine(others_busy=0.0))
    assert [page.url for page in items] == [page.url for page in pages]


def test_extract_small_jsonl_folder_starts_no_cluster(tmp_path: Path) -> None:
    """15 .jsonl files holding 15 documents: fewer than the break-even, so Dask is never imported."""
    for index, path in enumerate(CORPUS_TEXTS[:15]):
        line = json.dumps({"url": f"https://dump.test/{index}", "text": path.read_text("utf-8")})
        (tmp_path / f"dump-{index:02d}.jsonl").write_text(line + "\n", "utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "evidence_miner", "extract", str(tmp_path),
                             "-q", "-o", str(tmp_path / "out.jsonl")], capture_output=True, text=True, env=env,
                            timeout=600, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert "distributed" not in {name.split(".")[0] for name in IMPORTED.findall(result.stderr)}
    assert (tmp_path / "out.jsonl").read_text("utf-8").count("\n") >= 1
