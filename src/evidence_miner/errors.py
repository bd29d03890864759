"""The one exception hierarchy; every message carries a stable code and says what to do."""

from __future__ import annotations


class EvidenceMinerError(Exception):
    """Base of every error evidence-miner raises on purpose."""

    exit_code = 1


class ConfigError(EvidenceMinerError):
    """Bad settings, options or usage (CLI exit code 2)."""

    exit_code = 2


class InputError(EvidenceMinerError):
    """An input file or directory that cannot be read as an article (CLI exit code 2)."""

    exit_code = 2


class FetchError(EvidenceMinerError):
    """A page could not be fetched (CLI exit code 3 when nothing could be)."""

    exit_code = 3


class ExtractionError(EvidenceMinerError):
    """The NLP pipeline could not be built or failed on a document."""


class NormaliseError(EvidenceMinerError):
    """A value could not be normalised (unknown unit, unparseable number or duration)."""


class StoreError(EvidenceMinerError):
    """The database could not be opened, migrated or written (CLI exit code 3 when unreachable)."""

    exit_code = 3


class ScaleError(EvidenceMinerError):
    """A Dask cluster could not be started or reached (CLI exit code 3)."""

    exit_code = 3
