"""Published notebooks: a chapter's executed notebook, downloadable beside its page.

The notebook myst-nb wrote into its output folder is published as ``_sources/<docname>.ipynb``:
the theme's download menu offers it, and a line at the end of the page links it. Its charts
carry their static PNG (the kernel makes none, see :mod:`migbook.charts`): beside the spec of a
chart a code cell shows, and, for a glued figure, attached to the markdown cell that places it
with ``{glue:figure}`` and shown right after the directive; so the figures show in any notebook
viewer, without JavaScript.
"""

from __future__ import annotations

import base64
import contextlib
import html
import re
from pathlib import Path

from sphinx.application import Sphinx

from migbook.render import (
    CHART_MIME,
    CLAIM_MIME,
    badge_text,
    chart_id,
    fmt_number,
    json_data,
)
from migbook.sphinx import plain_notebook
from migbook.sphinx._compat import (
    glue_outputs,
    offer_notebook,
)
from migbook.sphinx.chart_render import ChartAssets, chart_assets
from migbook.sphinx.links import resource_uri

GLUE_FIGURE_RE = re.compile(
    r"^(?P<fence>:{3,}|`{3,})\{glue(?::figure)?\}[ \t]+(?P<key>[^\s`]+)[ \t]*$",
    re.M,
)


def _block_end(source: str, m: re.Match) -> int:
    """Where the directive opened by ``m`` ends (after its closing fence line)."""
    close = re.compile(
        r"^" + re.escape(m["fence"]) + r"[ \t]*$", re.M
    ).search(source, m.end())
    if close is None:
        return len(source)
    nl = source.find("\n", close.end())
    return len(source) if nl < 0 else nl + 1


def _text(value) -> str:
    return value if isinstance(value, str) else "".join(value or [])


def _chart_png(
    data: dict, assets: ChartAssets | None
) -> tuple[str, str] | None:
    """(base64 PNG, description) of the chart in an output's ``data``, made by ``assets``."""
    spec = data.get(CHART_MIME)
    if spec is None or assets is None:
        return None
    spec = json_data(spec)
    cid = chart_id(spec)
    assets.vega(cid, spec)
    png = (assets.out / f"{assets.stem(cid, spec)}.png").read_bytes()
    return base64.b64encode(png).decode(), spec.get("description", "")


def _load(path: Path):
    """A notebook of nbformat 4 from ``path``, not validated: every notebook read here was
    written by myst-nb or by this module and is validated once, just before it is published
    (``nbformat.read`` would validate the whole notebook on each read; ``nbformat.v4.reads``
    is its reader of version 4)."""
    import nbformat

    nb = nbformat.v4.reads(path.read_text(encoding="utf-8"))
    if nb.get("nbformat") != 4:
        raise ValueError(f"{path}: not a notebook of nbformat 4")
    return nb


#: non-text mime types whose strings nbformat writes as lists of lines, like ``text/*``
SPLIT_MIMES = {"application/javascript", "image/svg+xml"}


def _split_bundle(data: dict) -> None:
    for key, value in data.items():
        if isinstance(value, str) and (
            key.startswith("text/") or key in SPLIT_MIMES
        ):
            data[key] = value.splitlines(True)


def notebook_json(nb) -> str:
    """The text ``nbformat.v4.writes`` gives for ``nb`` (its JSON options; the transient keys
    left out; sources and text outputs as lists of lines), made in place: ``nb`` is changed.
    ``nbformat.v4.writes`` first deep-copies the notebook, most of its time for a chapter whose
    outputs hold chart specs (thousands of small dicts): about half a second a clean build.
    ``tests/test_sphinx_ext.py`` checks that the two give the same text."""
    import json

    nb.metadata.pop("orig_nbformat", None)
    nb.metadata.pop("orig_nbformat_minor", None)
    nb.metadata.pop("signature", None)
    for cell in nb.cells:
        cell.metadata.pop("trusted", None)
        if isinstance(cell.get("source"), str):
            cell["source"] = cell["source"].splitlines(True)
        for attachment in cell.get("attachments", {}).values():
            _split_bundle(attachment)
        if cell.cell_type != "code":
            continue
        for out in cell.outputs:
            if out.output_type in ("execute_result", "display_data"):
                _split_bundle(out.get("data", {}))
            elif out.output_type == "stream" and isinstance(out.text, str):
                out.text = out.text.splitlines(True)
    return json.dumps(
        nb,
        indent=1,
        sort_keys=True,
        separators=(",", ": "),
        ensure_ascii=False,
    )


