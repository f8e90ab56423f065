"""A scalar automatic-differentiation engine: every number remembers how it was made.

A :class:`Value` wraps one float. Arithmetic on Values builds a *computational graph*: each
result records its inputs and the local derivative of the operation with respect to each
input. ``out.backward()`` then walks the graph from ``out`` back to the leaves in reverse
topological order and applies the chain rule, so that afterwards every node's ``.grad`` holds
:math:`\\partial\\,\\text{out} / \\partial\\,\\text{node}`.

The surface is the one popularised by micrograd; the semantics are PyTorch's:

- **Leaves accumulate.** A leaf (a Value built by you, not by an operation) adds the new
  gradient to its ``.grad`` on every ``backward()``, until you zero it (:meth:`Value.zero_grad`,
  or ``zero_grad()`` of a :class:`Neuron`, :class:`Layer` or :class:`MLP`; the optimizers of
  :mod:`nnlib.optim` work on the numpy layers' Parameters, not on Values, so a Value-based
  model is updated by hand: ``p.data -= lr * p.grad``). That is how gradients of several
  losses add up.
- **No silent loss of the gradient.** ``float(v)``, and so ``math.exp(v)`` or
  ``numpy.float64(v)``, raise ``TypeError``: a plain float has no history, so a loss computed
  from it could not be back-propagated. Use ``v.data`` for the number and ``v.exp()``,
  ``v.tanh()``, ... for the functions.
- **Inner nodes are recomputed.** ``backward()`` first resets the gradient of every inner
  node of the graph to 0, so their ``.grad`` is the gradient of *this* backward pass.
  (PyTorch keeps no gradient on inner tensors unless asked with ``retain_grad()``.)
- **Deep graphs work.** The topological sort is iterative, so a chain of 100,000 nodes (or
  more) back-propagates without ``RecursionError``.

Local derivatives are computed during the forward pass and stored on the node (a tuple of
floats, no closure per node), so the backward pass is one tight loop of multiply-adds.

Also here: :func:`draw_graph` (draws a small graph with matplotlib) and a tiny multi-layer
perceptron built from Values (:class:`Neuron`, :class:`Layer`, :class:`MLP`).

Examples
--------
>>> a, b = Value(2.0), Value(-3.0)
>>> c = a * b + a ** 2
>>> c.backward()
>>> a.grad, b.grad   # dc/da = b + 2a, dc/db = a
(1.0, 2.0)

Taught in: Chapter 4, Learning.
"""

from __future__ import annotations

import math
import numbers

from nnlib._validate import as_rng, describe

__all__ = ["MLP", "Layer", "Neuron", "Value", "draw_graph", "topological_order"]


def _is_number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _const(x):
    """``float(x)`` for a real-number operand, ``None`` for anything else (bool included)."""
    t = type(x)
    if t is float:
        return x
    if t is int:
        return float(x)
    return float(x) if _is_number(x) else None


def _pow_or_inf(x: float, n: float) -> float:
    """``x ** n`` for the derivative of a power, infinite where it blows up (0 ** -0.5)."""
    try:
        return math.pow(x, n)
    except (ValueError, ZeroDivisionError, OverflowError):  # 0 to a negative power
        return math.inf


def _fmt(c: float) -> str:
    """A constant as it appears in an op name: ``2``, ``0.5``, ``-1.5``."""
    return f"{c:g}"


