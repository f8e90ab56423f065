"""Eighty years of neural networks as data: the milestones, the eras, a timeline figure.

The history chapter draws its timeline and its table from the records below, so the figure,
the table and the asserted claims in the notebook can never disagree with each other. Each
milestone names the paper it comes from (a key of ``book/references.bib``) and the page of
the book that runs the idea (or ``None`` for an idea the book tells but does not run); a
link to a page that is not written yet is left out until the page exists.

Taught in: Chapter 1, History.

Examples
--------
>>> from nnlib.history import milestones
>>> [m.year for m in milestones()][:3]
[1943, 1949, 1958]
"""

from __future__ import annotations

import html
import posixpath
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ERAS",
    "MILESTONES",
    "Era",
    "Milestone",
    "chapter_link",
    "eras",
    "milestone",
    "milestones",
    "page_written",
    "table_html",
    "table_markdown",
    "timeline",
    "winters",
]


@dataclass(frozen=True)
class Milestone:
    """One step in the history of neural networks.

    Taught in: Chapter 1, History.

    Attributes
    ----------
    year : int
        The year of the publication.
    people : tuple of str
        Family names of the authors, in the paper's order.
    title : str
        A short name for the idea, such as ``"The perceptron"``.
    idea : str
        What was proposed, in one sentence.
    why : str
        Why it mattered, in one sentence.
    cite_key : str
        The key of the publication in ``book/references.bib``.
    chapter : str
        The chapter of this book that covers the idea, such as ``"Chapter 4, Learning"``.
    page : str or None
        The page that runs the idea, as a path from the repository root without extension
        (``"book/01_history/02_mcculloch_pitts"``), or ``None`` when the book tells the idea
        but does not run it. A page that does not exist yet gets no link (see
        :func:`page_written`).
    """

    year: int
    people: tuple[str, ...]
    title: str
    idea: str
    why: str
    cite_key: str
    chapter: str
    page: str | None = None

    @property
    def short_authors(self) -> str:
        """Up to three authors in full (as :attr:`authors`), otherwise ``"First et al."``."""
        return self.authors if len(self.people) <= 3 else f"{self.people[0]} et al."

    @property
    def authors(self) -> str:
        """The authors as one string: ``"A"``, ``"A and B"`` or ``"A, B and C"``."""
        if len(self.people) == 1:
            return self.people[0]
        return ", ".join(self.people[:-1]) + " and " + self.people[-1]


@dataclass(frozen=True)
class Era:
    """A period of the field, such as a wave of enthusiasm or a winter.

    Taught in: Chapter 1, History.

    Attributes
    ----------
    name : str
        The era's name, such as ``"First winter"``.
    start, end : int
        The years it began and ended (approximate: historians draw these lines differently).
    winter : bool
        Whether interest and funding for neural-network research had collapsed.
    summary : str
        One sentence on what happened.
    """

    name: str
    start: int
    end: int
    winter: bool
    summary: str


_CH1_MP = "book/01_history/02_mcculloch_pitts"
_CH1_HP = "book/01_history/03_hebb_perceptron"
_CH5 = "book/05_architectures/"

