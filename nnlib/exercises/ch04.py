"""Checkers and reference solutions for the exercises of Chapter 4, Learning.

- 01 losses: ``ch04.mse``, ``ch04.mse_grad``, ``ch04.bce``
- 02 gradient descent: ``ch04.gd_step``, ``ch04.lr_limit``
- 03 autograd: ``ch04.grad_neuron``, ``ch04.mul_backward``, ``ch04.backward`` (the reader's
  own reverse-mode sweep, checked against ``nnlib.autograd.Value.backward``)
- 04 backpropagation in matrix form: ``ch04.dense_backward`` (checked against
  ``nnlib.layers.Dense.backward``), ``ch04.hidden_delta``
- 05 optimizers: ``ch04.momentum_step``, ``ch04.adam_step``, ``ch04.rmsprop_step`` (checked
  step by step against ``nnlib.optim.RMSprop``)
- 06 training practice: ``ch04.standardize``, ``ch04.precision_recall``
- 07 regularisation: ``ch04.l2_penalty``, ``ch04.early_stopping``

Each checker recognises the typical wrong answers and gives a hint for each; each reference
solution is registered with :func:`~nnlib.exercises.solution` at the end of the module.

Taught in: Chapter 4, Learning.
"""

from __future__ import annotations

import numpy as np

from nnlib.exercises import Fail, as_floats, exercise, expect_close, format_value, solution

__all__: list[str] = []

# --- Notebooks 01-03: losses, gradient descent, autograd ------------------------------------


def _closest_mistake(got, expected, what, mistakes, hint, atol=1e-6):
    """Pass if ``got`` matches ``expected``; else fail with the hint of a known mistake.

    ``mistakes`` is a list of ``(value, hint)`` pairs: what a typical wrong answer returns and
    the nudge for it. An answer that matches none gets ``hint``. Unlike a bare
    :func:`~nnlib.exercises.expect_close`, NaN or infinity is reported as such, the
    tolerance is also relative and numbers are shown with 4 significant digits.
    """
    got_arr = as_floats(got, what, hint)
    if not np.all(np.isfinite(got_arr)):
        raise Fail(f"{what} returned NaN or infinity.", hint)
    expect_close(
        got_arr, expected, what, hint, atol, rtol=1e-6, mistakes=mistakes, fmt=format_value
    )


_MSE_CASES = [
    (np.array([0.5, 2.0, -1.0]), np.array([1.0, 1.0, 0.0])),
    (np.array([[0.2, -0.4, 1.5], [3.0, 0.0, -2.0]]), np.array([[0.0, 0.0, 1.0], [2.0, 1.0, -2.5]])),
    (np.array([4.0]), np.array([1.0])),
]


@exercise("ch04.mse", success="Your mean squared error matches on every case.")
def _(mse):
    for pred, target in _MSE_CASES:
        diff = pred - target
        what = f"mse({pred.tolist()}, {target.tolist()})"
        _closest_mistake(
            mse(pred.copy(), target.copy()),
            np.mean(diff**2),
            what,
            [
                (np.sum(diff**2), "Average over the elements (np.mean), don't just add them up."),
                (np.sqrt(np.mean(diff**2)), "No square root: that would be the RMSE."),
                (np.mean(np.abs(diff)), "Square the differences instead of taking |.|."),
                (
                    np.mean(diff),
                    "Square each difference before averaging; otherwise errors "
                    "of opposite sign cancel out.",
                ),
                (
                    0.5 * np.mean(diff**2),
                    "No factor 1/2 here: nnlib and torch define MSE as the "
                    "plain mean of the squares.",
                ),
            ],
            "MSE is the mean, over all elements, of (pred - target) squared.",
        )


@exercise("ch04.mse_grad", success="Your gradient of the MSE is right on every case.")
def _(mse_grad):
    for pred, target in _MSE_CASES:
        diff = pred - target
        n = diff.size
        _closest_mistake(
            mse_grad(pred.copy(), target.copy()),
            2 * diff / n,
            f"mse_grad({pred.tolist()}, {target.tolist()})",
            [
                (
                    2 * diff,
                    "Divide by n: the 1/n of the mean carries into every partial derivative.",
                ),
                (diff / n, "The square's derivative brings down a factor 2."),
                (
                    -2 * diff / n,
                    "Wrong sign: the loss grows when pred moves away from target, "
                    "so d/dpred of (pred - target)**2 is +2 (pred - target).",
                ),
                (diff, "Two factors are missing: the 2 from the square and the 1/n from the mean."),
                (
                    np.full_like(diff, 2 * np.mean(diff)),
                    "Return one partial derivative per "
                    "prediction (an array shaped like pred), not a single number.",
                ),
            ],
            "Differentiate mean((pred - target)**2) with respect to each prediction.",
        )


_BCE_CASES = [
    (np.array([0.9, 0.2, 0.6, 0.3]), np.array([1.0, 0.0, 1.0, 1.0])),
    (np.array([0.01, 0.99]), np.array([1.0, 0.0])),
    (np.array([0.5, 0.75, 0.1]), np.array([0.0, 1.0, 0.0])),
]