class Value:
    """A scalar that records the operations that produced it, for backpropagation.

    Parameters
    ----------
    data : int or float
        The number (a Python or numpy real number; ``bool`` is rejected).
    label : str, optional
        A name shown by :func:`draw_graph` (``"w1"``, ``"loss"``).

    Attributes
    ----------
    data : float
        The value.
    grad : float
        The derivative of the last ``backward()`` root with respect to this value (summed
        over calls for leaves); 0 until ``backward()`` runs.
    label : str
        Name for drawing.

    Notes
    -----
    Supported: ``+ - * /`` with Values or numbers on either side, ``**`` with a number
    exponent, unary ``-``, in-place forms (``a += b`` rebinds ``a`` to a *new* node, as in
    micrograd; the old node is untouched), and the methods :meth:`relu`, :meth:`tanh`,
    :meth:`sigmoid`, :meth:`exp`, :meth:`log`. A number combined with a Value becomes part
    of the operation (``a * 2`` is one node with op ``"*2"``), not a node of its own.

    NaN and infinity are allowed and propagate as in float arithmetic. Division by zero
    raises ``ZeroDivisionError``; ``log`` of a non-positive number and a power that would be
    complex or infinite raise ``ValueError``.

    Taught in: Chapter 4, Learning.
    """

    # Slots: no per-node __dict__, so a node is small and attribute access is fast.
    # _prev: the inputs; _local: d(this)/d(input) for each input, computed in the forward
    # pass; _code: the operation's name, or (symbol, constant, constant_on_the_left),
    # formatted only when asked for (by .op / ._op), since most names are never read.
    __slots__ = ("data", "grad", "_prev", "_local", "_code", "label", "__weakref__")

    def __init__(self, data, label: str = ""):
        if not _is_number(data):
            hint = ""
            if isinstance(data, bool):
                hint = " (use a float, e.g. Value(1.0) for True)"
            elif isinstance(data, Value):
                hint = (
                    " (it is a Value already: use it as it is, or Value(v.data) for a new "
                    "leaf without its history)"
                )
            raise TypeError(
                f"Value holds one real number (an int or a float); got {describe(data)}{hint}"
            )
        if not isinstance(label, str):
            raise TypeError(f"label must be a str; got {describe(label)}")
        self.data = float(data)
        self.grad = 0.0
        self._prev = ()
        self._local = ()
        self._code = ""
        self.label = label

    # -- representation ------------------------------------------------------------------

    def __repr__(self) -> str:
        name = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{name})"

    def __format__(self, spec: str) -> str:
        """``f"{v:.3f}"`` formats ``v.data`` (a plain ``f"{v}"`` gives the repr)."""
        return format(self.data, spec) if spec else repr(self)

    def __float__(self):
        raise TypeError(
            "float(Value) would drop the gradient (math.exp(v), math.tanh(v), "
            "numpy.float64(v) convert this way): use v.data for the plain number, or the "
            "Value's own methods (v.exp(), v.tanh(), v.log(), v.relu(), v.sigmoid()) to stay "
            "in the graph"
        )

    @property
    def is_leaf(self) -> bool:
        """True for a Value made by the user rather than by an operation."""
        return not self._prev

    @property
    def op(self) -> str:
        """The operation that made this node (``"+"``, ``"*2"``, ``"2-"``, ``"**-1.5"``,
        ``"tanh"``); ``""`` for a leaf."""
        code = self._code
        if type(code) is tuple:
            symbol, c, left = code
            return f"{_fmt(c)}{symbol}" if left else f"{symbol}{_fmt(c)}"
        return code

    _op = op  # micrograd's name for it

    @property
    def children(self) -> tuple:
        """The inputs of the operation that made this node (a node used twice appears
        twice, as in ``a * a``)."""
        return self._prev

    # -- arithmetic --------------------------------------------------------------------------
    # Each operation computes its result and its local derivatives right away and stores
    # them on the new node; backward() then only multiplies and adds.

    def __add__(self, other):
        if isinstance(other, Value):
            return _node(self.data + other.data, (self, other), (1.0, 1.0), "+")
        c = _const(other)
        if c is None:
            return NotImplemented
        return _node(self.data + c, (self,), (1.0,), ("+", c, False))

    def __radd__(self, other):  # other + self, other a number
        c = _const(other)
        if c is None:
            return NotImplemented
        return _node(c + self.data, (self,), (1.0,), ("+", c, True))

    def __sub__(self, other):
        if isinstance(other, Value):
            return _node(self.data - other.data, (self, other), (1.0, -1.0), "-")
        c = _const(other)
        if c is None:
            return NotImplemented
        return _node(self.data - c, (self,), (1.0,), ("-", c, False))

    def __rsub__(self, other):  # other - self
        c = _const(other)
        if c is None:
            return NotImplemented
        return _node(c - self.data, (self,), (-1.0,), ("-", c, True))

    def __mul__(self, other):
        if isinstance(other, Value):
            return _node(self.data * other.data, (self, other), (other.data, self.data), "*")
        c = _const(other)
        if c is None:
            return NotImplemented
        return _node(self.data * c, (self,), (c,), ("*", c, False))

    def __rmul__(self, other):  # other * self
        c = _const(other)
        if c is None:
            return NotImplemented
        return _node(c * self.data, (self,), (c,), ("*", c, True))

    def __truediv__(self, other):
        if isinstance(other, Value):
            b = other.data
            if b == 0.0:
                raise ZeroDivisionError(f"division by a Value whose data is 0 ({self!r} / 0)")
            q = self.data / b
            return _node(q, (self, other), (1.0 / b, -q / b), "/")
        c = _const(other)
        if c is None:
            return NotImplemented
        if c == 0.0:
            raise ZeroDivisionError("division of a Value by the number 0")
        return _node(self.data / c, (self,), (1.0 / c,), ("/", c, False))

    def __rtruediv__(self, other):  # other / self
        c = _const(other)
        if c is None:
            return NotImplemented
        b = self.data
        if b == 0.0:
            raise ZeroDivisionError(f"division of {_fmt(c)} by a Value whose data is 0")
        q = c / b
        return _node(q, (self,), (-q / b,), ("/", c, True))

    def __neg__(self):
        return _node(-self.data, (self,), (-1.0,), "neg")

    def __pos__(self):
        return self

    def __pow__(self, exponent):
        if isinstance(exponent, Value):
            raise TypeError(
                "Value ** Value is not supported: the exponent must be a plain number "
                "(int or float), e.g. x ** 2 or x ** -0.5; for a learnable exponent write "
                "(b * a.log()).exp()"
            )
        n = _const(exponent)
        if n is None:
            return NotImplemented
        x = self.data
        try:
            y = math.pow(x, n)
        except (ValueError, ZeroDivisionError):
            what = "a complex number" if x < 0 else "infinite"
            raise ValueError(
                f"{_fmt(x)} ** {_fmt(n)} is {what}: a negative base needs an integer "
                "exponent, and 0 needs a positive exponent"
            ) from None
        except OverflowError:
            y = math.copysign(math.inf, x) if n.is_integer() and n % 2 else math.inf
        d = 0.0 if n == 0.0 else n * _pow_or_inf(x, n - 1.0)  # x ** 0 is 1: d = 0 as in torch
        return _node(y, (self,), (d,), ("**", n, False))

    def __rpow__(self, base):
        raise TypeError(
            f"{describe(base)[2:]} ** Value is not supported: the exponent must be a plain "
            "number; for c ** x write (x * math.log(c)).exp()"
        )

    # -- functions ---------------------------------------------------------------------------

    def relu(self) -> Value:
        """:math:`\\max(0, x)`; the derivative at 0 is 0, as in PyTorch."""
        x = self.data
        return _node(x if x > 0 else 0.0, (self,), (1.0 if x > 0 else 0.0,), "relu")

    def tanh(self) -> Value:
        """:math:`\\tanh x`, with derivative :math:`1 - \\tanh^2 x`."""
        t = math.tanh(self.data)
        return _node(t, (self,), (1.0 - t * t,), "tanh")

    def sigmoid(self) -> Value:
        """:math:`\\sigma(x) = 1/(1+e^{-x})`, computed without overflow; derivative
        :math:`\\sigma(x)\\,\\sigma(-x)`."""
        x = self.data
        e = math.exp(-abs(x))
        big, small = 1.0 / (1.0 + e), e / (1.0 + e)
        s = big if x >= 0 else small
        return _node(s, (self,), (big * small,), "sigmoid")

    def exp(self) -> Value:
        """:math:`e^x`, with derivative :math:`e^x`; ``inf`` beyond ``x = 709.78``."""
        try:
            y = math.exp(self.data)
        except OverflowError:
            y = math.inf
        return _node(y, (self,), (y,), "exp")

    def log(self) -> Value:
        """The natural logarithm, with derivative :math:`1/x`.

        Raises
        ------
        ValueError
            If ``data <= 0``.
        """
        x = self.data
        if not x > 0:
            raise ValueError(f"log needs a positive number; got {_fmt(x)}")
        return _node(math.log(x), (self,), (1.0 / x,), "log")

    # -- backpropagation ---------------------------------------------------------------------

    def backward(self, gradient: float = 1.0) -> None:
        """Backpropagate from this node: fill ``.grad`` of every node of its graph.

        Parameters
        ----------
        gradient : float, default 1.0
            The gradient of the final objective with respect to this node (1 when this
            node *is* the objective).

        Notes
        -----
        Inner nodes (this one included) are first reset to 0, so afterwards they hold
        the gradient of this call; leaves accumulate across calls until zeroed. This is
        PyTorch's rule for leaves. PyTorch keeps no gradient on inner tensors by default
        (and adds up calls on those marked with ``retain_grad()``); here every inner node
        shows the gradient of the latest ``backward()``, which is what a drawing of the
        graph should show.

        Taught in: Chapter 4, Learning.
        """
        if not _is_number(gradient):
            raise TypeError(f"gradient must be a real number; got {describe(gradient)}")
        order = topological_order(self)
        for node in order:
            if node._prev:
                node.grad = 0.0
        self.grad += float(gradient)
        for node in reversed(order):
            g = node.grad
            for child, d in zip(node._prev, node._local, strict=True):
                child.grad += d * g

    def zero_grad(self) -> None:
        """Set ``.grad`` to 0 on this node and on every node it depends on (leaves
        included).

        Taught in: Chapter 4, Learning.
        """
        for node in topological_order(self):
            node.grad = 0.0


