"""The compact HTML table behind the book's comparison tables (activations, architectures).

Taught in: not taught (an internal helper of :mod:`nnlib.activations`, Chapter 3, and
:mod:`nnlib.architectures`, Chapter 5).

A comparison table with six text columns does not fit a ~700-pixel text column as an
ordinary table. :func:`grid_table_html` lays each record out as one table row shown as a
grid of three columns and two lines, with inline styles only, so the table needs no
stylesheet in Jupyter, Colab or the book. Where inline styles are stripped (some notebook
previewers) it degrades to an ordinary six-column table. The header cells stay bare
``<th>`` elements: in a row with ``text-align:left`` they inherit that alignment.
"""

from __future__ import annotations

import html

__all__ = ["CELL_STYLE", "bullets", "grid_table_html"]

_GRID = (
    "display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1.2fr) minmax(0,1fr);"
    "column-gap:1.2em;row-gap:0.3em;text-align:left"
)
_TABLE_STYLE = "display:block;width:100%;font-size:0.85em;line-height:1.45;margin:0.5em 0 1em 0"
_HEAD_STYLE = f"{_GRID};padding:0.3em 0.2em;border-bottom:2px solid rgba(128,128,128,0.7)"
_ROW_STYLE = f"{_GRID};padding:0.55em 0.2em;border-top:1px solid rgba(128,128,128,0.45)"

#: The inline style of every body cell (append to it for one column, e.g. ``";overflow-x:auto"``).
CELL_STYLE = "display:block;padding:0;border:none;text-align:left;background:none"


def select(registry: dict, names, kind: str) -> list:
    """The records of ``registry`` named by ``names`` (all if None; one name or a list), in
    that order; an unknown name is a ValueError listing the known ones."""
    if names is None:
        return list(registry.values())
    if isinstance(names, str):
        names = [names]
    unknown = [key for key in names if key not in registry]
    if unknown:
        raise ValueError(f"unknown {kind} {unknown[0]!r}; expected one of {', '.join(registry)}")
    return [registry[key] for key in names]


def bullets(mark: str, phrases) -> str:
    """Phrases, HTML-escaped, one per line, each after ``mark`` (such as ``"+"``)."""
    return "<br>".join(f"{mark} {html.escape(p)}" for p in phrases)


def grid_table_html(titles, rows, caption: str, css_class: str, cell_styles=None) -> str:
    """An HTML ``<table>`` of six columns, each row shown as a 3-column, 2-line grid.

    Parameters
    ----------
    titles : sequence of str
        The column titles (plain text, escaped here).
    rows : iterable of sequences of str
        The cells of each row, already HTML (escape plain text with ``html.escape``).
    caption : str
        Plain text above the table (escaped here).
    css_class : str
        The table's class, for tests and custom styling.
    cell_styles : sequence of str, optional
        One inline style per column; :data:`CELL_STYLE` for every column by default.

    Returns
    -------
    str
    """
    titles = list(titles)
    styles = list(cell_styles) if cell_styles is not None else [CELL_STYLE] * len(titles)
    head = "".join(f"<th>{html.escape(title)}</th>" for title in titles)
    body = []
    for cells in rows:
        tds = "".join(f'<td style="{st}">{c}</td>' for st, c in zip(styles, cells, strict=True))
        body.append(f'<tr style="{_ROW_STYLE}">{tds}</tr>')
    caption_html = (
        '<caption style="display:block;text-align:left;padding:0 0 0.4em 0">'
        f"{html.escape(caption)}</caption>"
    )
    return (
        f'<table class="{css_class}" style="{_TABLE_STYLE}">\n{caption_html}\n'
        f'<thead style="display:block"><tr style="{_HEAD_STYLE}">{head}</tr></thead>\n'
        '<tbody style="display:block">\n' + "\n".join(body) + "\n</tbody>\n</table>"
    )
