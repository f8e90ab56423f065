"""Chapter 5, choosing an architecture: matching problems to architectures, and the
receptive field of a stack of convolutions."""

from __future__ import annotations

from nnlib.exercises import Fail, as_floats, exercise, expect_close, solution

__all__ = ["PROBLEMS"]

#: The problems of the matching exercise: number -> (description, accepted architecture
#: keys of :data:`nnlib.architectures.ARCHITECTURES`, the hint for a wrong choice).
PROBLEMS: dict[int, tuple[str, tuple[str, ...], str]] = {
    1: (
        "Outline every tumour in 300 labelled MRI slices, pixel by pixel.",
        ("unet",),
        "The answer is an image-sized mask: which architecture outputs one label per pixel?",
    ),
    2: (
        "Predict whether a molecule is toxic from its atoms and the bonds between them.",
        ("gnn",),
        "Atoms and bonds are nodes and edges; the data is neither a grid nor a sequence.",
    ),
    3: (
        "Predict a house's price from 12 numeric columns of a spreadsheet.",
        ("mlp",),
        "The columns have no neighbours or order to exploit: the plainest network will do.",
    ),
    4: (
        "Tell which of 100 kinds of object a photograph shows.",
        ("cnn", "resnet"),
        "Pixels on a grid, and the object can be anywhere in the picture.",
    ),
    5: (
        "Translate English sentences into French, with millions of example pairs.",
        ("transformer",),
        "A word's translation can depend on a word far away, and there is plenty of data.",
    ),
    6: (
        "Flag unusual vibration readings from a machine when no fault was ever labelled.",
        ("autoencoder",),
        "No labels: learn to rebuild normal readings, and flag those rebuilt badly.",
    ),
    7: (
        "Forecast the next reading of a sensor, one step at a time, on a small chip "
        "that sees the readings as they arrive.",
        ("rnn",),
        "A stream that arrives one value at a time, with little memory: carry a state.",
    ),
}


@exercise("ch05.match_architectures", success="Every problem matched to a fitting architecture.")
def _(match_architectures):
    from nnlib.architectures import ARCHITECTURES

    answers = match_architectures()
    if answers is None:
        raise Fail("match_architectures() returned None.", "Did you forget a `return`?")
    if not isinstance(answers, dict):
        raise Fail(
            f"match_architectures() returned a {type(answers).__name__}; expected a dict.",
            "Return a dict such as {1: 'unet', 2: ..., ...}.",
        )
    missing = [k for k in PROBLEMS if k not in answers]
    if missing:
        raise Fail(
            f"No answer for problem(s) {', '.join(map(str, missing))}.",
            "Give one architecture key for each problem number, 1 to 7.",
        )
    for number, (text, accepted, hint) in PROBLEMS.items():
        choice = answers[number]
        if choice not in ARCHITECTURES:
            raise Fail(
                f"Problem {number}: {choice!r} is not a key of ARCHITECTURES.",
                f"Use one of {', '.join(ARCHITECTURES)}.",
            )
        if choice not in accepted:
            raise Fail(f"Problem {number} ({text}): {choice!r} is not the best first choice.", hint)


@solution("ch05.match_architectures")
def match_architectures():
    return {1: "unet", 2: "gnn", 3: "mlp", 4: "cnn", 5: "transformer", 6: "autoencoder", 7: "rnn"}


def _receptive_field(layers):
    field, jump = 1, 1
    for kernel, stride in layers:
        field += (kernel - 1) * jump
        jump *= stride
    return field


@exercise("ch05.receptive_field", success="Your receptive fields match the formula.")
def _(receptive_field):
    cases = [
        [(3, 1)],
        [(3, 1), (3, 1)],
        [(3, 1), (2, 2), (3, 1)],
        [(5, 1), (2, 2), (3, 1), (2, 2), (3, 1)],
        [(3, 2), (3, 2), (3, 2)],
    ]
    for layers in cases:
        what = f"receptive_field({layers})"
        got = as_floats(receptive_field(list(layers)), what)
        expect_close(
            got,
            _receptive_field(layers),
            what,
            "Each layer widens the field by (kernel - 1) times the product of the strides "
            "of the layers before it.",
            atol=0,
            mistakes=[
                (
                    1 + sum(k - 1 for k, _ in layers),
                    "Strides matter: after a stride-2 layer, one step on the feature map is "
                    "two input pixels, so later kernels reach twice as far.",
                ),
                (
                    sum(k for k, _ in layers),
                    "Neighbouring kernels overlap: a second 3-wide layer adds 2, not 3.",
                ),
            ],
            fmt=lambda v: f"{float(v):g}",
        )


@solution("ch05.receptive_field")
def receptive_field(layers):
    field, jump = 1, 1  # jump: input pixels per step on the current feature map
    for kernel, stride in layers:
        field += (kernel - 1) * jump
        jump *= stride
    return field