_new = object.__new__


def _node(data: float, prev: tuple, local: tuple, op) -> Value:
    """Make an inner node without validation: the fast path of every operation."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out._prev = prev
    out._local = local
    out._code = op
    out.label = ""
    return out


def topological_order(root: Value) -> list[Value]:
    """Every node that ``root`` depends on, each once, inputs before the nodes made from
    them (``root`` last).

    An iterative depth-first search (an explicit stack, no recursion), so the depth of the
    graph is limited only by memory.

    Parameters
    ----------
    root : Value

    Returns
    -------
    list of Value

    Taught in: Chapter 4, Learning.
    """
    if not isinstance(root, Value):
        raise TypeError(f"expected a Value; got {describe(root)}")
    # Depth-first, with an explicit stack. A node is looked at twice: the first time it is
    # "opened" and its unopened inputs are pushed above it; the second time (when all of
    # them have been finished) it is finished, i.e. appended to the order. So every node
    # comes after all of its inputs. Values hash by identity, so sets of them are cheap.
    order: list[Value] = []
    opened: set[Value] = set()
    finished: set[Value] = set()
    stack = [root]
    while stack:
        node = stack[-1]
        if node in opened:
            stack.pop()
            if node not in finished:  # it may have been pushed by several consumers
                finished.add(node)
                order.append(node)
            continue
        opened.add(node)
        for child in node._prev:
            if child not in opened:
                stack.append(child)
    return order


# ----------------------------------------------------------------------------------------
# Drawing the graph
# ----------------------------------------------------------------------------------------


def draw_graph(root: Value, ax=None, max_nodes: int = 60):
    """Draw the computational graph of ``root`` with matplotlib, inputs on the left.

    Each node is a box with its label (or its operation), ``data`` and ``grad``; arrows go
    from the inputs of an operation to its result. Columns are depths: leaves at 0, and
    every node one column right of its deepest input. Readable up to about 30 nodes.
    Graphviz is not needed.

    Parameters
    ----------
    root : Value
        The output node (for example the loss).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure sized to the graph by default.
    max_nodes : int, default 60
        Refuse larger graphs (they are unreadable as a drawing).

    Returns
    -------
    matplotlib.axes.Axes

    Taught in: Chapter 4, Learning.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    order = topological_order(root)
    if len(order) > max_nodes:
        raise ValueError(
            f"draw_graph draws graphs of up to max_nodes={max_nodes} nodes; this one has "
            f"{len(order)} (pass a larger max_nodes, or draw a smaller expression)"
        )
    depth, columns = _layout_columns(order)
    n_cols = len(columns)
    row = _layout_rows(order, columns)
    n_rows = max(len(c) for c in columns)

    if ax is None:
        width = min(2.6 * n_cols + 0.6, 18.0)
        height = min(1.1 * n_rows + 0.8, 12.0)
        _, ax = plt.subplots(figsize=(width, height))
    box_w, box_h, dx, dy = 1.7, 0.78, 2.6, 1.1
    pos = {id(n): (depth[id(n)] * dx, -row[id(n)] * dy) for n in order}
    for node in order:
        x, y = pos[id(node)]
        title = node.label or node.op or "leaf"
        if node.label and node.op:
            title = f"{node.label} = {node.op}"
        text = f"{title}\ndata {node.data:.4g}\ngrad {node.grad:.4g}"
        color = "#dbe9f6" if not node._prev else "#fdf0d5"
        if node is root:
            color = "#d9f0d3"
        ax.add_patch(
            FancyBboxPatch(
                (x - box_w / 2, y - box_h / 2),
                box_w,
                box_h,
                boxstyle="round,pad=0.02,rounding_size=0.08",
                facecolor=color,
                edgecolor="#555555",
                linewidth=1.0,
                zorder=2,  # above the arrows, which pass behind the boxes
            )
        )
        ax.text(x, y, text, ha="center", va="center", fontsize=8, family="monospace", zorder=3)
        for child in set(node._prev):
            cx, cy = pos[id(child)]
            ax.annotate(
                "",
                xy=(x - box_w / 2, y),
                xytext=(cx + box_w / 2, cy),
                arrowprops={"arrowstyle": "->", "color": "#555555", "lw": 0.9},
                zorder=1,
            )
    ax.set_xlim(-box_w / 2 - 0.2, (n_cols - 1) * dx + box_w / 2 + 0.2)
    ys = [p[1] for p in pos.values()]
    ax.set_ylim(min(ys) - box_h / 2 - 0.2, max(ys) + box_h / 2 + 0.2)
    ax.set_aspect("equal")
    ax.axis("off")
    if not ax.get_title():
        ax.set_title(f"Computational graph ({len(order)} nodes)")
    return ax


