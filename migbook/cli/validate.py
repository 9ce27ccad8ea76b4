"""``python -m migbook.cli.validate [--update-stats] [data-folder]``.

Validate the data package (exit 1 on problems, each naming the file, line and column), or,
with ``--update-stats``, record each file's row count, size and sha256 in
``datapackage.json`` after an intended edit (``make stats``), then validate.
"""

import sys
from pathlib import Path

from migbook.data import DataError, update_stats, validate_package


def main(argv: list[str]) -> int:
    args = argv[1:]
    refresh = "--update-stats" in args
    args = [a for a in args if a != "--update-stats"]
    folder = Path(args[0]) if args else None
    if refresh:
        changed = update_stats(folder)
        print(
            "data/datapackage.json: stats recorded for "
            + (", ".join(changed) if changed else "nothing (all current)")
        )
    try:
        validate_package(folder)
    except DataError as exc:
        print(f"DATA VALIDATION FAILED\n{exc}", file=sys.stderr)
        return 1
    print("data/: every table matches data/datapackage.json")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
