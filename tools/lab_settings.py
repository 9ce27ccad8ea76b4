"""``make lab`` set-up (run once, after installing requirements-lab.txt): JupyterLab settings in the
venv, so that the chapters (``book/*.md``, MyST markdown) open as notebooks through jupytext on a
double click, and so that JupyterLab asks no server on the internet for news or updates.

Usage: ``python tools/lab_settings.py VENV``. Writes ``VENV/share/jupyter/lab/settings/overrides.json``.
"""

import json
import sys
from pathlib import Path

OVERRIDES = {
    "@jupyterlab/docmanager-extension:plugin": {
        "defaultViewers": {
            "markdown": "Jupytext Notebook",
            "myst": "Jupytext Notebook",
        },
    },
    "@jupyterlab/apputils-extension:notification": {
        "checkForUpdates": False,
        "fetchNews": "false",
    },
}


def main(venv: str) -> int:
    path = (
        Path(venv)
        / "share"
        / "jupyter"
        / "lab"
        / "settings"
        / "overrides.json"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    current = (
        json.loads(path.read_text(encoding="utf-8"))
        if path.exists()
        else {}
    )
    current.update(OVERRIDES)
    path.write_text(
        json.dumps(current, indent=2, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    print(f"JupyterLab settings: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else ".venv"))
