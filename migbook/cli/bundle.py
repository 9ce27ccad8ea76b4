"""The reproduction bundle: one zip a reader downloads from the site to re-execute the book.

It holds ``data/`` (the tables and the ledger), the helper package ``migbook/`` (its Python files),
``requirements.txt`` (the exact pins of what re-execution needs, :func:`run_requirements`: not the
build's test and lint tools), the chapter notebooks as published (executed, with their outputs:
``notebooks/book/*.ipynb``), the licences, ``CITATION.cff`` and a README. Two commands re-execute it on a fresh machine::

    python3.11 -m venv .venv && .venv/bin/pip install -r requirements.txt
    .venv/bin/python -m migbook.cli.bundle run

``run`` executes every chapter notebook (or the ones named) in a kernel that imports the bundle's
``migbook``, and writes ``results/claims.csv``: each claim's id, chapter, status and recomputed
value, the same columns as the site's ``claims.csv``.

The zip is deterministic: entries sorted by name, every timestamp 1980-01-01, fixed permissions.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import zipfile
from pathlib import Path

from migbook.data import ROOT, data_dir
from migbook.render import CLAIM_MIME, json_data, plain

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
RESULT_COLUMNS = ["id", "chapter", "status", "computed_value"]

#: what re-executing the chapters imports (the kernel, the notebook runner, the chapters' and
#: ``migbook``'s imports); :func:`run_requirements` adds what they need, with the book's pins
RUN_PACKAGES = (
    "altair",
    "frictionless",
    "ipykernel",
    "ipython",
    "jinja2",
    "myst-nb",
    "nbclient",
    "nbformat",
    "numpy",
    "pandas",
    "pyyaml",
)
#: files of the repository the bundle carries as they are
BUNDLE_EXTRAS = ("LICENSE", "LICENSE-CC-BY-4.0", "CITATION.cff")


def _pins(text: str) -> dict[str, tuple[str, set[str]]]:
    """``requirements.txt`` as written by uv: name -> (pin line, the packages it is "via")."""
    out: dict[str, tuple[str, set[str]]] = {}
    name = ""
    for line in text.splitlines():
        if line and not line.startswith((" ", "#")):
            name = line.split("==")[0].split("[")[0].strip().lower()
            out[name] = (line.strip(), set())
        elif name and line.strip().startswith("#"):
            via = line.strip().lstrip("#").strip()
            via = via.removeprefix("via").strip()
            if via:
                out[name][1].add(via.split(" ")[0].lower())
    return out


def run_requirements(text: str, roots=RUN_PACKAGES) -> str:
    """The pins of ``requirements.txt`` (``text``) that re-executing the chapters needs:
    ``roots`` and every package they pull in (read from uv's "via" comments), in file order."""
    pins = _pins(text)
    missing = sorted(set(roots) - set(pins))
    if missing:
        raise ValueError(
            f"requirements.txt: no pin for {', '.join(missing)} (make pins)"
        )
    keep = set(roots)
    grew = True
    while grew:
        grew = False
        for name, (_, via) in pins.items():
            if name not in keep and via & keep:
                keep.add(name)
                grew = True
    lines = [pins[n][0] for n in pins if n in keep]
    return (
        "# The exact pins of what re-executing the chapters needs (Python 3.11), taken from\n"
        "# the book's requirements.txt; the build's test and lint tools are left out.\n"
        + "\n".join(lines)
        + "\n"
    )


def book_title() -> str:
    """The book's title, from ``CITATION.cff``."""
    import yaml

    cff = yaml.safe_load(
        (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    )
    return str(cff["title"])


README = """# Reproduction bundle: {title}

This folder re-executes every chapter of the book {site}
(source repository: {repo}) on your machine, offline once the packages are installed.

It holds `data/` (every printed table, transcribed as printed, and the claims ledger
`claims.csv`, described by `datapackage.json`), the helper package `migbook/`, the exact pins
`requirements.txt` (Python 3.11) and the chapter notebooks as the book published them, executed,
with their outputs (`notebooks/book/*.ipynb`).

Two commands (Linux or macOS; on Windows use `.venv\\Scripts\\python`):

```sh
python3.11 -m venv .venv && .venv/bin/pip install -r requirements.txt
.venv/bin/python -m migbook.cli.bundle run            # or name chapters: ... run ch1_export_model
```

`run` executes the chapter notebooks again (into `results/`) and writes `results/claims.csv`:
every claim's id, chapter, status and recomputed value, to compare with the site's `claims.csv`.
To read and run a chapter interactively, open `notebooks/book/<chapter>.ipynb` in Jupyter from
this folder with `PYTHONPATH` set to it (`PYTHONPATH=$PWD .venv/bin/jupyter lab`, after
`.venv/bin/pip install jupyterlab`).

Licences: code MIT (`LICENSE`), text and the book's own data work CC BY 4.0
(`LICENSE-CC-BY-4.0`); the two papers remain under their authors' and publisher's copyright.
How to cite the book and the papers: `CITATION.cff`.
"""


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    return info


def bundle_files(
    notebooks_dir: Path, site_url: str, repository_url: str, title: str = ""
) -> dict[str, bytes]:
    """Every file of the bundle, by its path in the zip."""
    files: dict[str, bytes] = {}
    for p in sorted(data_dir().iterdir()):
        if p.is_file():
            files[f"data/{p.name}"] = p.read_bytes()
    pkg = Path(__file__).resolve().parents[1]  # the whole migbook package
    for p in sorted(
        pkg.rglob("*.py")
    ):  # the package and its sub-packages, without static/ assets
        if "__pycache__" not in p.parts:
            files["migbook/" + p.relative_to(pkg).as_posix()] = (
                p.read_bytes()
            )
    files["requirements.txt"] = run_requirements(
        (ROOT / "requirements.txt").read_text(encoding="utf-8")
    ).encode()
    for extra in BUNDLE_EXTRAS:
        files[extra] = (ROOT / extra).read_bytes()
    for p in sorted(Path(notebooks_dir).rglob("*.ipynb")):
        files["notebooks/" + p.relative_to(notebooks_dir).as_posix()] = (
            p.read_bytes()
        )
    files["README.md"] = README.format(
        title=title or book_title(), site=site_url, repo=repository_url
    ).encode()
    return files


def write_bundle(
    dest: Path,
    notebooks_dir: Path,
    site_url: str,
    repository_url: str,
    title: str = "",
) -> Path:
    """Write the bundle zip to ``dest`` (same bytes for the same inputs). Returns ``dest``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in sorted(
            bundle_files(
                notebooks_dir, site_url, repository_url, title
            ).items()
        ):
            zf.writestr(_entry(name), data)
    data = buf.getvalue()
    dest = Path(dest)
    if not dest.exists() or dest.read_bytes() != data:
        dest.write_bytes(data)
    return dest


# --------------------------------------------------------------------------- re-executing
def claim_records(nb) -> list[dict]:
    """The claim records a notebook's badges carry (migbook's check/external), and those of the
    claims its markdown places as declared by the ledger alone (``migbook-declared`` in a
    cell's metadata, :func:`migbook.notebook.declared`), in order."""
    from migbook.notebook import declared

    out = []
    for cell in nb.cells:
        for cid in cell.get("metadata", {}).get("migbook-declared", []):
            out.append(json.loads(json.dumps(declared(cid)[0].record())))
        for o in (
            cell.get("outputs", []) if cell.cell_type == "code" else []
        ):
            badge = o.get("data", {}).get(CLAIM_MIME)
            if badge is None:
                continue
            out.append(json.loads(json.dumps(json_data(badge)["record"])))
    return out


def run_notebook(src: Path, dest: Path, root: Path, timeout: int = 600):
    """Execute notebook ``src`` with ``root`` (holding ``migbook/`` and ``data/``) importable;
    write the executed notebook to ``dest`` and return it."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(str(src), as_version=4)
    env_path = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = str(root) + (
        os.pathsep + env_path if env_path else ""
    )
    os.environ.setdefault("MIGBOOK_DATA", str(root / "data"))
    try:
        NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(src.parent)}},
        ).execute()
    finally:
        if env_path:
            os.environ["PYTHONPATH"] = env_path
        else:
            os.environ.pop("PYTHONPATH", None)
    dest.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(dest))
    return nb


def run(root: Path, chapters: list[str] | None = None) -> list[dict]:
    """Re-execute the bundle's chapter notebooks (all, or those named by file stem); write and
    return the rows of ``results/claims.csv``."""
    root = Path(root).resolve()
    books = sorted((root / "notebooks").rglob("*.ipynb"))
    if chapters:
        books = [
            p for p in books if p.stem in chapters or p.name in chapters
        ]
        missing = (
            set(chapters)
            - {p.stem for p in books}
            - {p.name for p in books}
        )
        if missing:
            raise SystemExit(
                f"no such chapter notebook in {root / 'notebooks'}: {', '.join(sorted(missing))}"
            )
    rows = []
    for src in books:
        rel = src.relative_to(root / "notebooks").with_suffix("")
        print(f"executing {rel} ...", flush=True)
        nb = run_notebook(
            src,
            root / "results" / src.relative_to(root / "notebooks"),
            root,
        )
        for rec in claim_records(nb):
            value = rec.get("computed_value")
            rows.append(
                {
                    "id": rec["id"],
                    "chapter": rel.as_posix(),
                    "status": rec["status"],
                    "computed_value": "" if value is None else plain(value),
                }
            )
    out = root / "results" / "claims.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(
            fh, fieldnames=RESULT_COLUMNS, lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    print(
        f"{len(rows)} claims re-checked ({', '.join(f'{n} {s}' for s, n in sorted(counts.items()))}): {out}"
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] != "run":
        print(
            "usage: python -m migbook.cli.bundle run [chapter ...]",
            file=sys.stderr,
        )
        return 2
    run(Path(__file__).resolve().parents[2], argv[1:] or None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