#: The seventeen milestones of the history chapter, as :class:`Milestone` records (by year).
MILESTONES: tuple[Milestone, ...] = (
    Milestone(
        1943,
        ("McCulloch", "Pitts"),
        "Threshold logic units",
        "A neuron modelled as a unit that fires when enough binary inputs are on; networks "
        "of such units compute logical propositions.",
        "The first mathematical model of a neural network, and the idea that networks of "
        "simple units can compute.",
        "mcculloch1943logical",
        "Chapter 1, History",
        _CH1_MP,
    ),
    Milestone(
        1949,
        ("Hebb",),
        "Hebbian learning",
        "When one cell repeatedly helps to fire another, the connection between them grows "
        "stronger.",
        "The most influential early idea of how a network could learn: knowledge stored in "
        "connection strengths that change with experience.",
        "hebb1949organization",
        "Chapter 1, History",
        _CH1_HP,
    ),
    Milestone(
        1958,
        ("Rosenblatt",),
        "The perceptron",
        "A threshold unit with real-valued weights and a rule that corrects them after "
        "every mistake.",
        "A machine that learned to classify from examples; its rule was soon proved to "
        "converge whenever a separating line exists.",
        "rosenblatt1958perceptron",
        "Chapter 1, History",
        _CH1_HP,
    ),
    Milestone(
        1960,
        ("Widrow", "Hoff"),
        "ADALINE and the delta rule",
        "A linear unit trained by nudging its weights down the gradient of the squared error "
        "after every example (least mean squares).",
        "Gradient descent on an error, the rule every network in this book is trained with; "
        "it also became a workhorse of signal processing.",
        "widrow1960adaptive",
        "Chapter 4, Learning",
        "book/04_backprop/02_gradient_descent",
    ),
    Milestone(
        1969,
        ("Minsky", "Papert"),
        "Perceptrons, the book",
        "A careful analysis of what single-layer perceptrons cannot compute, such as XOR "
        "and connectedness.",
        "Its limits were widely read as limits of neural networks in general; how much it "
        "caused the first winter that followed is still debated.",
        "minsky1969perceptrons",
        "Chapter 1, History",
        _CH1_HP,
    ),
    Milestone(
        1970,
        ("Linnainmaa",),
        "Reverse-mode differentiation",
        "The derivatives of a computer program's output with respect to all its inputs, "
        "computed in one backward sweep through its elementary steps.",
        "The algorithm inside backpropagation and every autograd library, found outside "
        "neural networks and long unnoticed there.",
        "linnainmaa1970representation",
        "Chapter 4, Learning",
        "book/04_backprop/03_autograd",
    ),
    Milestone(
        1974,
        ("Werbos",),
        "Backpropagation proposed for networks",
        "Reverse-mode derivatives applied to train the weights of a multi-layer network "
        "(in a thesis; spelled out for neural networks again in 1982).",
        "The method that would end the first winter, described during it and little read "
        "for a decade.",
        "werbos1974beyond",
        "Chapter 4, Learning",
        "book/04_backprop/04_backprop_matrix",
    ),
    Milestone(
        1980,
        ("Fukushima",),
        "The neocognitron",
        "Layers of local feature detectors with shared weights, alternating with pooling "
        "layers, for recognising shapes wherever they appear.",
        "The architecture of the convolutional network, before there was a gradient-based "
        "way to train it.",
        "fukushima1980neocognitron",
        "Chapter 5, Architectures",
        _CH5 + "02_convolution",
    ),
    Milestone(
        1982,
        ("Hopfield",),
        "Hopfield networks",
        "A network of symmetric threshold units whose energy falls with every update, so "
        "that stored patterns become stable states it settles into.",
        "Content-addressable memory from simple units; it brought physicists into the "
        "field and helped start the revival.",
        "hopfield1982neural",
        "Chapter 1, History",
        _CH1_HP,
    ),
    Milestone(
        1986,
        ("Rumelhart", "Hinton", "Williams"),
        "Backpropagation",
        "Gradients of the error for every weight of a multi-layer network, computed "
        "efficiently with the chain rule.",
        "Showed, with striking experiments, that backpropagation trains hidden layers to "
        "find useful features; this answered the XOR objection and brought neural "
        "networks back.",
        "rumelhart1986learning",
        "Chapter 4, Learning",
        "book/04_backprop/04_backprop_matrix",
    ),
    Milestone(
        1989,
        ("LeCun", "Boser", "Denker", "Henderson", "Howard", "Hubbard", "Jackel"),
        "Convolutional networks for digits",
        "Small shared filters slid over an image, trained by backpropagation, read "
        "handwritten zip codes.",
        "Built knowledge of images into the architecture; the design behind most vision "
        "systems of the 2010s.",
        "lecun1989backpropagation",
        "Chapter 5, Architectures",
        _CH5 + "03_cnn_digits",
    ),
    Milestone(
        1997,
        ("Hochreiter", "Schmidhuber"),
        "Long short-term memory",
        "A recurrent unit with a gated memory cell, so that errors can flow back over many "
        "time steps.",
        "Made recurrent networks learn long-range dependencies in speech, handwriting and text.",
        "hochreiter1997long",
        "Chapter 5, Architectures",
        _CH5 + "04_recurrent",
    ),
    Milestone(
        2006,
        ("Hinton", "Osindero", "Teh"),
        "Deep belief nets",
        "Deep networks pretrained one layer at a time, without labels, then fine-tuned.",
        "Showed that deep networks could be trained after all, and helped put the name "
        "deep learning into use.",
        "hinton2006fast",
        "Chapter 5, Architectures",
        _CH5 + "06_autoencoders",
    ),
    Milestone(
        2012,
        ("Krizhevsky", "Sutskever", "Hinton"),
        "AlexNet",
        "A large convolutional network with ReLUs and dropout, trained on two GPUs, won the "
        "ImageNet competition.",
        "Its error rate was far below every other entry; within a few years most of "
        "computer vision used deep networks.",
        "krizhevsky2012imagenet",
        "Chapter 5, Architectures",
        _CH5 + "03_cnn_digits",
    ),
    Milestone(
        2014,
        (
            "Goodfellow",
            "Pouget-Abadie",
            "Mirza",
            "Xu",
            "Warde-Farley",
            "Ozair",
            "Courville",
            "Bengio",
        ),
        "Generative adversarial networks",
        "A generator and a discriminator trained against each other until the generated "
        "samples look real.",
        "Made neural networks convincing generators of images, not only classifiers.",
        "goodfellow2014generative",
        "Chapter 5, Architectures",
        _CH5 + "07_gans",
    ),
    Milestone(
        2015,
        ("He", "Zhang", "Ren", "Sun"),
        "Residual networks",
        "Skip connections let each block learn a correction to its input instead of a whole "
        "new mapping.",
        "Networks of more than a hundred layers became trainable and won ImageNet 2015.",
        "he2015deep",
        "Chapter 5, Architectures",
        _CH5 + "05_residual_norm",
    ),
    Milestone(
        2017,
        ("Vaswani", "Shazeer", "Parmar", "Uszkoreit", "Jones", "Gomez", "Kaiser", "Polosukhin"),
        "The Transformer",
        "A sequence model built from attention alone, with no recurrence, processing all "
        "positions in parallel.",
        "The architecture behind today's large language models.",
        "vaswani2017attention",
        "Chapter 5, Architectures",
        _CH5 + "09_transformer",
    ),
)

