"""Sinks are found through the `evidence_miner.sinks` entry-point group: a plugin package adds one
without editing evidence-miner, and it receives every result of a run, failures and deletions
included."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from evidence_miner.errors import ConfigError
from evidence_miner.settings import load_settings
from evidence_miner.sinks import (
    SinkContext,
    find_sink_entry_points,
    load_sink_factory,
    parse_sink_option,
)
from evidence_miner.workflow import Outputs, run_files

ARTICLE = (
    "Low-dose aspirin cut repeat strokes in a randomized trial\n\n"
    "In a randomized trial of 400 adults, patients received aspirin 81 mg daily or placebo. "
    "After two years, 20 of 200 patients in the aspirin group had a second stroke, compared "
    "with 34 of 200 in the placebo group.\n"
)
NO_STUDY = (
    "Five tips for better sleep\n\n"
    "Go to bed at the same time each night and keep the room dark.\n"
)

def make_sinks(options, context):
    """A sink per `--sink NAME[=TARGET]` option, as the workflow makes them."""
    sinks = []
    for option in options:
        name, target = parse_sink_option(option)
        sinks.append(load_sink_factory(name)(SinkContext(context.settings, target)))
    return sinks


# A whole plugin package, as a third party would ship it: one module and its dist-info folder.
PLUGIN_MODULE = '''
"""A tiny sink that keeps what it is given, in TinySink.seen."""


class TinySink:
    seen: list = []

    def __init__(self, target):
        self.target = target

    def open(self):
        TinySink.seen.append(("open", self.target))

    def write(self, result):
        ids = [record.record_id for record in result.records]
        removed = list(result.removed_record_ids)
        TinySink.seen.append(("write", result.url, result.error, ids, removed))

    def close(self, *, ok):
        TinySink.seen.append(("close", ok))


def make_tiny_sink(context):
    return TinySink(context.target)
'''


@pytest.fixture
def tiny_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The class of a sink registered as `tiny` by a real entry point of an installed package."""
    site = tmp_path / "site"
    info = site / "tiny_sink_plugin-0.1.dist-info"
    info.mkdir(parents=True)
    (site / "tiny_sink_plugin.py").write_text(textwrap.dedent(PLUGIN_MODULE), "utf-8")
    metadata = "Metadata-Version: 2.1\nName: tiny-sink-plugin\nVersion: 0.1\n"
    (info / "METADATA").write_text(metadata, "utf-8")
    (info / "entry_points.txt").write_text(
        "[evidence_miner.sinks]\ntiny = tiny_sink_plugin:make_tiny_sink\n", "utf-8"
    )
    monkeypatch.syspath_prepend(str(site))
    yield
    sys.modules.pop("tiny_sink_plugin", None)


def test_builtin_sinks_are_registered_like_plugins() -> None:
    assert {"jsonl", "sql", "stdout"} <= set(find_sink_entry_points())


def test_plugin_sink_is_found_by_its_entry_point(tiny_plugin) -> None:
    assert "tiny" in find_sink_entry_points()
    (sink,) = make_sinks(["tiny=somewhere"], SinkContext(load_settings()))
    assert type(sink).__name__ == "TinySink" and sink.target == "somewhere"


def test_unknown_sink_is_a_config_error_listing_the_installed_ones() -> None:
    with pytest.raises(ConfigError, match=r"\[EM360\].*jsonl, sql, stdout"):
        load_sink_factory("elasticsearch-nope")


def test_jsonl_sink_without_a_path_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"\[EM361\]"):
        make_sinks(["jsonl"], SinkContext(load_settings()))


def test_plugin_sink_receives_every_result_failures_and_deletions(
    tiny_plugin, tmp_path: Path, nlp
) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.txt").write_text(ARTICLE, "utf-8")
    (inputs / "empty.txt").write_text("", "utf-8")
    outputs = Outputs(db=str(tmp_path / "evidence.db"), sinks=("tiny=first",))
    first = run_files([inputs], load_settings(), outputs, nlp=nlp)
    seen = list(sys.modules["tiny_sink_plugin"].TinySink.seen)
    assert seen[0] == ("open", "first") and seen[-1] == ("close", True)
    writes = {entry[1].rsplit("/", 1)[-1]: entry for entry in seen[1:-1]}
    assert sorted(writes) == ["a.txt", "empty.txt"] and first.records > 0
    stored_ids = writes["a.txt"][3]
    assert stored_ids and writes["a.txt"][2] is None and writes["a.txt"][4] == []
    assert "[EM103]" in writes["empty.txt"][2]

    (inputs / "a.txt").write_text(NO_STUDY, "utf-8")  # the article changed: its records go
    sys.modules["tiny_sink_plugin"].TinySink.seen.clear()
    run_files([inputs], load_settings(), outputs, nlp=nlp)
    seen = sys.modules["tiny_sink_plugin"].TinySink.seen
    (changed,) = [entry for entry in seen if entry[0] == "write" and entry[1].endswith("a.txt")]
    assert changed[3] == [] and changed[4] == stored_ids


def test_plugin_sink_is_closed_not_ok_when_the_run_fails(tiny_plugin, tmp_path: Path, nlp) -> None:
    (tmp_path / "empty.txt").write_text("", "utf-8")
    outputs = Outputs(sinks=("tiny",))
    summary = run_files([tmp_path / "empty.txt"], load_settings(), outputs, nlp=nlp)
    assert summary.exit_code == 2
    assert sys.modules["tiny_sink_plugin"].TinySink.seen[-1] == ("close", False)


class BrokenOnOpen:
    def open(self) -> None:
        raise OSError("no route to the index")

    def write(self, result) -> None:
        raise AssertionError("never written")

    def close(self, *, ok: bool) -> None:
        raise AssertionError("never opened, never closed")


def test_a_sink_failing_to_open_closes_the_others_not_ok(tmp_path: Path) -> None:
    from evidence_miner.sinks.jsonl import RecordsFileSink
    from evidence_miner.workflow import opened

    (tmp_path / "records.jsonl").write_text("kept\n", "utf-8")
    with pytest.raises(OSError), opened([RecordsFileSink(tmp_path / "records.jsonl"), BrokenOnOpen()]):
        pass
    assert (tmp_path / "records.jsonl").read_text("utf-8") == "kept\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["records.jsonl"]


class BrokenOnWrite:
    def open(self) -> None:
        pass

    def write(self, result) -> None:
        raise ConnectionError("index refused the write")

    def close(self, *, ok: bool) -> None:
        self.ok = ok


def test_a_sink_error_of_its_own_stops_the_run_as_em363() -> None:
    from evidence_miner.errors import StoreError
    from evidence_miner.workflow import ArticleResult, deliver, opened

    sink = BrokenOnWrite()
    failing = pytest.raises(StoreError, match=r"\[EM363\] The sink BrokenOnWrite failed on 'file:")
    with failing, opened([sink]) as sinks:
        deliver(ArticleResult(url="file:///a.txt", error="[EM103] empty"), sinks, store=None)
    assert sink.ok is False