@exercise("ch04.bce", success="Your binary cross-entropy matches on every case.")
def _(bce):
    for p, y in _BCE_CASES:
        terms = y * np.log(p) + (1 - y) * np.log(1 - p)
        with np.errstate(all="ignore"):  # a log of 0 in the reader's code is reported below
            got = bce(p.copy(), y.copy())
        _closest_mistake(
            got,
            -np.mean(terms),
            f"bce({p.tolist()}, {y.tolist()})",
            [
                (
                    np.mean(terms),
                    "The logarithm of a probability is negative: put a minus "
                    "sign in front so the loss is positive.",
                ),
                (-np.sum(terms), "Average over the examples (np.mean), don't just add them up."),
                (
                    -np.mean(y * np.log(p)),
                    "An example with y = 0 must cost something too: add "
                    "the (1 - y) * log(1 - p) term.",
                ),
                (-np.mean(terms) / np.log(10), "Use the natural logarithm, np.log."),
                (-np.mean(terms) / np.log(2), "Use the natural logarithm, np.log."),
            ],
            "BCE is -mean(y * log(p) + (1 - y) * log(1 - p)); take logs of the predictions p, "
            "not of the labels y.",
        )


_STEP_CASES = [
    (np.array([1.0, -2.0]), np.array([0.5, 0.5]), 0.1),
    (np.array([3.0]), np.array([-4.0]), 0.25),
    (np.array([0.0, 1.0, 2.0]), np.array([1.0, -1.0, 2.0]), 0.5),
]


@exercise("ch04.gd_step", success="Your gradient descent step is right.")
def _(gd_step):
    for w, g, lr in _STEP_CASES:
        _closest_mistake(
            gd_step(w.copy(), g.copy(), lr),
            w - lr * g,
            f"gd_step({w.tolist()}, {g.tolist()}, lr={lr})",
            [
                (w + lr * g, "The gradient points uphill: step against it (subtract)."),
                (w - g, "Scale the gradient by the learning rate lr."),
                (-lr * g, "Return the new parameters w - lr * grad, not only the step."),
                (w - lr, "Multiply lr by the gradient."),
            ],
            "One step of gradient descent is w_new = w - lr * grad.",
        )


@exercise("ch04.lr_limit", success="That is the edge of stability: 2 / c.")
def _(lr_limit):
    for c in (0.8, 3.0, 10.0):
        _closest_mistake(
            lr_limit(c),
            2.0 / c,
            f"lr_limit({c})",
            [
                (
                    1.0 / c,
                    "At lr = 1/c one step lands exactly on the minimum. Larger steps "
                    "overshoot, but still converge while each overshoot is smaller than the "
                    "last: when is |1 - lr * c| < 1?",
                ),
                (
                    1.0 / (2 * c),
                    "Too small. One step multiplies w - w* by (1 - lr * c): "
                    "when is |1 - lr * c| < 1?",
                ),
                (
                    2.0 * c,
                    "A steeper loss (larger c) needs smaller steps: the limit must "
                    "shrink as c grows.",
                ),
                (
                    c / 2.0,
                    "A steeper loss (larger c) needs smaller steps: the limit must "
                    "shrink as c grows.",
                ),
            ],
            "Work out how one step changes the distance to the minimum, w - w*.",
        )


_NEURON_CASES = [(0.5, -1.2, 0.3), (2.0, 0.4, -0.1), (-1.0, 0.7, 0.2)]


@exercise("ch04.grad_neuron", success="Chain rule applied correctly.")
def _(grad_neuron):
    for x, w, b in _NEURON_CASES:
        t = np.tanh(w * x + b)
        d = 1 - t**2
        got = grad_neuron(x, w, b)
        what = f"grad_neuron(x={x}, w={w}, b={b})"
        if isinstance(got, np.ndarray):
            got = got.tolist()
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Fail(f"{what} returned {got!r}.", "Return a pair: (df/dw, df/db).")
        _closest_mistake(
            got,
            (x * d, d),
            what,
            [
                (
                    (x, 1.0),
                    "You differentiated w * x + b but forgot the outer function: "
                    "multiply by tanh'(z) = 1 - tanh(z)**2.",
                ),
                ((x * (1 - t), 1 - t), "The derivative of tanh is 1 - tanh(z)**2 (squared)."),
                ((d, x * d), "The order is (df/dw, df/db): you swapped them."),
                ((w * d, d), "d(w * x + b)/dw is x, not w (w * d is df/dx)."),
                ((x * t, t), "Use the derivative tanh'(z) = 1 - tanh(z)**2, not tanh(z)."),
            ],
            "With z = w * x + b: df/dw = tanh'(z) * dz/dw and df/db = tanh'(z) * dz/db.",
        )


_MUL_CASES = [(2.0, -3.0, 1.5), (0.5, 4.0, 1.0), (-1.25, 0.8, -2.0)]


@exercise("ch04.mul_backward", success="That is the backward rule of multiplication.")
def _(mul_backward):
    for a, b, g in _MUL_CASES:
        got = mul_backward(a, b, g)
        what = f"mul_backward(a={a}, b={b}, grad_out={g})"
        if isinstance(got, np.ndarray):
            got = got.tolist()
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Fail(f"{what} returned {got!r}.", "Return a pair: (grad_a, grad_b).")
        _closest_mistake(
            got,
            (b * g, a * g),
            what,
            [
                (
                    (a * g, b * g),
                    "d(a * b)/da is b, not a: each input's gradient uses the other input.",
                ),
                ((g, g), "That is the rule for addition. For out = a * b, d(out)/da = b."),
                (
                    (b, a),
                    "Multiply by grad_out, the gradient arriving from above (the chain rule).",
                ),
            ],
            "For out = a * b: grad_a = b * grad_out and grad_b = a * grad_out.",
        )


