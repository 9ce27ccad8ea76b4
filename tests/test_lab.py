"""``make lab``: JupyterLab starts on 127.0.0.1 (installing requirements-lab.txt on first use),
opens a chapter's MyST markdown as a notebook through jupytext, and stops cleanly."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "migbook-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str):
    req = urllib.request.Request(
        url, headers={"Authorization": f"token {TOKEN}"}
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, json.loads(r.read().decode())


def test_make_lab_opens_chapters_as_notebooks_and_stops(tmp_path):
    venv = Path(sys.executable).parent.parent
    port = free_port()
    log = (tmp_path / "lab.log").open("w")
    proc = subprocess.Popen(
        [
            "make",
            "--no-print-directory",
            "-C",
            str(ROOT),
            f"VENV={venv}",
            f"LAB_PORT={port}",
            f"LAB_ARGS=--no-browser --IdentityProvider.token={TOKEN} --ServerApp.port_retries=0",
            "lab",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "JUPYTER_NO_CONFIG": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = (
            time.monotonic() + 900
        )  # the first run installs JupyterLab
        while True:
            assert proc.poll() is None, (
                "make lab exited early:\n"
                + (tmp_path / "lab.log").read_text()[-3000:]
            )
            try:
                status, body = get(f"{base}/api/status")
                break
            except OSError:
                assert time.monotonic() < deadline, (
                    "JupyterLab did not answer:\n"
                    + (tmp_path / "lab.log").read_text()[-3000:]
                )
                time.sleep(1)
        assert status == 200 and "started" in body
        status, specs = get(f"{base}/api/kernelspecs")
        assert status == 200 and "python3" in specs["kernelspecs"]
        status, model = get(
            f"{base}/api/contents/book/ch1_export_model.md?type=notebook&content=1"
        )
        assert status == 200 and model["type"] == "notebook"
        cells = model["content"]["cells"]
        assert sum(c["cell_type"] == "code" for c in cells) > 5
        assert any(
            "check(" in c["source"]
            for c in cells
            if c["cell_type"] == "code"
        )
    finally:
        os.killpg(
            proc.pid, signal.SIGINT
        )  # Ctrl-C: make and JupyterLab, the group this test started
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        log.close()
    # stopped: the port answers no more
    with pytest.raises(OSError):
        get(f"{base}/api/status")
    # JupyterLab went into its own venv: the build's venv has none of it
    lean = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import importlib.util as u; "
            "print([m for m in ('jupyterlab', 'jupyter_server', "
            "'rfc3987_syntax') if u.find_spec(m)])",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert lean.stdout.strip() == "[]", lean.stdout
