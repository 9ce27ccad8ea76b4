"""One build at a time in a checkout (tools/one_build.py, which ``make book`` and ``make pdf``
run): a second build waits for the first or refuses with a message; a failed build removes
nothing."""

from __future__ import annotations

import fcntl
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "one_build.py"


def one_build(tmp: Path, *args: str, command: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            str(TOOL),
            "--build-dir",
            str(tmp / "_build"),
            *args,
            "--",
            sys.executable,
            "-c",
            command,
        ],
        cwd=tmp,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def held(tmp: Path):
    (tmp / "_build").mkdir(exist_ok=True)
    lock = open(tmp / "_build" / ".build.lock", "a+")  # noqa: SIM115
    fcntl.flock(lock, fcntl.LOCK_EX)
    return lock


def test_a_second_build_waits_for_the_first(tmp_path):
    lock = held(tmp_path)
    try:
        proc = one_build(
            tmp_path, command="open('second-ran', 'w').write('yes')"
        )
        time.sleep(1.5)
        assert proc.poll() is None  # waiting
        assert not (tmp_path / "second-ran").exists()
    finally:
        lock.close()  # the first build ends
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert "Another build is running in this checkout" in err
    assert "waiting" in err
    assert (tmp_path / "second-ran").read_text() == "yes"


def test_a_second_build_can_refuse(tmp_path):
    lock = held(tmp_path)
    try:
        proc = one_build(
            tmp_path, "--no-wait", command="open('ran', 'w').write('yes')"
        )
        _out, err = proc.communicate(timeout=60)
    finally:
        lock.close()
    assert proc.returncode == 75
    assert "not starting a second one" in err
    assert not (tmp_path / "ran").exists()


def test_a_failed_build_removes_nothing(tmp_path):
    html = tmp_path / "_build" / "html"
    html.mkdir(parents=True)
    (html / "index.html").write_text("an earlier build's page")
    proc = one_build(tmp_path, command="raise SystemExit(3)")
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 3
    assert (html / "index.html").read_text() == "an earlier build's page"
    note = tmp_path / "_build" / "BUILD-FAILED.txt"
    assert "not to be published" in note.read_text()
    assert "nothing removed" in err
    proc = one_build(tmp_path, command="pass")
    proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert not note.exists()
