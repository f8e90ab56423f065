"""Sharper stored figures: PNGs rendered at more pixels than they are shown with.

``tools/nbtools.py execute`` loads this into every kernel it starts (nothing appears in the
notebook). Each matplotlib figure is then stored as a PNG rendered at ``SCALE`` times its
own dpi (so 150 dpi for the book's 100-dpi style), with ``width``/``height`` metadata giving
its usual size. The built book shows the figure at that size and a high-DPI screen gets the
extra pixels. 1.5 is a compromise: sharp on a 2x screen, and about twice the bytes of a
plain figure, where IPython's "retina" (2x) would be about three times.

Readers running a notebook in Jupyter or Colab get their front end's usual figures; nbval
does not compare images or output metadata, so stored and fresh outputs still match.
"""

from __future__ import annotations

SCALE = 1.5


def install(scale: float = SCALE) -> None:
    """Render the current IPython kernel's matplotlib figures at ``scale`` times their dpi."""
    import matplotlib.pyplot as plt
    from IPython import get_ipython
    from IPython.core.display import _pngxy
    from IPython.core.pylabtools import print_figure
    from matplotlib.figure import Figure

    # The inline backend registers IPython's own PNG formatter when pyplot first draws;
    # make that happen now, so that ours, registered after it, wins.
    plt.close(plt.figure())

    shell = get_ipython()
    if shell is None:
        return

    def png(fig: Figure):
        data = print_figure(fig, "png", dpi=fig.dpi * scale)
        if not data:  # an empty figure draws nothing, as with IPython's formatter
            return None
        width, height = _pngxy(data)
        return data, {"width": round(width / scale), "height": round(height / scale)}

    shell.display_formatter.formatters["image/png"].for_type(Figure, png)
