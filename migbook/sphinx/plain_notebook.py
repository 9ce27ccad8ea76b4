"""Published notebooks that read right in plain Jupyter (no Sphinx, no myst-nb).

A chapter's markdown cells use MyST roles and directives that only the book's build resolves:
glued values (``{glue:text}``), citations (``{cite}``), figure references (``{numref}``),
glued figures (``{glue:figure}``), links to other pages (``{doc}``). In a plain notebook they show
as raw markup. The functions here, all pure, write them out as text:

- ``{glue:text}`key:fmt``` and ``{glue}`key``` become the glued value, formatted as myst-nb
  formats it (:func:`myst_nb.core.variables.format_plain_text`);
- ``{cite}`key``` becomes "[Author, year]" from the book's bibliography;
- ``{numref}`label``` becomes "Fig. N" (figures numbered in order within the chapter, as the
  book numbers them), ``{doc}`page``` a link to the page on the site;
- ``{said}`id``` (the papers' own words behind a sentence about their argument) becomes the
  passage in brackets, with the paper and section (:func:`migbook.sphinx.attribution_rows.footnote_text`);
- a ``{glue:figure}`` or ``{glue}`` directive becomes its output (the image that
  :func:`migbook.sphinx.published_notebooks.publish_notebook` attached right after it, or the glued text or HTML) and
  its caption;
- a label line such as ``(ch2-escalation)=`` (a target for the book's cross-references) goes;
- a directive the book fills when it is built (``{claims-list}``, ``{claims-counts}``, ...)
  becomes a line saying what it shows, with a link to the page on the site
  (:func:`resolve_book_only`);
- a first cell says what the notebook is and where its code and data are (the repository, the
  reproduction bundle, the chapter on the site).

:func:`readable` does all of it to a notebook (called by ``site.publish_notebook``);
:func:`book_settings` reads the addresses from ``_config.yml`` and the bibliography from
``book/references.bib`` (set once there, never retyped here).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from migbook.data import ROOT

BUNDLE_NAME = "migbook-reproduction.zip"
ROLE_RE = re.compile(r"\{(?P<role>[a-z][\w:+-]*)\}`(?P<body>[^`]*)`")
FIG_DIRECTIVE_RE = re.compile(
    r"^(?P<fence>:{3,}|`{3,})\{(?P<kind>glue:figure|glue|figure)\}[ \t]*(?P<arg>[^\n]*)\n(?P<content>.*?)^(?P=fence)[ \t]*$\n?",
    re.M | re.S,
)
NAME_OPTION_RE = re.compile(r"^:name:[ \t]*(\S+)[ \t]*$", re.M)
OPTION_RE = re.compile(r"^:[\w-]+:.*$\n?", re.M)
ATTACHMENT_RE = re.compile(r"\A\s*!\[[^\]]*\]\(attachment:[^)]+\)\n?")
#: a MyST target label on a line of its own: ``(ch2-escalation)=``
LABEL_RE = re.compile(r"^\([\w.:-]+\)=[ \t]*\n?", re.M)
#: a fenced directive (any but those written out above and code cells)
BLOCK_RE = re.compile(
    r"^(?P<fence>:{3,}|`{3,})\{(?P<name>[\w:-]+)\}[^\n]*\n(?P<content>.*?)^(?P=fence)[ \t]*$\n?",
    re.M | re.S,
)
#: what the directives the build fills from the ledger and the chapters' results show
BOOK_ONLY = {
    "claims-list": "the list of claims, assembled from the chapters' results",
    "claims-counts": "the headline counts of the claims by status and by what each check rests on",
    "claims-report": "the table of every claim with its cited and recomputed value",
    "claims-cite-example": "a worked example of citing one figure",
    "claims-rules": "the table of the judging policy's rules",
    "claims-sensitivity": "how the counts move under other settings of the policy",
    "bibliography": "the bibliography",
}


@functools.cache
def book_settings(root: Path = ROOT) -> dict:
    """Site address, repository and citation labels, read from ``_config.yml`` and the .bib files."""
    import yaml

    cfg = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    labels = {}
    for bib in cfg.get("bibtex_bibfiles", []):
        labels.update(
            citation_labels((root / bib).read_text(encoding="utf-8"))
        )
    return {
        "title": cfg.get("title", ""),
        "site_url": (cfg.get("html") or {}).get("baseurl", ""),
        "repository_url": (cfg.get("repository") or {}).get("url", ""),
        "citations": labels,
    }


def citation_labels(bibtex: str) -> dict[str, str]:
    """``{key: "Author, year"}`` for every entry of a BibTeX text (the book's author-year style)."""
    from pybtex.database import parse_string

    out = {}
    for key, entry in parse_string(bibtex, "bibtex").entries.items():
        people = (
            entry.persons.get("author") or entry.persons.get("editor") or []
        )
        names = [
            " ".join(p.last_names).replace("{", "").replace("}", "")
            for p in people
        ]
        who = (
            names[0]
            if len(names) == 1
            else (
                f"{names[0]} and {names[1]}"
                if len(names) == 2
                else f"{names[0]} et al."
                if names
                else key
            )
        )
        year = entry.fields.get("year", "n.d.")
        out[key] = f"{who}, {year}"
    return out


def glue_text(glue: dict, key: str, fmt: str = "") -> str | None:
    """The text myst-nb shows for ``{glue:text}`key:fmt```, or None when the key is not glued."""
    from myst_nb.core.variables import format_plain_text

    data = (glue.get(key) or {}).get("data", {})
    plain = data.get("text/plain")
    if plain is None:
        return None
    plain = plain if isinstance(plain, str) else "".join(plain)
    return format_plain_text(plain, fmt)


def figure_numbers(cells_source: list[str]) -> dict[str, int]:
    """Figure labels (``:name:`` of figure directives) numbered in order, from 1 (used when the
    build's numbers are not known)."""
    numbers: dict[str, int] = {}
    for src in cells_source:
        for m in FIG_DIRECTIVE_RE.finditer(src):
            name = NAME_OPTION_RE.search(m["content"])
            label = name[1] if name else None
            if label and label not in numbers:
                numbers[label] = len(numbers) + 1
    return numbers


def _page_url(site_url: str, page: str) -> str:
    return site_url.rstrip("/") + "/" + page.lstrip("/") + ".html"


def resolve_roles(
    text: str, glue: dict, settings: dict, figures: dict, docname: str
) -> str:
    """Write out every MyST role of a markdown text (see the module docstring)."""
    site = settings.get("site_url", "")
    folder = docname.rsplit("/", 1)[0] + "/" if "/" in docname else ""

    def one(m: re.Match) -> str:
        role, body = m["role"], m["body"]
        if role in ("glue:text", "glue", "glue:"):
            key, _, fmt = body.partition(":")
            value = glue_text(glue, key.strip(), fmt.strip())
            return m[0] if value is None else value
        if role.startswith("cite"):
            keys = [k.strip() for k in body.split(",") if k.strip()]
            labels = [settings["citations"].get(k, k) for k in keys]
            return "[" + "; ".join(labels) + "]"
        if role == "numref":
            label = re.sub(r"^.*<(.+)>$", r"\1", body).strip()
            n = figures.get(label)
            text = f"Fig. {n}" if n else "the figure"
            return (
                f"[{text}]({_page_url(site, docname)}#{label})"
                if site
                else text
            )
        if role == "said":
            from migbook.sphinx.attribution_rows import footnote_text, rows

            row = rows().get(body.strip())
            return f" [{footnote_text(row)}]" if row else m[0]
        if role == "doc":
            m2 = re.match(r"^(?P<text>.*?)\s*<(?P<target>[^>]+)>$", body)
            target = m2["target"] if m2 else body
            text = m2["text"] if m2 else target.rsplit("/", 1)[-1]
            page = (
                target.lstrip("/")
                if target.startswith("/")
                else folder + target
            )
            return f"[{text}]({_page_url(site, page)})" if site else text
        # any other role: its text, without the markup
        m2 = re.match(r"^(?P<text>.*?)\s*<[^>]+>$", body)
        return m2["text"] if m2 and m2["text"] else body

    return ROLE_RE.sub(one, text)


def resolve_directives(text: str, glue: dict) -> str:
    """Replace glued-figure and glue directives by their output and caption. The image that
    :func:`migbook.sphinx.published_notebooks.publish_notebook` attached right after a ``{glue:figure}`` stays."""

    def one(m: re.Match) -> str:
        caption = OPTION_RE.sub("", m["content"]).strip()
        key = m["arg"].strip()
        rest = text[m.end() :]
        out = []
        if not ATTACHMENT_RE.match(
            rest
        ):  # no image attached: show the glued text or HTML
            data = (glue.get(key) or {}).get("data", {})
            if "text/html" in data:  # a chart has none: its PNG is attached
                out.append(
                    str(data["text/html"])
                    if isinstance(data["text/html"], str)
                    else "".join(data["text/html"])
                )
            elif "text/plain" in data:
                out.append(glue_text(glue, key) or "")
        if caption:
            out.append(f"*{caption}*")
        return "\n\n".join(out) + "\n" if out else ""

    return FIG_DIRECTIVE_RE.sub(one, text)


def declared_ids(text: str) -> list[str]:
    """The claim ids a markdown text places with ``{claims-declared}`` (in order)."""
    return [
        ln.strip()
        for m in BLOCK_RE.finditer(text)
        if m["name"] == "claims-declared"
        for ln in OPTION_RE.sub("", m["content"]).splitlines()
        if ln.strip()
    ]


def _declared_text(ids: list[str]) -> str:
    from migbook.notebook import declared
    from migbook.render import badge_fields, badge_text

    return "\n".join(
        f"- {badge_text(badge_fields(*declared(cid)))}" for cid in ids
    )


def resolve_book_only(text: str, settings: dict, docname: str) -> str:
    """Drop target labels; write each directive the book fills at build time as a line saying
    what it shows, with a link to the page on the site (an admonition keeps its text)."""
    text = LABEL_RE.sub("", text)
    site = settings.get("site_url", "")

    def one(m: re.Match) -> str:
        name = m["name"]
        if name in ("code-cell", "glue", "glue:figure", "figure"):
            return m[0]
        if name == "claims-declared":  # the badges, as text
            return _declared_text(declared_ids(m[0])) + "\n"
        if name in BOOK_ONLY or name.startswith("claims-"):
            what = BOOK_ONLY.get(name, "a part of the page")
            where = (
                f": see it at {_page_url(site, docname)}"
                if site
                else " (see the page in the book)"
            )
            return f"*Here the book shows {what}, filled in when it is built{where}.*\n"
        body = OPTION_RE.sub("", m["content"]).strip()
        return (
            "\n".join(f"> {ln}".rstrip() for ln in body.splitlines()) + "\n"
        )

    return BLOCK_RE.sub(one, text)


def intro_cell_source(settings: dict, docname: str, title: str) -> str:
    """The first cell of a published notebook: what it is, and where the code and data are."""
    site, repo = (
        settings.get("site_url", ""),
        settings.get("repository_url", ""),
    )
    lines = [
        f"**{title}**: a chapter of *{settings.get('title', '')}*, executed, with its outputs."
    ]
    if site:
        lines.append(f"Read it on the site: {_page_url(site, docname)}")
    lines.append(
        "To re-execute it you need the book's data (`data/`) and helper package (`migbook/`): "
        + (
            f"download the reproduction bundle {site.rstrip('/')}/{BUNDLE_NAME} "
            if site
            else "download the reproduction bundle "
        )
        + "(data, helper package, exact pins and every chapter notebook), unzip it and follow its README.md"
        + (
            f", or clone the repository {repo} and run `make lab`."
            if repo
            else "."
        )
    )
    return "\n\n".join(lines)


def readable(
    nb,
    glue: dict,
    docname: str | Path,
    settings: dict | None = None,
    figures: dict[str, str] | None = None,
):
    """Make notebook ``nb`` (nbformat v4, changed in place and returned) read right without the book.
    ``docname``: the page name, or the published notebook's path (see :func:`docname_of`);
    ``figures``: the page's figure numbers as the book's build assigned them (``{label: "4"}``;
    the book numbers figures across chapters), else numbered from the notebook itself."""
    import nbformat

    docname = docname if isinstance(docname, str) else docname_of(docname)
    settings = settings if settings is not None else book_settings()
    figures = figures or figure_numbers(
        [c.source for c in nb.cells if c.cell_type == "markdown"]
    )
    title = docname
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        ids = declared_ids(cell.source)
        if ids:  # the bundle's runner records them (migbook.cli.bundle.claim_records)
            cell.metadata["migbook-declared"] = ids
        cell.source = resolve_roles(
            resolve_book_only(
                resolve_directives(cell.source, glue), settings, docname
            ),
            glue,
            settings,
            figures,
            docname,
        )
        if title == docname:
            h = re.search(r"^#\s+(.+)$", cell.source, re.M)
            title = h[1].strip() if h else title
    first = nb.cells[0] if nb.cells else None
    intro = intro_cell_source(settings, docname, title)
    if not (
        first is not None
        and first.cell_type == "markdown"
        and first.get("metadata", {}).get("migbook-intro")
    ):
        cell = nbformat.v4.new_markdown_cell(
            intro, metadata={"migbook-intro": True}
        )
        cell.pop("id", None)
        if nb.nbformat_minor >= 5:
            cell["id"] = "migbook-intro"
        nb.cells.insert(0, cell)
    return nb


def stable_cell_ids(nb) -> None:
    """Give each cell an id made from its content (myst-nb makes random ones each time it reads
    a page), so that a page's published notebook, and the bundle holding it, are the same bytes
    on every build. A repeated cell gets ``-1``, ``-2`` after its id."""
    import hashlib

    if (nb.get("nbformat"), nb.get("nbformat_minor", 0)) < (4, 5):
        return
    seen: dict[str, int] = {}
    for cell in nb.cells:
        if cell.get("id") == "migbook-intro":
            continue
        source = cell.source
        if not isinstance(
            source, str
        ):  # as stored in a file: a list of lines
            source = "".join(source)
        base = hashlib.sha1(
            (cell.cell_type + "\0" + source).encode()
        ).hexdigest()[:8]
        n = seen.get(base, 0)
        seen[base] = n + 1
        cell["id"] = base if n == 0 else f"{base}-{n}"


def docname_of(dest: Path | str) -> str:
    """The page name of a published notebook path (``.../_sources/book/ch1.ipynb`` -> ``book/ch1``)."""
    parts = Path(dest).with_suffix("").parts
    return (
        "/".join(parts[parts.index("_sources") + 1 :])
        if "_sources" in parts
        else parts[-1]
    )
