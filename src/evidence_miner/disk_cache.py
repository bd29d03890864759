"""Keep data built from data files on disk between runs: a versioned file per item in the user's
cache folder (~/.cache/evidence-miner/<kind>/ on Linux).

Building the drug and condition lexicons (reading 24,000 entries, folding 80,000 terms, indexing
their prefixes) takes seconds and checking the dose units against pint needs pint's registry;
reading the result back takes a fraction of that. A cache file is named for a hash of everything
the value depends on: this format's version, the Python version (marshal's format) and the parts
its caller gives (the source of the module that builds it, the bytes of every data file, package
versions). A stale, foreign or damaged file is never read: the value is built again and the file
written again (a temp file moved into place, so a reader never sees half of one). A cache folder
that cannot be written only costs the time. Values are plain data (marshal: dicts, tuples,
strings, numbers, frozensets).
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

log = logging.getLogger(__name__)

CACHE_FORMAT = 1
APP_NAME = "evidence-miner"
SUFFIX = ".marshal"
KEEP_VERSIONS = 4


def default_cache_folder(kind: str) -> Path:
    """`<user cache dir>/<kind>`, e.g. ~/.cache/evidence-miner/lexicons on Linux."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP_NAME)) / kind


def to_cache_key(parts: Iterable[bytes]) -> str:
    """Hex digest over the format version, the Python version and `parts` (each length-prefixed)."""
    digest = hashlib.sha256(f"{CACHE_FORMAT}|{sys.version}|".encode())
    for part in parts:
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.hexdigest()[:32]


def read_cached(path: Path, key: str) -> object | None:
    """The value stored under `key` at `path`, or None when absent, stale or unreadable."""
    try:
        stored_key, value = marshal.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, EOFError, ValueError, TypeError) as exc:
        log.info("cache file %s unreadable (%s); rebuilding it", path, exc)
        return None
    return value if stored_key == key else None


def write_cached(path: Path, key: str, value: object) -> None:
    """Store `value` under `key` at `path` atomically (store/output.py, the one atomic writer),
    then drop all but the newest versions."""
    from evidence_miner.errors import StoreError
    from evidence_miner.store.output import atomic_path

    try:
        with atomic_path(path) as temp:
            temp.write_bytes(marshal.dumps((key, value)))
    except (StoreError, ValueError) as exc:
        log.info("cache file %s not written (%s)", path, exc)
        return
    remove_stale(path)


def remove_stale(path: Path, keep: int = KEEP_VERSIONS) -> None:
    """Other versions of this cache file (`<name>-<other key>.marshal`) but the `keep` newest
    (checkouts of different versions share one cache folder)."""
    name = path.name.rsplit("-", 1)[0]
    versions = []
    for other in path.parent.glob(f"{name}-*{SUFFIX}"):
        try:
            versions.append((other.stat().st_mtime_ns, other))
        except OSError:
            continue
    others = [other for _, other in sorted(versions, reverse=True) if other != path]
    for other in others[keep - 1 :]:
        other.unlink(missing_ok=True)


def cached(
    folder: Path | None, name: str, parts: Iterable[bytes], build: Callable[[], object]
) -> object:
    """`build()`'s value, from `folder/<name>-<key>.marshal` when a file for these parts is there,
    else built and stored there. `folder` None: always built, nothing stored."""
    if folder is None:
        return build()
    key = to_cache_key(parts)
    path = folder / f"{name}-{key}{SUFFIX}"
    value = read_cached(path, key)
    if value is None:
        value = build()
        write_cached(path, key, value)
    return value