def _layout_columns(order: list[Value]) -> tuple[dict[int, int], list[list[Value]]]:
    """Columns for :func:`draw_graph`: an inner node sits one column right of its deepest
    input; a leaf sits just left of its first consumer (so weights appear where used)."""
    depth: dict[int, int] = {}
    users: dict[int, list[Value]] = {id(n): [] for n in order}
    for node in order:  # inputs come first, so their depth is known
        depth[id(node)] = 1 + max((depth[id(c)] for c in node._prev), default=-1)
        for c in node._prev:
            users[id(c)].append(node)
    for node in order:
        if not node._prev and users[id(node)]:
            depth[id(node)] = min(depth[id(u)] for u in users[id(node)]) - 1
    columns: list[list[Value]] = [[] for _ in range(max(depth.values()) + 1)]
    for node in order:
        columns[depth[id(node)]].append(node)
    return depth, columns


def _layout_rows(order: list[Value], columns: list[list[Value]]) -> dict[int, float]:
    """Rows for :func:`draw_graph`: a few sweeps of the barycentre heuristic (each node moves
    towards the mean row of the nodes it is connected to), which untangles most arrows."""
    neighbours: dict[int, list[Value]] = {id(n): [] for n in order}
    for node in order:
        for c in set(node._prev):
            neighbours[id(node)].append(c)
            neighbours[id(c)].append(node)
    row: dict[int, float] = {}
    for col in columns:
        for r, node in enumerate(col):
            row[id(node)] = r - (len(col) - 1) / 2
    for sweep in range(6):
        cols = columns if sweep % 2 == 0 else columns[::-1]
        for col in cols:
            keyed = []
            for k, node in enumerate(col):
                near = [row[id(m)] for m in neighbours[id(node)]]
                keyed.append((sum(near) / len(near) if near else row[id(node)], k, node))
            keyed.sort(key=lambda t: (t[0], t[1]))
            col[:] = [t[2] for t in keyed]
            for r, node in enumerate(col):
                row[id(node)] = r - (len(col) - 1) / 2
    return row


