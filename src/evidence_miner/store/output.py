"""Write an output file whole or not at all: a temp file beside it, moved into place at the end;
and the one writer of evidence records as JSON Lines (or one JSON array).

The temp file is named for the host and process that write it (`.records.jsonl.em-HOST-PID.
x1y2z3.tmp`), so a later run removes the ones of processes that were killed, and never those
of a run still writing. A write that fails (a full disk) is a StoreError [EM324]. The file gets
the permissions of the file it replaces, or those the umask leaves (0644 under umask 022),
never the 0600 of a temp file.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import socket
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TextIO

from evidence_miner.errors import StoreError

if TYPE_CHECKING:
    from evidence_miner.records import EvidenceRecord

log = logging.getLogger(__name__)

NO_ROOM = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT})
TEMP_SUFFIX = ".tmp"


def to_writer_tag() -> str:
    """`em-HOST-PID`: who writes a temp file (host name reduced to safe characters)."""
    host = re.sub(r"[^A-Za-z0-9]+", "", socket.gethostname())[:32] or "host"
    return f"em-{host}-{os.getpid()}"


def to_temp_prefix(path: Path, tag: str) -> str:
    return f".{path.name}.{tag}."


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_stale_temp_files(path: Path) -> list[Path]:
    """Temp files for `path` left by processes of this host that no longer run; removed."""
    tag = to_writer_tag()
    host_part = tag.rsplit("-", 1)[0]
    prefix, suffix = re.escape(f".{path.name}.{host_part}-"), re.escape(TEMP_SUFFIX)
    pattern = re.compile(rf"^{prefix}(\d+)\.[A-Za-z0-9_]+{suffix}$")
    removed = []
    for candidate in path.parent.glob(f".{glob_escape(path.name)}.*{TEMP_SUFFIX}"):
        match = pattern.match(candidate.name)
        if match and not is_running(int(match.group(1))):
            candidate.unlink(missing_ok=True)
            removed.append(candidate)
            log.info("removed %s, left by a killed run", candidate, extra={"stage": "store"})
    return removed


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def read_umask() -> int:
    """The process umask (os.umask can only be read by setting it: set back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def to_output_mode(path: Path) -> int:
    """The mode an output at `path` gets: that of the regular file it replaces, else 0666
    less the umask, as a file created by open() would have."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~read_umask()


def to_write_error(path: Path, exc: OSError) -> StoreError:
    reason = exc.strerror or str(exc)
    if exc.errno in NO_ROOM:
        return StoreError(
            f"[EM324] Cannot write {str(path)!r}: the disk is full ({reason}). "
            f"Nothing was written to {path.name} and the partial file was removed; "
            "free disk space (or raise the file size limit) and run again."
        )
    return StoreError(
        f"[EM324] Cannot write {str(path)!r}: {reason}. Nothing was written to "
        f"{path.name}; check the folder exists and is writable, then run again."
    )


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temp path beside `path`, moved into place when the block succeeds and removed when it
    fails; an OSError of the block or the move is a StoreError [EM324]. A path that exists and is
    no regular file (/dev/null, a named pipe) is written as it is: moving a file over it would
    replace the device."""
    if path.exists() and not path.is_file():
        yield path
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temp_files(path)
        fd, tmp = tempfile.mkstemp(
            prefix=to_temp_prefix(path, to_writer_tag()), suffix=TEMP_SUFFIX, dir=path.parent
        )
        os.close(fd)
    except OSError as exc:
        raise to_write_error(path, exc) from exc
    try:
        os.chmod(tmp, to_output_mode(path))
        yield Path(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise to_write_error(path, exc) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def open_atomic(
    path: Path, *, encoding: str = "utf-8", newline: str | None = None
) -> Iterator[TextIO]:
    """A text file at `path`, there only once the block succeeded (see atomic_path)."""
    with atomic_path(path) as tmp:
        try:
            out = tmp.open("w", encoding=encoding, newline=newline)
        except OSError as exc:
            raise to_write_error(path, exc) from exc
        with out:
            yield out


@contextmanager
def open_output(
    path: Path | None, *, encoding: str = "utf-8", newline: str | None = None
) -> Iterator[TextIO]:
    """open_atomic(path), or stdout without a path."""
    if path is None:
        yield sys.stdout
        return
    with open_atomic(path, encoding=encoding, newline=newline) as out:
        yield out


RecordFormat = Literal["jsonl", "json"]


def to_record_format(fmt: str) -> RecordFormat:
    """A command's --format as a records writer's: "json" (one array), else JSON Lines."""
    return "json" if fmt == "json" else "jsonl"


class RecordWriter:
    """Streams records as JSON Lines (one per line) or as one JSON array, never holding them all
    in memory; `close` ends the array."""

    def __init__(self, out: TextIO, fmt: RecordFormat = "jsonl") -> None:
        self.out, self.fmt, self.count = out, fmt, 0

    def write(self, record: EvidenceRecord) -> None:
        from evidence_miner.records import to_json_line

        line = to_json_line(record)
        if self.fmt == "jsonl":
            self.out.write(line + "\n")
        else:
            self.out.write(("[\n" if self.count == 0 else ",\n") + line)
        self.count += 1

    def close(self) -> None:
        if self.fmt == "json":
            self.out.write("[]\n" if self.count == 0 else "\n]\n")


def write_records(
    records: Iterable[EvidenceRecord], out: TextIO, fmt: RecordFormat = "jsonl"
) -> int:
    """Every record through one RecordWriter; returns how many were written."""
    writer = RecordWriter(out, fmt)
    for record in records:
        writer.write(record)
    writer.close()
    return writer.count
