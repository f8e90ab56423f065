"""The architectures of Chapter 5 side by side: the data behind the comparison table.

Taught in: Chapter 5, Architectures (choosing an architecture).

Each architecture of the chapter is one :class:`Architecture` record in
:data:`ARCHITECTURES`: what it is best for, its key idea, strengths, weaknesses, typical
applications and the notebook that builds it. :func:`comparison_table` returns the records
as plain dicts and :func:`comparison_table_html` renders the table the book shows (the same
compact layout as Chapter 3's activation table), so the book's table and the data cannot
disagree. :func:`suggest` is the lookup the chapter's exercise uses: which architectures
list a given kind of data as their home.

Plain Python data, no numpy.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from nnlib._tables import bullets, grid_table_html, select

__all__ = [
    "ARCHITECTURES",
    "DATA_KINDS",
    "Architecture",
    "comparison_table",
    "comparison_table_html",
    "suggest",
]

#: The kinds of data that :attr:`Architecture.data` names, with what each means.
DATA_KINDS: dict[str, str] = {
    "tabular": "a fixed-length vector of features per example, in no particular order",
    "image": "pixels on a grid, where neighbours belong together",
    "sequence": "items in order: text, audio, time series",
    "graph": "entities and the links between them: molecules, social networks, meshes",
    "pixels": "an image in, an image-sized answer out: one label per pixel",
    "generation": "no label at all: new samples like the training data are wanted",
}


@dataclass(frozen=True)
class Architecture:
    """One row of the comparison table of Chapter 5.

    Taught in: Chapter 5, Architectures (choosing an architecture).

    Attributes
    ----------
    name : str
        The key in :data:`ARCHITECTURES` (``"cnn"``).
    label : str
        How the book prints it (``"Convolutional network (CNN)"``).
    data : tuple of str
        The kinds of data (keys of :data:`DATA_KINDS`) it is the usual first choice for.
    best_for : str
        One phrase.
    key_idea : str
        The one idea that defines it.
    strengths, weaknesses : tuple of str
        Short phrases.
    applications : str
        Where it is used.
    notebook : str
        The notebook of the course that builds it, relative to ``book/`` (no extension).
    """

    name: str
    label: str
    data: tuple[str, ...]
    best_for: str
    key_idea: str
    strengths: tuple[str, ...]
    weaknesses: tuple[str, ...]
    applications: str
    notebook: str

    def __repr__(self) -> str:
        return f"Architecture({self.name!r}, best for {self.best_for})"


#: Every architecture of Chapter 5 (and the MLP of Chapters 2-4), in the order the book meets
#: them: ``name -> Architecture``.
ARCHITECTURES: dict[str, Architecture] = {
    a.name: a
    for a in (
        Architecture(
            name="mlp",
            label="Multilayer perceptron (MLP)",
            data=("tabular",),
            best_for="fixed-size feature vectors",
            key_idea="layers of weighted sums and nonlinearities; every input meets every unit",
            strengths=("simple and fast", "makes no assumption about the inputs' layout"),
            weaknesses=(
                "parameters grow with input size",
                "must learn every symmetry (a shift, a reordering) from examples",
            ),
            applications="tabular data, the final layers of most other networks",
            notebook="04_backprop/04_backprop_matrix",
        ),
        Architecture(
            name="cnn",
            label="Convolutional network (CNN)",
            data=("image",),
            best_for="images and other grids",
            key_idea="small filters shared across positions, then pooling",
            strengths=(
                "few parameters for large inputs",
                "a pattern learned in one place is found everywhere",
            ),
            weaknesses=(
                "a local view: a wide context needs depth or pooling",
                "assumes nearby inputs belong together",
            ),
            applications="image classification, detection, audio spectrograms",
            notebook="05_architectures/03_cnn_digits",
        ),
        Architecture(
            name="rnn",
            label="Recurrent network (RNN, LSTM, GRU)",
            data=("sequence",),
            best_for="sequences read in order",
            key_idea="one cell applied at every step, carrying a state forward",
            strengths=("any sequence length, constant memory per step", "natural for streams"),
            weaknesses=(
                "steps run one after another: slow to train",
                "long-range memory is hard (gates help)",
            ),
            applications="time series, streaming speech, small on-device models",
            notebook="05_architectures/04_recurrent",
        ),
        Architecture(
            name="resnet",
            label="Residual network (ResNet)",
            data=("image",),
            best_for="very deep networks",
            key_idea="each block adds a correction to its input: x + f(x)",
            strengths=("gradients reach early layers", "depth keeps paying off"),
            weaknesses=("more memory for activations", "still needs normalisation to train well"),
            applications="the backbone of most vision models; the skips inside Transformers",
            notebook="05_architectures/05_residual_norm",
        ),
        Architecture(
            name="autoencoder",
            label="Autoencoder and VAE",
            data=("tabular", "image", "generation"),
            best_for="compression and learned representations",
            key_idea="squeeze the input through a narrow code, then rebuild it",
            strengths=("learns without labels", "a VAE's code space can be sampled"),
            weaknesses=("blurry reconstructions", "the code size is a guess"),
            applications="denoising, anomaly detection, the latent space of image generators",
            notebook="05_architectures/06_autoencoders",
        ),
        Architecture(
            name="gan",
            label="Generative adversarial network (GAN)",
            data=("generation",),
            best_for="sharp samples of a data distribution",
            key_idea="a generator learns to fool a discriminator that learns to catch it",
            strengths=("sharp samples", "fast sampling: one forward pass"),
            weaknesses=("unstable training", "mode collapse: some kinds of data are never made"),
            applications="image synthesis, super-resolution, data augmentation",
            notebook="05_architectures/07_gans",
        ),
        Architecture(
            name="transformer",
            label="Transformer (attention)",
            data=("sequence",),
            best_for="sequences with long-range dependencies, at scale",
            key_idea="every position attends to every other, weighted by learned similarity",
            strengths=("all positions computed in parallel", "any distance in one step"),
            weaknesses=(
                "cost grows with the square of the length",
                "needs position encodings and much data",
            ),
            applications="language models, translation, vision and protein models",
            notebook="05_architectures/09_transformer",
        ),
        Architecture(
            name="unet",
            label="U-Net",
            data=("pixels",),
            best_for="a label for every pixel",
            key_idea="an encoder-decoder whose skip connections carry detail across",
            strengths=("sharp boundaries from little data", "any image size that pools evenly"),
            weaknesses=("memory for full-resolution maps", "needs pixel-level labels"),
            applications="medical segmentation, satellite maps, the denoiser of diffusion models",
            notebook="05_architectures/10_unet",
        ),
        Architecture(
            name="gnn",
            label="Graph neural network (GCN)",
            data=("graph",),
            best_for="data made of nodes and edges",
            key_idea="each node averages messages from its neighbours, layer after layer",
            strengths=("uses the links, not just the features", "any graph size, any order"),
            weaknesses=(
                "deep stacks blur all nodes together (over-smoothing)",
                "large graphs need sampling",
            ),
            applications="molecules, recommendations, fraud rings, traffic networks",
            notebook="05_architectures/11_gnn",
        ),
    )
}

#: The columns of the table: (key in a :func:`comparison_table` row, title).
_COLUMNS = (
    ("name", "Architecture"),
    ("best_for", "Best for"),
    ("key_idea", "Key idea"),
    ("strengths", "Strengths"),
    ("weaknesses", "Weaknesses"),
    ("applications", "Applications"),
)
_CAPTION = (
    "Two lines per architecture: its name, what it is best for and its key idea; then its "
    "strengths (+), weaknesses (\u2212) and applications."
)


def _records(names) -> list[Architecture]:
    return select(ARCHITECTURES, names, "architecture")


def comparison_table(names=None) -> list[dict]:
    """The comparison table of Chapter 5 as a list of dicts, one per architecture.

    Taught in: Chapter 5, Architectures (choosing an architecture).

    Parameters
    ----------
    names : iterable of str, optional
        Keys of :data:`ARCHITECTURES` to include, in order; all of them by default.

    Returns
    -------
    list of dict
        Keys ``"name"`` (display label), ``"best_for"``, ``"key_idea"``, ``"strengths"``
        and ``"weaknesses"`` (phrases joined by ``"; "``), ``"applications"`` and
        ``"notebook"``.
    """
    return [
        {
            "name": a.label,
            "best_for": a.best_for,
            "key_idea": a.key_idea,
            "strengths": "; ".join(a.strengths),
            "weaknesses": "; ".join(a.weaknesses),
            "applications": a.applications,
            "notebook": a.notebook,
        }
        for a in _records(names)
    ]


def comparison_table_html(names=None) -> str:
    """The comparison table as an HTML ``<table>``, for ``IPython.display.HTML``.

    Taught in: Chapter 5, Architectures (choosing an architecture).

    The compact layout of Chapter 3's activation table: each architecture is one row shown
    on two lines (name, best for, key idea; then strengths, weaknesses, applications),
    styled inline, text HTML-escaped.

    Parameters
    ----------
    names : iterable of str, optional
        As in :func:`comparison_table`.

    Returns
    -------
    str
    """
    rows = [
        (
            f"<b>{html.escape(a.label)}</b>",
            html.escape(a.best_for),
            html.escape(a.key_idea),
            bullets("+", a.strengths),
            bullets("\u2212", a.weaknesses),
            html.escape(a.applications),
        )
        for a in _records(names)
    ]
    titles = [title for _, title in _COLUMNS]
    return grid_table_html(titles, rows, _CAPTION, "nnlib-architectures")


def suggest(data_kind: str) -> list[str]:
    """The architectures whose usual home is ``data_kind``, in table order.

    Taught in: Chapter 5, Architectures (choosing an architecture).

    A starting point, not a verdict: the chapter's closing notebook shows why the
    structure of the data, more than anything else, decides the first network to try.

    Parameters
    ----------
    data_kind : str
        A key of :data:`DATA_KINDS` (``"image"``, ``"sequence"``, ...).

    Returns
    -------
    list of str
        Keys of :data:`ARCHITECTURES`.

    Examples
    --------
    >>> suggest("graph")
    ['gnn']
    """
    if data_kind not in DATA_KINDS:
        raise ValueError(
            f"suggest: unknown kind of data {data_kind!r}; expected one of {', '.join(DATA_KINDS)}"
        )
    return [a.name for a in ARCHITECTURES.values() if data_kind in a.data]
