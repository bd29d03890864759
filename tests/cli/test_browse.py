"""`evidence-miner browse` through its real entry point: it opens no web browser unless asked,
and a busy port is refused with EM350 before any address is announced."""

from __future__ import annotations

import socket
import stat
import time
from pathlib import Path

from evidence_miner.store import open_store
from tests.review.conftest import start_browse, stop, wait_for


def make_store(tmp_path: Path) -> Path:
    db = tmp_path / "evidence.db"
    open_store(str(db)).close()
    return db


def test_browse_refuses_a_busy_port_before_announcing_it(tmp_path: Path) -> None:
    db = make_store(tmp_path)
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        server = start_browse(db, port)
        stderr = server.communicate(timeout=120)[1]
    assert server.returncode == 2, stderr
    assert "[EM350]" in stderr and f"127.0.0.1:{port}" in stderr and "--port" in stderr
    assert "http://" not in stderr


def test_browse_opens_no_web_browser_unless_asked(tmp_path: Path) -> None:
    db = make_store(tmp_path)
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "fake-browser"
    browser.write_text(f'#!/bin/sh\necho "$1" > "{opened}"\n', "utf-8")
    browser.chmod(browser.stat().st_mode | stat.S_IXUSR)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = start_browse(db, port, env={"BROWSER": str(browser)})
    try:
        wait_for(f"http://127.0.0.1:{port}/evidence", server, time.monotonic() + 60)
    finally:
        stderr = stop(server)
    assert not opened.exists(), opened.read_text("utf-8")
    assert f"http://127.0.0.1:{port}/evidence" in stderr