# ----------------------------------------------------------------------------------------
# A tiny neural network made of Values
# ----------------------------------------------------------------------------------------

_NONLINEARITIES = ("tanh", "relu", "sigmoid", "linear")


def _check_activation(activation: str) -> str:
    if activation not in _NONLINEARITIES:
        raise ValueError(
            f"activation must be one of {', '.join(map(repr, _NONLINEARITIES))}; got {activation!r}"
        )
    return activation


def _check_size(n, name: str) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"{name} must be a positive int; got {n!r}")
    return int(n)


class _Module:
    """What Neuron, Layer and MLP share: ``parameters()`` and ``zero_grad()``."""

    def parameters(self) -> list[Value]:
        raise NotImplementedError

    def zero_grad(self) -> None:
        """Set the gradient of every parameter to 0 (do it before each ``backward()``)."""
        for p in self.parameters():
            p.grad = 0.0


class Neuron(_Module):
    """One unit: :math:`f(\\sum_i w_i x_i + b)`, its weights and bias being Values.

    Parameters
    ----------
    n_in : int
        Number of inputs.
    activation : {"tanh", "relu", "sigmoid", "linear"}, default "tanh"
    rng : None, int or numpy.random.Generator
        Seed for the initial weights, drawn uniformly from
        :math:`[-1/\\sqrt{n_{in}}, 1/\\sqrt{n_{in}}]` (as ``torch.nn.Linear`` does); the
        bias likewise.

    Taught in: Chapter 4, Learning.
    """

    def __init__(self, n_in: int, activation: str = "tanh", rng=None):
        n_in = _check_size(n_in, "n_in")
        self.activation = _check_activation(activation)
        gen = as_rng(rng)
        bound = 1.0 / math.sqrt(n_in)
        self.w = [
            Value(float(v), label=f"w{i}") for i, v in enumerate(gen.uniform(-bound, bound, n_in))
        ]
        self.b = Value(float(gen.uniform(-bound, bound)), label="b")

    def __call__(self, x) -> Value:
        """Apply the neuron to ``x``, a sequence of ``n_in`` numbers or Values."""
        if len(x) != len(self.w):
            raise ValueError(f"this neuron expects {len(self.w)} inputs; got {len(x)}")
        act = self.b
        for wi, xi in zip(self.w, x, strict=True):
            act = act + wi * xi
        if self.activation == "linear":
            return act
        return getattr(act, self.activation)()

    def parameters(self) -> list[Value]:
        """The weights, then the bias."""
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, activation={self.activation!r})"