def _edges(root) -> dict:
    """``{node: [(input, local derivative), ...]}`` for every node of ``root``'s graph made
    by an operation (leaves have no entry), from nnlib's ``Value`` graph."""
    from nnlib.autograd import topological_order

    return {
        node: list(zip(node.children, node._local, strict=True))
        for node in topological_order(root)
        if node.children
    }


def _backward_cases():
    """(description, root, inputs, expected gradients by node, the nodes to compare)."""
    from nnlib.autograd import Value, topological_order

    cases = []
    a = 3.0  # the diamond of the notebook, with names for nodes: d = (2 a) (a ** 2)
    diamond = {"d": [("b", a * a), ("c", 2 * a)], "b": [("a", 2.0)], "c": [("a", 2 * a)]}
    expected = {"a": 6 * a**2, "b": a * a, "c": 2 * a, "d": 1.0}
    cases.append(("the diamond d = (2a)(a**2) at a = 3", "d", diamond, expected))

    def from_values(description, root, leaves):
        order = topological_order(root)
        root.backward()
        expected = {leaf: leaf.grad for leaf in leaves}
        expected.update({node: node.grad for node in order if node.children})
        cases.append((description, root, _edges(root), expected))

    x, y = Value(2.0), Value(-3.0)
    from_values("f = x * y + x", x * y + x, [x, y])
    w1, w2, b = Value(0.4), Value(-0.8), Value(0.1)
    loss = ((w1 * 1.5 + w2 * -0.5 + b).sigmoid() - 1.0) ** 2
    from_values("the neuron's loss (sigmoid(w1 x1 + w2 x2 + b) - 1) ** 2", loss, [w1, w2, b])
    h = Value(0.5)
    net = ((h * 2.0).tanh() * (h * h + 1.0)).tanh() + h.relu() * h
    from_values("tanh(tanh(2h) (h * h + 1)) + relu(h) h", net, [h])
    u = Value(0.7)
    c = u * 2.0  # c reaches the root directly and through two tanh nodes
    from_values("c.tanh().tanh() + c with c = 2u", c.tanh().tanh() + c, [u])
    x0 = Value(1.0)
    out = x0
    for _ in range(3000):
        out = out * 1.0001
    from_values("a chain of 3000 multiplications", out, [x0])
    return cases


def _backward_variant(
    root, inputs, *, sort=True, backwards=True, accumulate=True, chain=True, seed=1.0
):
    """The reference algorithm and its typical slips (for recognising a wrong answer)."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:  # iterative depth-first search: inputs before the nodes made from them
        node, done = stack.pop()
        if done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((inp, False) for inp, _ in inputs.get(node, []) if inp not in seen)
    if not sort:  # breadth-first from the root: each node before its inputs, but too early
        order, queue, seen = [], [root], {root}
        while queue:
            node = queue.pop(0)
            order.insert(0, node)
            for inp, _ in inputs.get(node, []):
                if inp not in seen:
                    seen.add(inp)
                    queue.append(inp)
    grad = {node: 0.0 for node in order}
    grad[root] = seed
    for node in reversed(order) if backwards else order:
        for inp, local in inputs.get(node, []):
            step = local * grad[node] if chain else local
            grad[inp] = grad[inp] + step if accumulate else step
    return grad


@exercise(
    "ch04.backward",
    success="Your backward pass matches nnlib's Value.backward on every graph, deep ones too.",
)
def _(backward):
    for description, root, inputs, expected in _backward_cases():
        what = f"backward on {description}"
        try:
            got = backward(root, {k: list(v) for k, v in inputs.items()})
        except RecursionError:
            raise Fail(
                f"{what} hit Python's recursion limit.",
                "A recursive topological sort needs one call per node of a path, and Python "
                "allows about 1000. Use a loop with an explicit stack (a list you push to and "
                "pop from) instead of recursion.",
            ) from None
        if got is None:
            raise Fail(f"{what} returned None.", "Did you forget a `return` statement?")
        if not isinstance(got, dict):
            raise Fail(
                f"{what} returned a {type(got).__name__}, not a dict.",
                "Return a dict from every node to its gradient, d root / d node.",
            )
        missing = [node for node in expected if node not in got]
        if missing:
            raise Fail(
                f"{what}: the returned dict has no gradient for {len(missing)} of the nodes.",
                "Give every node of the graph a gradient, the leaves (nodes without an entry "
                "in `inputs`) included.",
            )
        close = {n: np.isclose(got[n], g, rtol=1e-9, atol=1e-12) for n, g in expected.items()}
        wrong = [n for n, ok in close.items() if not ok]
        if not wrong:
            continue
        node = wrong[0]
        name = node if isinstance(node, str) else "a leaf" if node not in inputs else "a node"
        message = (
            f"{what}: the gradient of {name} is {got[node]:.6g}; expected {expected[node]:.6g}."
        )
        slips = [
            (dict(seed=0.0), "Start from grad[root] = 1 (d root / d root), not 0."),
            (
                dict(sort=False),
                "Visit the nodes in reverse topological order: a node may pass its gradient "
                "on only when it is complete, after every node that uses it has sent its "
                "share. Sort first (inputs before the nodes made from them), then walk the "
                "list backwards.",
            ),
            (
                dict(backwards=False),
                "Walk the sorted list from the end (the root) to the start (the leaves): "
                "the gradient flows from the output back to the inputs.",
            ),
            (
                dict(accumulate=False),
                "A node used twice gets gradient along both paths: add (+=) each "
                "contribution, never overwrite (=).",
            ),
            (
                dict(chain=False),
                "The chain rule multiplies: an input receives local derivative x the "
                "gradient of the node that used it.",
            ),
        ]
        for kwargs, hint in slips:
            variant = _backward_variant(root, inputs, **kwargs)
            if all(np.isclose(got.get(n, np.nan), variant[n]) for n in expected):
                raise Fail(message, hint)
        raise Fail(
            message,
            "Sort the nodes so that every input comes before the nodes made from it; set "
            "grad[root] = 1 and every other gradient to 0; then, walking the sorted list "
            "from the end, add local * grad[node] to grad[input] for each input of each node.",
        )


# --- Notebooks 04-07: backpropagation, optimizers, training practice ------------------------


def _pair_or_triple(got, names: tuple[str, ...], what: str) -> tuple:
    """The reader's tuple answer, or a Fail that says which tuple was expected."""
    is_seq = isinstance(got, (tuple, list)) or (isinstance(got, np.ndarray) and got.ndim >= 1)
    if not is_seq or len(got) != len(names):
        shown = "None" if got is None else type(got).__name__
        extra = " (did you forget a `return`?)" if got is None else ""
        raise Fail(
            f"{what} returned {shown}{extra}.",
            f"Return a tuple of {len(names)}: ({', '.join(names)}).",
        )
    return tuple(got)


