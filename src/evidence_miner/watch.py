"""What a command shows while the workflow runs: the BatchWatch protocol and a watch that shows
nothing. Its own module, free of heavy imports, so that a command's view can build on it
before --help is printed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from evidence_miner.workflow import ArticleResult, RunSummary


class BatchWatch(Protocol):
    """What a command shows while the workflow runs (cli/batch.py renders it); every method
    only reports, none decides anything."""

    def started(self, total: int | None) -> None: ...

    def problem(self, message: str) -> None: ...

    def duplicate(self, url: str, first: str) -> None: ...

    def failed(self, result: ArticleResult) -> None: ...

    def done(self, result: ArticleResult, summary: RunSummary) -> None: ...


class Unwatched:
    """A BatchWatch that shows nothing (scripts, tests, scheduled crawls)."""

    def started(self, total: int | None) -> None:
        pass

    def problem(self, message: str) -> None:
        pass

    def duplicate(self, url: str, first: str) -> None:
        pass

    def failed(self, result: ArticleResult) -> None:
        pass

    def done(self, result: ArticleResult, summary: RunSummary) -> None:
        pass