class Layer(_Module):
    """A fully connected layer of :class:`Neuron` objects sharing the same inputs.

    Parameters
    ----------
    n_in, n_out : int
        Inputs per neuron and number of neurons.
    activation : {"tanh", "relu", "sigmoid", "linear"}, default "tanh"
    rng : None, int or numpy.random.Generator

    Calling it on ``n_in`` inputs returns a list of ``n_out`` Values (a single Value when
    ``n_out == 1``).

    Taught in: Chapter 4, Learning.
    """

    def __init__(self, n_in: int, n_out: int, activation: str = "tanh", rng=None):
        n_out = _check_size(n_out, "n_out")
        gen = as_rng(rng)
        self.neurons = [Neuron(n_in, activation, rng=gen) for _ in range(n_out)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        """Every neuron's weights and bias, neuron by neuron."""
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        n = self.neurons[0]
        return f"Layer({len(n.w)}, {len(self.neurons)}, activation={n.activation!r})"


class MLP(_Module):
    """A multi-layer perceptron of :class:`Layer` objects; the last layer is linear.

    Parameters
    ----------
    n_in : int
        Number of inputs.
    sizes : sequence of int
        The width of each layer, the last one being the number of outputs
        (``MLP(2, [8, 8, 1])``: two hidden layers of 8 units and one output).
    activation : {"tanh", "relu", "sigmoid"}, default "tanh"
        The non-linearity of the hidden layers.
    rng : None, int or numpy.random.Generator
        Seed for the initial weights.

    Examples
    --------
    >>> net = MLP(2, [4, 1], rng=0)
    >>> out = net([1.0, -2.0])
    >>> len(net.parameters())
    17

    Taught in: Chapter 4, Learning.
    """

    def __init__(self, n_in: int, sizes, activation: str = "tanh", rng=None):
        n_in = _check_size(n_in, "n_in")
        if isinstance(sizes, numbers.Integral):
            sizes = [sizes]
        sizes = [_check_size(s, "each layer size") for s in sizes]
        if not sizes:
            raise ValueError("sizes must list at least one layer width")
        _check_activation(activation)
        gen = as_rng(rng)
        dims = [n_in, *sizes]
        self.layers = [
            Layer(dims[i], dims[i + 1], activation if i < len(sizes) - 1 else "linear", gen)
            for i in range(len(sizes))
        ]

    def __call__(self, x):
        """Forward ``x`` (a sequence of ``n_in`` numbers or Values) through every layer."""
        for layer in self.layers:
            x = layer(x)
            if isinstance(x, Value):
                x = [x]
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Value]:
        """Every layer's parameters, from the input layer to the output layer."""
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        sizes = [len(self.layers[0].neurons[0].w)] + [len(lay.neurons) for lay in self.layers]
        return f"MLP({' -> '.join(map(str, sizes))})"