# Dense backward: x (batch, n_in), W (n_in, n_out), grad_out (batch, n_out). The first case has
# n_in == n_out, so that a forgotten transpose gives the right shape and the wrong numbers.
def _dense_cases():
    rng = np.random.default_rng(404)
    shapes = [(5, 3, 3), (4, 3, 2), (1, 2, 4)]
    return [
        (rng.normal(size=(b, i)), rng.normal(size=(i, o)), rng.normal(size=(b, o)))
        for b, i, o in shapes
    ]


def _dense_reference(x, W, grad_out):
    """(dW, db, dx) from nnlib's own ``Dense.backward``: the answer the reader must match."""
    from nnlib.layers import Dense

    layer = Dense(*W.shape, dtype=np.float64)
    layer.W.data[...] = W
    layer.b.data[...] = 0.0
    layer(x)
    dx = layer.backward(grad_out)
    return layer.W.grad.copy(), layer.b.grad.copy(), np.array(dx, copy=True)


@exercise("ch04.dense_backward", success="dW, db and dx are all right: that is Dense.backward.")
def _(dense_backward):
    for x, W, g in _dense_cases():
        ref_dW, ref_db, ref_dx = _dense_reference(x, W, g)
        what = f"dense_backward(x {x.shape}, W {W.shape}, grad_out {g.shape})"
        dW, db, dx = _pair_or_triple(
            dense_backward(x.copy(), W.copy(), g.copy()), ("dW", "db", "dx"), what
        )
        b = len(x)
        _closest_mistake(
            dW,
            ref_dW,
            f"dW of {what}",
            [
                (
                    (g.T @ x),
                    "That is dW transposed: dW must have W's shape (n_in, n_out), so it is "
                    "x.T @ grad_out.",
                ),
                (
                    x.T @ g / b,
                    "Don't divide by the batch size: the loss's backward already "
                    "included the 1/batch of the mean.",
                ),
            ],
            "Each weight W[i, j] multiplies x[:, i] into output j: sum x[n, i] * grad_out[n, j] "
            "over the batch.",
        )
        _closest_mistake(
            db,
            ref_db,
            f"db of {what}",
            [
                (
                    g.mean(axis=0),
                    "Sum over the batch, don't average: the 1/batch is already inside grad_out.",
                ),
                (
                    g.sum(axis=1),
                    "Sum over the batch axis (axis 0): db has one entry per output unit.",
                ),
            ],
            "The bias is added to every row, so its gradient adds up grad_out over the rows.",
        )
        _closest_mistake(
            dx,
            ref_dx,
            f"dx of {what}",
            [
                *(
                    [(g @ W, "Transpose W: dx = grad_out @ W.T.")]
                    if W.shape[0] == W.shape[1]
                    else []
                ),
                (g @ W.T / b, "No division by the batch size for dx either."),
            ],
            "Input x[n, i] reaches output j through W[i, j]: dx = grad_out @ W.T.",
        )


def _delta_cases():
    rng = np.random.default_rng(405)
    out = []
    for b, n, m in [(3, 4, 2), (2, 3, 3), (5, 2, 4)]:
        z = rng.normal(size=(b, n))
        z[0, 0] = -abs(z[0, 0]) - 0.5  # at least one inactive unit
        z[-1, -1] = abs(z[-1, -1]) + 0.5  # and one active
        out.append((rng.normal(size=(b, m)), rng.normal(size=(n, m)), z))
    return out


@exercise("ch04.hidden_delta", success="That is the backward recursion for a ReLU layer.")
def _(hidden_delta):
    for d_next, W_next, z in _delta_cases():
        what = f"hidden_delta(delta_next {d_next.shape}, W_next {W_next.shape}, z {z.shape})"
        back = d_next @ W_next.T
        _closest_mistake(
            hidden_delta(d_next.copy(), W_next.copy(), z.copy()),
            back * (z > 0),
            what,
            [
                (
                    back,
                    "Multiply, element by element, by the ReLU's derivative at z: 1 where "
                    "z > 0, else 0.",
                ),
                (
                    back * np.maximum(z, 0),
                    "Use the derivative of ReLU, (z > 0), not ReLU(z) itself.",
                ),
                (
                    d_next @ W_next.T * (z < 0),
                    "ReLU passes the gradient where z > 0 (the unit was active), and "
                    "blocks it where z <= 0.",
                ),
            ],
            "delta = (delta_next @ W_next.T) * relu'(z): back through the weights, then "
            "through the activation.",
        )