def publish_notebook(
    src: Path,
    dest: Path,
    glue: dict,
    assets: ChartAssets | None = None,
    figures: dict[str, str] | None = None,
) -> int:
    """Copy the executed notebook ``src`` to ``dest`` with its charts as images: a chart shown
    by a code cell gets an ``image/png`` beside its spec; a glued figure placed by a markdown
    cell (``{glue:figure}``) is attached to that cell as a PNG and shown right after the
    directive. A claim's badge keeps its HTML, and shows as text where HTML cannot; ``figures``:
    the page's figure numbers in the book (:func:`book_figure_numbers`). Returns the number of images
    added."""
    import nbformat

    nb = _load(Path(src))
    added = 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if CHART_MIME in data and "image/png" not in data:
                    made = _chart_png(data, assets)
                    if made:
                        data["image/png"] = made[0]
                        added += 1
                glued = (out.get("metadata") or {}).get("scrapbook")
                if (
                    glued
                    and CLAIM_MIME not in data
                    and "text/plain" not in data
                ):
                    # a value glued for the prose only (myst-nb keeps it under a prefixed
                    # mime type that Jupyter does not show): say it, so no output is blank
                    prefix = glued.get("mime_prefix", "")
                    value = _text(data.get(prefix + "text/plain", ""))
                    with contextlib.suppress(ValueError):
                        value = fmt_number(float(value))  # no float noise
                    data["text/plain"] = (
                        f"{glued.get('name', '')} = {value}  (glued for the text)"
                    )
                if CLAIM_MIME in data:
                    # its text/plain is the number glued for the prose, which is written out
                    # here: a reader without HTML sees the badge as text instead
                    data["text/plain"] = badge_text(
                        json_data(data[CLAIM_MIME])
                    )
            continue
        if cell.cell_type != "markdown":
            continue
        inserts = []
        for m in GLUE_FIGURE_RE.finditer(cell.source):
            key = m["key"]
            data = (glue.get(key) or {}).get("data", {})
            png, desc = (
                data.get("image/png"),
                re.sub(
                    r"^<chart: |>$", "", _text(data.get("text/plain", key))
                ),
            )
            if not png and CHART_MIME in data:
                made = _chart_png(data, assets)
                png, desc = made if made else (None, desc)
            if not png:
                continue
            name = f"{key}.png"
            cell.setdefault("attachments", {})[name] = {
                "image/png": _text(png)
            }
            alt = (
                (desc or key)
                .replace("[", "(")
                .replace("]", ")")
                .replace("\n", " ")
            )
            pos = _block_end(cell.source, m)
            lead = "\n" if cell.source[:pos].endswith("\n") else "\n\n"
            inserts.append((pos, f"{lead}![{alt}](attachment:{name})\n"))
            added += 1
        for pos, text in reversed(
            inserts
        ):  # right after the directive that places the figure
            cell.source = cell.source[:pos] + text + cell.source[pos:]
    plain_notebook.readable(
        nb, glue, dest, figures=figures
    )  # roles written out as text: the notebook reads right in plain Jupyter
    plain_notebook.stable_cell_ids(nb)
    nbformat.validate(nb)  # raises: a published notebook is a valid one
    dest.parent.mkdir(parents=True, exist_ok=True)
    # validated just above; nbformat.writes would validate it again and deep-copy it first
    text = notebook_json(nb) + "\n"
    if not dest.exists() or dest.read_text(encoding="utf-8") != text:
        dest.write_text(text, encoding="utf-8")
    return added


def book_figure_numbers(env, docname: str) -> dict[str, str]:
    """The page's figure numbers as the build assigned them: ``{label: "4"}``."""
    figs = env.toc_fignumbers.get(docname, {}).get("figure", {})
    return {label: ".".join(map(str, num)) for label, num in figs.items()}


def _executed_notebook(app: Sphinx, docname: str) -> Path | None:
    cfg = getattr(app.env, "mystnb_config", None)
    if cfg is None:
        return None
    path = Path(cfg.output_folder) / f"{docname}.ipynb"
    return path if path.exists() else None


def page_context(app: Sphinx, pagename, templatename, context, doctree):
    if (
        app.builder.format != "html"
        or app.builder.name == "singlehtml"
        or doctree is None
    ):
        return
    nb = _executed_notebook(app, pagename)
    if nb is None or "body" not in context:
        return
    rel = f"{pagename}.ipynb"
    publish_notebook(
        nb,
        Path(app.outdir) / "_sources" / rel,
        glue_outputs(app.env.mystnb_config.output_folder, pagename),
        chart_assets(app),
        book_figure_numbers(app.env, pagename),
    )
    offer_notebook(context, rel)  # in the theme's download menu
    url = html.escape(
        resource_uri(app.builder, pagename, f"_sources/{rel}")
    )
    name = html.escape(rel.split("/")[-1])
    context["body"] += (
        f'<p class="migbook-page-downloads">This chapter as a notebook, executed, with its '
        f'outputs: <a href="{url}" download="{name}">{name}</a></p>'
    )


def _with_cached_outputs(app: Sphinx, doctree) -> None:
    """``doctree-read``: the notebook myst-nb wrote for this page carries its outputs.

    On a cache hit, myst-nb 1.4 renders the page from the cached outputs but writes the source
    notebook, with no outputs, to its output folder (the notebook published here); that notebook
    is merged with its cached copy (jupyter-cache's ``merge_match_into_notebook``)."""
    cfg = getattr(app.env, "mystnb_config", None)
    if cfg is None:
        return
    out = Path(cfg.output_folder) / f"{app.env.docname}.ipynb"
    if not out.is_file():
        return
    from jupyter_cache import get_cache

    nb = _load(out)
    code = [c for c in nb.cells if c.cell_type == "code"]
    if not code or any(c.get("execution_count") for c in code):
        return  # executed while read, or nothing to execute
    try:
        _pk, merged = get_cache(
            cfg.execution_cache_path or ".jupyter_cache"
        ).merge_match_into_notebook(nb)
    except KeyError:
        return  # not executed (execution_mode: off, say): published as it is
    # validated when it is published (publish_notebook)
    out.write_text(notebook_json(merged), encoding="utf-8")


def setup_notebooks(app: Sphinx) -> None:
    app.connect("doctree-read", _with_cached_outputs)