#: The waves and winters of the field, as :class:`Era` records (dates approximate).
ERAS: tuple[Era, ...] = (
    Era(
        "First wave",
        1943,
        1969,
        False,
        "Threshold units, Hebb's rule and the perceptron; great hopes for machines that learn.",
    ),
    Era(
        "First winter",
        1969,
        1982,
        True,
        "Interest and funding for neural networks largely dried up: no way to train hidden "
        "layers, over-promising, Perceptrons and cuts across all of AI played a part.",
    ),
    Era(
        "Connectionist revival",
        1982,
        1995,
        False,
        "Hopfield networks, backpropagation and convolutional nets brought the field back.",
    ),
    Era(
        "Second winter",
        1995,
        2006,
        True,
        "Neural networks fell out of favour again: deep ones were hard to train, and support "
        "vector machines won many benchmarks.",
    ),
    Era(
        "Deep learning",
        2006,
        2024,
        False,
        "Pretraining, GPUs, large data sets and better architectures made depth work.",
    ),
)


def milestones() -> list[Milestone]:
    """Return the milestones of neural-network history, sorted by year.

    Taught in: Chapter 1, History.

    Returns
    -------
    list of Milestone
        A new list (changing it does not change the module's data).
    """
    return sorted(MILESTONES, key=lambda m: m.year)


def milestone(year: int) -> Milestone:
    """Return the milestone of ``year``.

    Taught in: Chapter 1, History.

    Raises
    ------
    TypeError
        If ``year`` is not an integer.
    ValueError
        If no milestone has that year (the message lists the years there are).
    """
    if isinstance(year, bool) or not isinstance(year, int):
        raise TypeError(f"year must be an int such as 1958; got {type(year).__name__}")
    for m in MILESTONES:
        if m.year == year:
            return m
    years = ", ".join(str(m.year) for m in milestones())
    raise ValueError(f"no milestone in {year}; the milestones are from {years}")


def eras() -> list[Era]:
    """Return the eras of the field (waves and winters), in order.

    Taught in: Chapter 1, History.
    """
    return sorted(ERAS, key=lambda e: e.start)


