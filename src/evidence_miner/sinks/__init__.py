"""Where results go: the Sink protocol, and the sinks installed under the entry-point group
`evidence_miner.sinks` (the built-in ones too), looked up by name."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from evidence_miner.errors import ConfigError

if TYPE_CHECKING:
    from evidence_miner.settings import Settings
    from evidence_miner.store import EvidenceStore
    from evidence_miner.workflow import ArticleResult

ENTRY_POINT_GROUP = "evidence_miner.sinks"


@runtime_checkable
class Sink(Protocol):
    """Receives every result of a run, in input order: `open` once, `write` for each result
    (records, a failure in `result.error`, a document skipped by --resume with its stored
    records, and in `result.removed_record_ids` the stored records its new version drops),
    then `close` once; `ok` is False when the command failed or was interrupted."""

    def open(self) -> None: ...

    def write(self, result: ArticleResult) -> None: ...

    def close(self, *, ok: bool) -> None: ...


@dataclass(frozen=True)
class SinkContext:
    """What a sink factory gets: the settings, the TARGET of `--sink NAME=TARGET` (a path, a
    URL; None without one), the run's database (None without --db) and the record format."""

    settings: Settings
    target: str | None = None
    store: EvidenceStore | None = None
    fmt: str = "jsonl"


class SinkFactory(Protocol):
    """The object an `evidence_miner.sinks` entry point names: builds the sink from its context."""

    def __call__(self, context: SinkContext) -> Sink: ...


def find_sink_entry_points() -> dict[str, EntryPoint]:
    """The installed sinks by name (built-in and plugins)."""
    return {point.name: point for point in entry_points(group=ENTRY_POINT_GROUP)}


def load_sink_factory(name: str) -> SinkFactory:
    """The factory of the sink `name`; ConfigError [EM360] for a name no package installs,
    [EM362] when its entry point cannot be loaded."""
    points = find_sink_entry_points()
    if name not in points:
        raise ConfigError(
            f"[EM360] Unknown sink {name!r}; installed sinks: {', '.join(sorted(points))}. "
            f"Pass one of them to --sink, or install the package that provides {name!r} "
            f"(it declares an {ENTRY_POINT_GROUP!r} entry point)."
        )
    try:
        return points[name].load()
    except Exception as exc:  # a broken plugin is a usage problem, reported with its cause
        raise ConfigError(
            f"[EM362] Sink {name!r} ({points[name].value}) cannot be loaded: {exc!r}. "
            "Reinstall the package that provides it, or leave out --sink."
        ) from exc


def parse_sink_option(option: str) -> tuple[str, str | None]:
    """ "NAME=TARGET" -> (NAME, TARGET); "NAME" -> (NAME, None)."""
    name, _, target = option.partition("=")
    return name.strip(), (target or None)


def require_target(name: str, context: SinkContext, what: str) -> str:
    """The sink's TARGET; ConfigError [EM361] without one."""
    if not context.target:
        raise ConfigError(f"[EM361] The sink {name!r} needs {what}: pass --sink {name}=TARGET.")
    return context.target