_MOMENTUM_CASES = [
    (np.array([1.0, -2.0]), np.array([0.5, 0.0]), np.array([0.2, -0.4]), 0.2, 0.9),
    (np.array([3.0]), np.array([-1.0]), np.array([2.0]), 0.05, 0.5),
    (np.array([0.0, 1.0, -1.0]), np.array([0.3, -0.3, 0.1]), np.array([1.0, 1.0, -2.0]), 0.3, 0.8),
]


@exercise("ch04.momentum_step", success="Your momentum step matches torch.optim.SGD(momentum=mu).")
def _(momentum_step):
    for w, v, g, lr, mu in _MOMENTUM_CASES:
        what = f"momentum_step(w={w.tolist()}, v={v.tolist()}, g={g.tolist()}, lr={lr}, mu={mu})"
        got_w, got_v = _pair_or_triple(
            momentum_step(w.copy(), v.copy(), g.copy(), lr, mu), ("w_new", "v_new"), what
        )
        v_new = mu * v + g
        _closest_mistake(
            got_v,
            v_new,
            f"v_new of {what}",
            [
                (
                    mu * v + lr * g,
                    "Here (as in torch.optim.SGD) the velocity collects raw gradients, "
                    "v = mu * v + g, and lr multiplies it in the weight update.",
                ),
                (
                    mu * v + (1 - mu) * g,
                    "No (1 - mu) factor: that is an exponential average; momentum here "
                    "is v = mu * v + g.",
                ),
                (mu * v - g, "Add the gradient to the velocity: v = mu * v + g."),
                (v + mu * g, "mu multiplies the old velocity, not the gradient."),
            ],
            "Update the velocity first: v_new = mu * v + g.",
        )
        _closest_mistake(
            got_w,
            w - lr * v_new,
            f"w_new of {what}",
            [
                (w + lr * v_new, "Step against the velocity: w_new = w - lr * v_new."),
                (
                    w - lr * v,
                    "Use the new velocity (after adding this step's gradient), not the old one.",
                ),
                (w - lr * g, "That is plain gradient descent: step along v_new, not g."),
                (w - v_new, "Scale the step by the learning rate: w - lr * v_new."),
            ],
            "Then step along the new velocity: w_new = w - lr * v_new.",
        )


_ADAM_CASES = [
    # w, m, v, g, t, lr
    (np.array([1.0, -2.0]), np.zeros(2), np.zeros(2), np.array([0.5, -0.1]), 1, 0.1),
    (np.array([0.3]), np.array([0.2]), np.array([0.05]), np.array([-0.4]), 3, 0.01),
    # tiny gradients: v_hat is near eps ** 2, where the place of eps matters
    (np.array([0.5, -0.5]), np.zeros(2), np.zeros(2), np.array([1e-4, -3e-5]), 1, 0.1),
    (
        np.array([2.0, 0.0, -1.0]),
        np.array([0.1, -0.2, 0.05]),
        np.array([0.02, 0.01, 0.3]),
        np.array([1.0, 0.5, -2.0]),
        10,
        0.05,
    ),
]


def _adam_reference(w, m, v, g, t, lr, b1=0.9, b2=0.999, eps=1e-8, correct=True, eps_in=False):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    mh, vh = (m / (1 - b1**t), v / (1 - b2**t)) if correct else (m, v)
    denom = np.sqrt(vh + eps) if eps_in else np.sqrt(vh) + eps
    return w - lr * mh / denom, m, v


_RMSPROP_GRADS = [  # per case: the gradients of four successive steps, and lr
    (
        [
            np.array([0.5, -2.0, 0.01]),
            np.array([0.4, -1.0, 0.02]),
            np.array([0.6, 0.5, -0.01]),
            np.array([0.1, -0.2, 0.03]),
        ],
        0.01,
    ),
    ([np.array([[3.0, -0.001], [0.2, 1.0]])] * 4, 0.1),
]


def _rmsprop_variant(
    w,
    s,
    g,
    lr,
    *,
    eps_in=False,
    plain_g=False,
    swapped=False,
    old_s=False,
    no_sqrt=False,
    uphill=False,
    alpha=0.99,
    eps=1e-8,
):
    """One RMSprop step as torch.optim.RMSprop takes it, or with a typical slip."""
    s_new = (alpha * s + (1 - alpha) * g) if plain_g else (alpha * s + (1 - alpha) * g**2)
    if swapped:
        s_new = (1 - alpha) * s + alpha * g**2
    used = s if old_s else s_new
    if eps_in:
        denom = np.sqrt(used + eps)
    elif no_sqrt:
        denom = used + eps
    else:
        denom = np.sqrt(np.abs(used)) + eps
    step = lr * g / denom
    return (w + step if uphill else w - step), s_new