def winters() -> list[Era]:
    """Return only the winters: the eras when neural-network research was out of favour.

    Taught in: Chapter 1, History.
    """
    return [e for e in eras() if e.winter]


def _book_root() -> Path | None:
    """The repository root when nnlib runs from a checkout of the book, else ``None``."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "_toc.yml").is_file() and (root / "book").is_dir() else None


def page_written(m: Milestone) -> bool:
    """Whether the page that runs ``m`` exists, so that a link to it works.

    In a checkout of the book the page's ``.ipynb`` or ``.md`` file must exist; where nnlib
    is installed without the book (Colab, a wheel) every named page counts as written, since
    the published book has them all.

    Taught in: Chapter 1, History.
    """
    if not isinstance(m, Milestone):
        raise TypeError(f"expected a Milestone; got {type(m).__name__}")
    if m.page is None:
        return False
    root = _book_root()
    if root is None:
        return True
    return any((root / f"{m.page}{ext}").is_file() for ext in (".ipynb", ".md"))


def _not_linked(m: Milestone) -> str:
    """What the table says instead of a link: the idea is told only, or its page is to come."""
    return f"{m.chapter} (told here, not run)" if m.page is None else f"{m.chapter} (to come)"


def chapter_link(m: Milestone, relative_to: str = "book/01_history", ext: str = ".md") -> str:
    """The relative link from a page in ``relative_to`` to the page that runs ``m``.

    Taught in: Chapter 1, History.

    Parameters
    ----------
    m : Milestone
        The milestone.
    relative_to : str
        The folder of the page the link is written in, from the repository root.
    ext : str
        The extension to put on the target: ``".md"``/``".ipynb"`` for links that Jupyter and
        the book both resolve, ``".html"`` for a link inside raw HTML in the built book.
        Index pages are Markdown files, notebooks are ``.ipynb``: with ``".md"`` (the
        default) the right source extension is chosen for each.

    Returns
    -------
    str
        The link, or ``""`` when the milestone has no page or its page is not written yet
        (see :func:`page_written`).
    """
    if not isinstance(m, Milestone):
        raise TypeError(f"expected a Milestone; got {type(m).__name__}")
    if ext not in (".md", ".ipynb", ".html"):
        raise ValueError(f"ext must be '.md', '.ipynb' or '.html'; got {ext!r}")
    if not page_written(m):
        return ""
    if ext != ".html":
        ext = ".md" if posixpath.basename(m.page) == "index" else ".ipynb"
    return posixpath.relpath(m.page, relative_to) + ext


def _rows(relative_to: str, ext: str):
    for m in milestones():
        yield m, chapter_link(m, relative_to, ext)


def table_html(relative_to: str = "book/01_history", ext: str = ".html") -> str:
    """Render the milestones as an HTML table with links to the chapters that run them.

    Taught in: Chapter 1, History.

    Parameters
    ----------
    relative_to : str
        The folder of the page that displays the table (links are relative to it).
    ext : str
        The link extension, ``".html"`` for the built book (see :func:`chapter_link`).

    Returns
    -------
    str
        An HTML ``<table>``; display it with ``IPython.display.HTML``.
    """
    head = ("Year", "Who", "Milestone", "Why it mattered", "Run it")
    out = ['<table class="nnlib-milestones">', "<thead><tr>"]
    out += [f"<th>{h}</th>" for h in head]
    out.append("</tr></thead><tbody>")
    for m, link in _rows(relative_to, ext):
        where = html.escape(m.chapter)
        if link:
            where = f'<a href="{html.escape(link)}">{where}</a>'
        else:
            where = html.escape(_not_linked(m))
        cells = (
            str(m.year),
            html.escape(m.short_authors),
            f"<b>{html.escape(m.title)}</b>: {html.escape(m.idea)}",
            html.escape(m.why),
            where,
        )
        out.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def table_markdown(relative_to: str = "book/01_history", ext: str = ".md") -> str:
    """Render the milestones as a Markdown table with links to the chapters that run them.

    In a notebook, ``IPython.display.Markdown(table_markdown())`` shows a table whose links
    work both in Jupyter and in the built book (Jupyter Book resolves ``.md``/``.ipynb``
    links to the pages they name).

    Taught in: Chapter 1, History.

    Parameters
    ----------
    relative_to : str
        The folder of the page that displays the table (links are relative to it).
    ext : str
        The link extension (see :func:`chapter_link`).

    Returns
    -------
    str
        A Markdown (GitHub-flavoured) table.
    """

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [
        "| Year | Who | Milestone | Why it mattered | Run it |",
        "|---|---|---|---|---|",
    ]
    for m, link in _rows(relative_to, ext):
        where = f"[{m.chapter}]({link})" if link else _not_linked(m)
        lines.append(
            f"| {m.year} | {cell(m.short_authors)} | **{cell(m.title)}**: {cell(m.idea)} "
            f"| {cell(m.why)} | {where} |"
        )
    return "\n".join(lines)


def _short_authors(m: Milestone) -> str:
    if len(m.people) <= 2:
        return " & ".join(m.people)
    return f"{m.people[0]} et al."


def _spread(years: list[int], gap: float, lo: float, hi: float) -> list[float]:
    """Label positions for sorted ``years``: at least ``gap`` apart, centred on their years.

    Labels that would overlap form a group centred on the mean of its years; groups that
    then overlap merge, until none do. The result is clipped to ``[lo, hi]``.
    """
    groups = [[float(y)] for y in years]  # each group: the years of its labels

    def first(g: list[float]) -> float:
        return min(max(sum(g) / len(g) - gap * (len(g) - 1) / 2, lo), hi - gap * (len(g) - 1))

    merged = True
    while merged:
        merged = False
        for i in range(len(groups) - 1):
            a, b = groups[i], groups[i + 1]
            if first(a) + gap * len(a) > first(b):
                groups[i : i + 2] = [a + b]
                merged = True
                break
    return [first(g) + gap * k for g in groups for k in range(len(g))]


def timeline(ax=None, *, start: int = 1938, end: int = 2022):
    """Draw the milestones on a vertical time axis, the eras beside it, the winters shaded.

    Time runs down the page. The eras fill a band left of the time line; each milestone's
    label sits to its right, joined to its year by a thin line (labels are nudged apart
    where milestones crowd, as in the 2010s).

    Taught in: Chapter 1, History.

    Parameters
    ----------
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new 8 x 10 inch figure when omitted.
    start, end : int
        The range of years shown.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    import matplotlib.pyplot as plt

    for name, value in (("start", start), ("end", end)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int year; got {type(value).__name__}")
    if start >= end:
        raise ValueError(f"start must be before end; got start={start}, end={end}")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 10))

    # x: 0-1 the band of eras, 1 the time line, 1.1-1.25 leader lines, 1.28+ the labels
    for era in eras():
        lo, hi = max(era.start, start), min(era.end, end)
        if lo >= hi:
            continue
        colour = "#9ecae1" if era.winter else "#f2f2f2"
        ax.fill_betweenx([lo, hi], 0, 1, color=colour, alpha=0.8 if era.winter else 1, lw=0)
        ax.text(
            0.5,
            (lo + hi) / 2,
            era.name.lower().replace("connectionist ", "connectionist\n"),
            ha="center",
            va="center",
            fontsize=10,
            color="#08519c" if era.winter else "0.3",
            style="italic" if era.winter else "normal",
        )
    ax.plot([1, 1], [start, end], color="0.2", lw=1.5, zorder=1)

    shown = [m for m in milestones() if start <= m.year <= end]
    span = end - start
    gap = min(0.065 * span, 0.92 * span / max(len(shown), 1))
    positions = _spread([m.year for m in shown], gap, start + gap / 2, end - gap / 2)
    for m, y in zip(shown, positions, strict=True):
        ax.plot([1, 1.12, 1.25], [m.year, m.year, y], color="0.55", lw=0.8, zorder=1)
        ax.scatter([1], [m.year], s=40, color="#d94801", zorder=3)
        ax.text(
            1.28,
            y,
            f"{m.year} {m.title}\n{_short_authors(m)}",
            ha="left",
            va="center",
            fontsize=10,
        )

    ax.set_xlim(0, 3.4)
    ax.set_ylim(end, start)  # time runs down the page
    ax.set_xticks([])
    for side in ("right", "top", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_ylabel("Year")
    ax.set_title("Milestones of neural networks (winters shaded)")
    return ax
