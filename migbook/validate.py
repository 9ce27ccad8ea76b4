"""``python -m migbook.validate [data-folder]``: validate the data package, exit 1 on problems."""

import sys
from pathlib import Path

from migbook.data import DataError, validate_package


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else None
    try:
        validate_package(folder)
    except DataError as exc:
        print(f"DATA VALIDATION FAILED\n{exc}", file=sys.stderr)
        return 1
    print("data/: every table matches data/datapackage.json")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