@exercise(
    "ch04.rmsprop_step", success="Your RMSprop steps match nnlib.optim.RMSprop, step by step."
)
def _(rmsprop_step):
    from nnlib.layers import Parameter
    from nnlib.optim import RMSprop

    slips = [
        (
            dict(plain_g=True),
            "s averages the *squared* gradient: s = alpha * s + (1 - alpha) * g**2.",
        ),
        (
            dict(swapped=True),
            "The old average keeps the weight alpha: s = alpha * s + (1 - alpha) * g**2.",
        ),
        (
            dict(old_s=True),
            "Update s first, then step with the new s (as torch.optim.RMSprop does).",
        ),
        (dict(eps_in=True), "eps goes outside the square root: sqrt(s) + eps."),
        (dict(no_sqrt=True), "Divide by the square root of s (the root mean square), not by s."),
        (dict(uphill=True), "Step downhill: w_new = w - lr * g / (sqrt(s) + eps)."),
    ]
    for grads, lr in _RMSPROP_GRADS:
        w0 = np.linspace(-1.0, 1.0, grads[0].size).reshape(grads[0].shape)
        param = Parameter(w0.copy())
        opt = RMSprop([param], lr=lr)
        w, s = w0.copy(), np.zeros_like(w0)
        for t, g in enumerate(grads, start=1):
            what = f"rmsprop_step at step {t} (lr={lr}, g={format_value(g)})"
            with np.errstate(all="ignore"):
                got = rmsprop_step(w.copy(), s.copy(), g.copy(), lr)
            got_w, got_s = _pair_or_triple(got, ("w_new", "s_new"), what)
            param.grad = g.copy()
            opt.step()
            ref_s = 0.99 * s + 0.01 * g**2
            _closest_mistake(
                got_s,
                ref_s,
                f"s_new of {what}",
                [(_rmsprop_variant(w, s, g, lr, **k)[1], h) for k, h in slips[:2]],
                "s_new = alpha * s + (1 - alpha) * g**2, with alpha = 0.99.",
            )
            _closest_mistake(
                got_w,
                param.data,
                f"w_new of {what}",
                [(_rmsprop_variant(w, s, g, lr, **k)[0], h) for k, h in slips[2:]],
                "w_new = w - lr * g / (sqrt(s_new) + eps), with eps = 1e-8.",
            )
            w, s = param.data.copy(), ref_s


@exercise("ch04.adam_step", success="Your Adam step matches torch.optim.Adam.")
def _(adam_step):
    for w, m, v, g, t, lr in _ADAM_CASES:
        what = f"adam_step(w={w.tolist()}, m={m.tolist()}, v={v.tolist()}, g={g.tolist()}, t={t})"
        with np.errstate(all="ignore"):  # a t - 1 slip divides by zero: reported below
            got = adam_step(w.copy(), m.copy(), v.copy(), g.copy(), t, lr=lr)
        got_w, got_m, got_v = _pair_or_triple(got, ("w_new", "m_new", "v_new"), what)
        ref_w, ref_m, ref_v = _adam_reference(w, m, v, g, t, lr)
        _closest_mistake(
            got_m,
            ref_m,
            f"m_new of {what}",
            [
                (ref_m / (1 - 0.9**t), "Return the raw moment m, not the bias-corrected m_hat."),
                (0.9 * m + g, "m is an average: m = beta1 * m + (1 - beta1) * g."),
            ],
            "m_new = beta1 * m + (1 - beta1) * g.",
        )
        _closest_mistake(
            got_v,
            ref_v,
            f"v_new of {what}",
            [
                (ref_v / (1 - 0.999**t), "Return the raw moment v, not the bias-corrected v_hat."),
                (0.999 * v + 0.001 * g, "v averages the squared gradient, g ** 2."),
                (0.999 * v + 0.001 * np.abs(g), "v averages the squared gradient, g ** 2."),
            ],
            "v_new = beta2 * v + (1 - beta2) * g ** 2.",
        )
        _closest_mistake(
            got_w,
            ref_w,
            f"w_new of {what}",
            [
                (
                    _adam_reference(w, m, v, g, t, lr, correct=False)[0],
                    "Divide m by (1 - beta1 ** t) and v by (1 - beta2 ** t) before the step "
                    "(the bias correction).",
                ),
                (
                    _adam_reference(w, m, v, g, t, lr, eps_in=True)[0],
                    "eps goes outside the square root: sqrt(v_hat) + eps.",
                ),
                (
                    w + lr * (ref_m / (1 - 0.9**t)) / (np.sqrt(ref_v / (1 - 0.999**t)) + 1e-8),
                    "Step downhill: w_new = w - lr * m_hat / (sqrt(v_hat) + eps).",
                ),
                (
                    w - lr * (ref_m / (1 - 0.9**t)) / (ref_v / (1 - 0.999**t) + 1e-8),
                    "Take the square root of v_hat in the denominator.",
                ),
            ],
            "m_hat = m_new / (1 - beta1 ** t), v_hat = v_new / (1 - beta2 ** t), then "
            "w_new = w - lr * m_hat / (sqrt(v_hat) + eps), with t counted from 1.",
        )


def _standardize_cases():
    rng = np.random.default_rng(406)
    train = rng.normal([5.0, -200.0, 0.01], [2.0, 50.0, 0.003], size=(20, 3))
    test = rng.normal([5.0, -200.0, 0.01], [2.0, 50.0, 0.003], size=(6, 3)) + [1.0, 30.0, 0.0]
    const_train = np.column_stack([rng.normal(size=8), np.full(8, 3.0)])
    const_test = np.array([[0.5, 3.0], [-1.0, 4.0]])
    return [(train, test), (const_train, const_test)]


