"""The store's CrawlState (store/crawl_state.py) on a real SQLite file: runs, frontier, steps."""

from __future__ import annotations

from evidence_miner.sources.web.state import CrawlState, FrontierItem, to_frontier_item
from evidence_miner.store import EvidenceStore


def item(url: str, host: str = "a") -> FrontierItem:
    return FrontierItem(url=url, host=host, depth=0, hint="page", source_url=None, attempts=0)


def test_crawl_state_implements_the_protocol(crawl_store: EvidenceStore) -> None:
    state: CrawlState = crawl_store.crawl_state()  # checked by mypy, used here
    assert state.open_run(["http://a/"]) == (1, False)


def test_open_run_resumes_an_unfinished_run_and_requeues_active_rows(crawl_store: EvidenceStore) -> None:
    state = crawl_store.crawl_state()
    run_id, resumed = state.open_run(["http://a/", "http://b/"])
    assert not resumed
    assert state.apply(run_id, {"enqueue": [item("http://a/1"), item("http://a/2")]}) == 2
    assert [row["url"] for row in state.claim(run_id, 10, per_host=10)] == ["http://a/1", "http://a/2"]
    assert state.count_states(run_id) == {"active": 2}
    assert state.open_run(["http://b/", "http://a/"]) == (run_id, True)  # killed: same starts
    assert state.count_states(run_id) == {"queued": 2}
    state.close_run(run_id, "finished")
    assert state.open_run(["http://a/", "http://b/"]) == (run_id + 1, False)


def test_enqueue_ignores_urls_the_run_has(crawl_store: EvidenceStore) -> None:
    state = crawl_store.crawl_state()
    run_id, _ = state.open_run(["http://a/"])
    assert state.apply(run_id, {"enqueue": [item("http://a/1"), item("http://a/1")]}) == 1
    assert state.apply(run_id, {"enqueue": [item("http://a/1"), item("http://a/3")]}) == 1


def test_claim_takes_a_bounded_number_per_host(crawl_store: EvidenceStore) -> None:
    state = crawl_store.crawl_state()
    run_id, _ = state.open_run(["http://a/"])
    state.apply(run_id, {"enqueue": [item(f"http://a/{i}") for i in range(5)] + [item("http://b/1", "b")]})
    claimed = [to_frontier_item(row) for row in state.claim(run_id, 10, per_host=2)]
    assert [(c["host"], c["url"]) for c in claimed] == [("a", "http://a/0"), ("a", "http://a/1"), ("b", "http://b/1")]
    assert [row["url"] for row in state.claim(run_id, 10, per_host=2, skip_hosts=["a"])] == []


def test_apply_writes_the_fetch_log_documents_links_and_settles(crawl_store: EvidenceStore) -> None:
    state = crawl_store.crawl_state()
    run_id, _ = state.open_run(["http://a/"])
    state.apply(run_id, {"enqueue": [item("http://a/x")]})
    state.claim(run_id, 1, per_host=1)
    fetch = {"url": "http://a/x", "final_url": "http://a/x", "status": 200, "bytes": 10, "elapsed": 0.1,
             "etag": '"e"', "last_modified": None, "content_type": "text/html", "content_sha256": "c" * 64,
             "outcome": "ok", "error": None}  # fmt: skip
    state.apply(run_id, {
        "fetch": fetch, "settle": ("http://a/x", "done", "listing"),
        "documents": {"http://a/x": {"kind": "listing", "etag": '"e"', "text_sha256": "t" * 64,
                                     "stored_url": "http://a/x"}},
        "links": ("http://a/x", [("http://a/y", "page"), ("http://a/y", "page")]),
    })  # fmt: skip
    assert state.count_states(run_id) == {"done": 1}
    assert state.document("http://a/x")["etag"] == '"e"'  # type: ignore[index]
    assert state.links_of("http://a/x") == [("http://a/y", "page")]
    assert state.find_text("t" * 64) == "http://a/x"
    assert state.copies_of("http://a/x") == ["http://a/x"]
