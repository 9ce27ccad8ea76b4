"""One build at a time in a checkout: ``python tools/one_build.py [--no-wait] -- COMMAND...``.

Runs COMMAND (``make book``'s ``jupyter-book build``, ``make pdf``'s printer) holding an
exclusive lock on ``_build/.build.lock`` (``flock``: released by the kernel when the process
ends, however it ends). A second build started meanwhile says so and waits for the first
(``--no-wait``: it refuses, exit status 75). The execution cache and ``_build/html`` are thus
written by one build at a time.

A failed build removes nothing: what it wrote stays for the author to look at, and
``_build/BUILD-FAILED.txt`` says that ``_build/html`` is not to be published; the next build
that succeeds removes that file.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import subprocess
import sys
from pathlib import Path

BUSY = 75  # EX_TEMPFAIL: try again later
FAILED_NOTE = "BUILD-FAILED.txt"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--no-wait",
        action="store_true",
        help="refuse (exit 75) instead of waiting when another build runs",
    )
    parser.add_argument(
        "--build-dir", default="_build", help="the checkout's build folder"
    )
    parser.add_argument("command", nargs="+")
    args = parser.parse_args(argv)
    build = Path(args.build_dir)
    build.mkdir(parents=True, exist_ok=True)
    lock_path = build / ".build.lock"
    with open(lock_path, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "?"
            if args.no_wait:
                print(
                    f"Another build is running in this checkout (pid {holder}, "
                    f"lock {lock_path}); not starting a second one.",
                    file=sys.stderr,
                )
                return BUSY
            print(
                f"Another build is running in this checkout (pid {holder}, "
                f"lock {lock_path}); waiting for it to finish...",
                file=sys.stderr,
                flush=True,
            )
            fcntl.flock(lock, fcntl.LOCK_EX)
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        code = subprocess.call(args.command)
        note = build / FAILED_NOTE
        if code == 0:
            note.unlink(missing_ok=True)
        else:
            note.write_text(
                "The last build failed: _build/html holds what it wrote and is "
                "not to be published. The next build that succeeds removes "
                "this file.\n",
                encoding="utf-8",
            )
            print(
                f"Build failed (exit status {code}): nothing removed; "
                f"{build}/html is not to be published until a build succeeds "
                f"(see {note}).",
                file=sys.stderr,
            )
        return code


if __name__ == "__main__":
    sys.exit(main())