@exercise("ch04.standardize", success="Scaled with the training set's statistics, as it should be.")
def _(standardize):
    for train, test in _standardize_cases():
        mu = train.mean(axis=0)
        sd = train.std(axis=0)
        safe = np.where(sd > 0, sd, 1.0)
        what = f"standardize(X_train {train.shape}, X_test {test.shape})"
        with np.errstate(all="ignore"):  # a constant column divided by 0 is reported below
            got = standardize(train.copy(), test.copy())
        z_train, z_test = _pair_or_triple(got, ("Z_train", "Z_test"), what)
        sd1 = train.std(axis=0, ddof=1)
        for name, z, X in (("Z_train", z_train, train), ("Z_test", z_test, test)):
            try:
                arr = np.asarray(z, dtype=float)
            except (TypeError, ValueError):
                arr = None  # reported by _closest_mistake below
            if arr is not None and arr.shape == X.shape and not np.all(np.isfinite(arr)):
                raise Fail(
                    f"{name} of {what} holds NaN or infinity.",
                    "A constant column has standard deviation 0: divide by 1 instead, so the "
                    "column becomes all zeros.",
                )
            _closest_mistake(
                z,
                (X - mu) / safe,
                f"{name} of {what}",
                [
                    (
                        (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0),
                        "Use the mean and standard deviation of the *training* set for both: "
                        "the test set must be scaled exactly like the data the model saw.",
                    ),
                    (
                        (X - mu) / np.where(sd1 > 0, sd1, 1.0),
                        "Use the population standard deviation (np.std's default, ddof=0), "
                        "as Standardizer and scikit-learn do.",
                    ),
                    (
                        (X - mu) / np.where(sd > 0, sd**2, 1.0),
                        "Divide by the standard deviation, not the variance.",
                    ),
                    (
                        X / safe,
                        "Subtract the mean first, then divide by the standard deviation.",
                    ),
                    (
                        (X - mu),
                        "Also divide by the standard deviation, so each feature has spread 1.",
                    ),
                ],
                "z = (x - mean) / std, per column (axis 0), with the training set's mean and std.",
            )


_PR_CASES = [
    (np.array([1, 0, 1, 1, 0, 0, 1, 0]), np.array([1, 1, 0, 1, 0, 0, 1, 1])),
    (np.array([0, 0, 0, 0, 1, 1]), np.array([0, 1, 0, 0, 1, 0])),
    (np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0]), np.array([1, 1, 1, 1, 1, 1, 1, 0, 0, 0])),
]


@exercise("ch04.precision_recall", success="Precision and recall are right.")
def _(precision_recall):
    for y, p in _PR_CASES:
        what = f"precision_recall({y.tolist()}, {p.tolist()})"
        got = _pair_or_triple(precision_recall(y.copy(), p.copy()), ("precision", "recall"), what)
        tp = np.sum((p == 1) & (y == 1))
        fp = np.sum((p == 1) & (y == 0))
        fn = np.sum((p == 0) & (y == 1))
        tn = np.sum((p == 0) & (y == 0))
        prec, rec = tp / (tp + fp), tp / (tp + fn)
        _closest_mistake(
            got,
            (prec, rec),
            what,
            [
                (
                    (rec, prec),
                    "You swapped them: precision divides by all *predicted* positives "
                    "(TP + FP), recall by all *actual* positives (TP + FN).",
                ),
                (
                    (tn / (tn + fn), tn / (tn + fp)),
                    "Those are the scores of class 0; the positive class is 1.",
                ),
                (
                    (np.mean(y == p), np.mean(y == p)),
                    "That is the accuracy. Precision = TP / (TP + FP), recall = TP / (TP + FN).",
                ),
            ],
            "precision = TP / (TP + FP) (how many alarms were right), recall = TP / (TP + FN) "
            "(how many positives were found).",
        )


def _penalty_cases():
    rng = np.random.default_rng(407)
    return [(rng.normal(size=(3, 2)), 0.1), (rng.normal(size=(4,)), 0.5), (np.zeros((2, 2)), 1.0)]


@exercise("ch04.l2_penalty", success="Value and gradient of the L2 penalty are right.")
def _(l2_penalty):
    for W, lam in _penalty_cases():
        what = f"l2_penalty(W {W.shape}, lam={lam})"
        value, grad = _pair_or_triple(l2_penalty(W.copy(), lam), ("value", "grad"), what)
        _closest_mistake(
            value,
            0.5 * lam * np.sum(W**2),
            f"the value of {what}",
            [
                (lam * np.sum(W**2), "Keep the factor 1/2: penalty = lam / 2 * sum(W ** 2)."),
                (0.5 * lam * np.sum(np.abs(W)), "Square the weights (that is L2); |W| is L1."),
                (0.5 * lam * np.sqrt(np.sum(W**2)), "No square root: sum the squares."),
            ],
            "penalty = lam / 2 * sum(W ** 2), summed over every weight.",
        )
        _closest_mistake(
            grad,
            lam * W,
            f"the gradient of {what}",
            [
                (2 * lam * W, "The 1/2 cancels the 2 from the square: the gradient is lam * W."),
                (lam * np.sign(W), "That is the L1 gradient; for L2 it is lam * W."),
                (np.full(W.shape, lam * np.sum(W)), "One entry per weight: lam * W."),
            ],
            "Differentiate lam / 2 * w ** 2 for each weight.",
        )


_CURVES = [
    # validation losses, patience
    ([1.0, 0.8, 0.7, 0.72, 0.69, 0.75, 0.8, 0.9, 1.0], 2),
    ([0.9, 0.6, 0.5, 0.5, 0.55, 0.6, 0.7], 3),
    ([2.0, 1.5, 1.2, 1.1, 1.0], 2),
    ([0.5, 0.6, 0.4, 0.45, 0.47, 0.3, 0.31, 0.32, 0.33], 2),
]


def _early_stop_reference(losses, patience, strict=True, by_argmin=False):
    if by_argmin:
        best = int(np.argmin(losses)) + 1
        return best, len(losses)
    best_value, best, waited = np.inf, 0, 0
    for epoch, value in enumerate(losses, start=1):
        if value < best_value or (not strict and value <= best_value):
            best_value, best, waited = value, epoch, 0
        else:
            waited += 1
            if waited >= patience:
                return best, epoch
    return best, len(losses)


@exercise("ch04.early_stopping", success="Best and stopping epochs right, as fit(patience=...).")
def _(early_stopping):
    for losses, patience in _CURVES:
        what = f"early_stopping({losses}, patience={patience})"
        got = _pair_or_triple(
            early_stopping(list(losses), patience), ("best_epoch", "stop_epoch"), what
        )
        best, stop = _early_stop_reference(losses, patience)
        _closest_mistake(
            got,
            (best, stop),
            what,
            [
                (
                    (best - 1, stop - 1),
                    "Count epochs from 1 (the first validation loss is epoch 1).",
                ),
                (
                    (best - 1, stop),
                    "Count epochs from 1: the best epoch of [0.9, 0.5] is 2.",
                ),
                (
                    _early_stop_reference(losses, patience, by_argmin=True),
                    "Stop as soon as patience runs out: training does not see the later "
                    "epochs, so the best epoch is the best one *before* stopping.",
                ),
                (
                    (best, stop - 1),
                    "Training stops in the epoch where the count of epochs without "
                    "improvement reaches patience.",
                ),
                (
                    (best, stop + 1),
                    "Training stops in the epoch where the count of epochs without "
                    "improvement reaches patience, not one later.",
                ),
                (
                    _early_stop_reference(losses, patience, strict=False),
                    "Only a strictly lower loss counts as an improvement (a tie does not).",
                ),
            ],
            "Keep the lowest loss so far and a counter of epochs without a new lowest; stop "
            "when the counter reaches patience.",
        )


# --- Reference solutions (shown, collapsed, under each exercise in the notebooks) -----------


@solution("ch04.mse")
def mse(pred, target):
    return np.mean((pred - target) ** 2)


@solution("ch04.mse_grad")
def mse_grad(pred, target):
    return 2 * (pred - target) / pred.size


@solution("ch04.bce")
def bce(p, y):
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


@solution("ch04.gd_step")
def gd_step(w, grad, lr):
    return w - lr * grad


@solution("ch04.lr_limit")
def lr_limit(c):
    return 2.0 / c


@solution("ch04.grad_neuron")
def grad_neuron(x, w, b):
    d = 1 - np.tanh(w * x + b) ** 2  # tanh'(z) at z = w x + b
    return x * d, d


@solution("ch04.mul_backward")
def mul_backward(a, b, grad_out):
    return b * grad_out, a * grad_out


@solution("ch04.dense_backward")
def dense_backward(x, W, grad_out):
    dW = x.T @ grad_out  # BP4
    db = grad_out.sum(axis=0)  # BP3
    dx = grad_out @ W.T  # passed down to the layer below
    return dW, db, dx


@solution("ch04.hidden_delta")
def hidden_delta(delta_next, W_next, z):
    return (delta_next @ W_next.T) * (z > 0)


@solution("ch04.momentum_step")
def momentum_step(w, v, g, lr, mu):
    v_new = mu * v + g
    return w - lr * v_new, v_new


@solution("ch04.adam_step")
def adam_step(w, m, v, g, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@solution("ch04.standardize")
def standardize(X_train, X_test):
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return (X_train - mean) / std, (X_test - mean) / std


@solution("ch04.precision_recall")
def precision_recall(y_true, y_pred):
    tp = np.sum((y_pred == 1) & (y_true == 1))
    fp = np.sum((y_pred == 1) & (y_true == 0))
    fn = np.sum((y_pred == 0) & (y_true == 1))
    return tp / (tp + fp), tp / (tp + fn)


@solution("ch04.l2_penalty")
def l2_penalty(W, lam):
    return 0.5 * lam * np.sum(W**2), lam * W


@solution("ch04.early_stopping")
def early_stopping(val_losses, patience):
    best_loss, best_epoch, waited = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best_loss:
            best_loss, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited >= patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses)


@solution("ch04.backward")
def backward(root, inputs):
    # 1. Topological order, with an explicit stack: every input before the nodes made from it.
    order, visited, stack = [], set(), [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)  # all its inputs are already in `order`
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))  # come back to it after its inputs
            for inp, _ in inputs.get(node, []):
                stack.append((inp, False))
    # 2. The chain rule, from the root back to the leaves.
    grad = {node: 0.0 for node in order}
    grad[root] = 1.0
    for node in reversed(order):
        for inp, local in inputs.get(node, []):
            grad[inp] += local * grad[node]
    return grad


@solution("ch04.rmsprop_step")
def rmsprop_step(w, s, g, lr, alpha=0.99, eps=1e-8):
    s = alpha * s + (1 - alpha) * g**2  # a moving average of the squared gradient
    return w - lr * g / (np.sqrt(s) + eps), s  # no bias correction, as in torch.optim
