"""Autoencoders: a plain one, a denoising one and a variational one (VAE) with its ELBO loss.

Taught in: Chapter 5, Architectures (autoencoders).

An autoencoder is two networks in a row: an *encoder* that squeezes an input
:math:`x` into a short *code* :math:`z`, and a *decoder* that rebuilds :math:`\\hat x` from
the code. Trained to make :math:`\\hat x` equal to :math:`x`, it must keep in the code what
matters most about the data. Every model here trains with the course loop
:func:`nnlib.torch.train.fit`, with the input as its own target::

    fit(model, loss_fn, optimizer, X, X, epochs=..., batch_size=...)

- :class:`Autoencoder`: encoder and decoder MLPs; ``forward`` returns the reconstruction.
- :class:`Corrupt`: the noise of a *denoising* autoencoder, a layer that adds Gaussian
  noise or blanks pixels in training mode only (like dropout); put it in front of an
  autoencoder with ``nn.Sequential(Corrupt(...), autoencoder)``.
- :class:`VAE`: the encoder gives a mean and a log-variance per code unit, the code is
  sampled with the reparameterisation trick (:func:`reparameterize`), and ``forward``
  returns one tensor that packs the decoder's output, the mean and the log-variance
  (:meth:`VAE.split` unpacks it), so that :class:`ELBOLoss` can read all three from the
  output that ``fit`` hands it.
- :func:`kl_to_standard_normal`: the KL term of the ELBO, in closed form.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = [
    "VAE",
    "Autoencoder",
    "Corrupt",
    "ELBOLoss",
    "kl_to_standard_normal",
    "mlp",
    "reparameterize",
]


def _check_sizes(**sizes) -> None:
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}")


def mlp(sizes, activation=nn.ReLU) -> nn.Sequential:
    """A multilayer perceptron: ``Linear`` layers of the given widths, ``activation`` between.

    Taught in: Chapter 5, Architectures (autoencoders, GANs).

    Parameters
    ----------
    sizes : sequence of int
        The widths from input to output, such as ``[64, 32, 2]`` (two ``Linear`` layers).
    activation : callable returning an nn.Module, default nn.ReLU
        Built anew between consecutive ``Linear`` layers (none after the last).

    Returns
    -------
    torch.nn.Sequential
    """
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"mlp needs at least an input and an output width; got {sizes}")
    for i, s in enumerate(sizes):
        _check_sizes(**{f"sizes[{i}]": s})
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        if i > 0:
            layers.append(activation())
        layers.append(nn.Linear(n_in, n_out))
    return nn.Sequential(*layers)


def _check_batch(x: torch.Tensor, n_features: int, where: str) -> None:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{where}: expected a tensor; got {type(x).__name__}")
    if x.ndim != 2 or x.shape[1] != n_features:
        raise ValueError(
            f"{where}: expected a batch of shape (n, {n_features}); got {tuple(x.shape)} "
            "(flatten images to rows, and keep the batch axis for a single sample)"
        )


class Autoencoder(nn.Module):
    """An undercomplete autoencoder: an MLP encoder to a short code, an MLP decoder back.

    Taught in: Chapter 5, Architectures (autoencoders).

    Parameters
    ----------
    n_inputs : int
        Features per sample (64 for the 8x8 digits).
    code_size : int
        Units in the code (the bottleneck); smaller than ``n_inputs``.
    hidden : sequence of int, default (64,)
        Hidden widths of the encoder; the decoder mirrors them.
    activation : callable returning an nn.Module, default nn.ReLU
    output : nn.Module, optional
        Applied to the decoder's output, such as ``nn.Sigmoid()`` for pixels in [0, 1];
        none by default.

    Examples
    --------
    >>> ae = Autoencoder(64, 2, hidden=(32,))
    >>> ae(torch.zeros(5, 64)).shape, ae.encode(torch.zeros(5, 64)).shape
    (torch.Size([5, 64]), torch.Size([5, 2]))
    """

    def __init__(self, n_inputs, code_size, hidden=(64,), activation=nn.ReLU, output=None):
        super().__init__()
        _check_sizes(n_inputs=n_inputs, code_size=code_size)
        self.n_inputs, self.code_size = n_inputs, code_size
        widths = [n_inputs, *hidden, code_size]
        self.encoder = mlp(widths, activation)
        self.decoder = mlp(widths[::-1], activation)
        self.output = output if output is not None else nn.Identity()

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """The code of each sample: shape ``(n, code_size)``."""
        _check_batch(x, self.n_inputs, "Autoencoder.encode")
        return self.encoder(x)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """The reconstruction from codes: shape ``(n, n_inputs)``."""
        _check_batch(z, self.code_size, "Autoencoder.decode")
        return self.output(self.decoder(z))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Encode, then decode: the reconstruction of ``x``."""
        return self.decode(self.encode(x))


class Corrupt(nn.Module):
    """Noise for a denoising autoencoder, applied in training mode only.

    Taught in: Chapter 5, Architectures (denoising autoencoders).

    In training mode the layer corrupts its input; in evaluation mode (``model.eval()``,
    as after :func:`~nnlib.torch.train.fit`) it passes the input through unchanged, like
    dropout. ``nn.Sequential(Corrupt("gaussian", 0.3), autoencoder)`` trained with the clean
    input as target learns to remove the noise; each epoch sees fresh noise.

    Parameters
    ----------
    kind : {"gaussian", "mask"}
        ``"gaussian"`` adds noise of standard deviation ``level``; ``"mask"`` sets each
        input to zero with probability ``level`` (the masking noise of Vincent et al., 2008).
    level : float
        The standard deviation (> 0), or the probability in (0, 1).
    """

    def __init__(self, kind: str = "gaussian", level: float = 0.3):
        super().__init__()
        if kind not in ("gaussian", "mask"):
            raise ValueError(f"Corrupt: kind must be 'gaussian' or 'mask'; got {kind!r}")
        level = float(level)
        if not level > 0 or (kind == "mask" and not level < 1):
            rng = "in (0, 1)" if kind == "mask" else "positive"
            raise ValueError(f"Corrupt: level must be {rng} for {kind!r} noise; got {level}")
        self.kind, self.level = kind, level

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return x
        if self.kind == "gaussian":
            return x + self.level * torch.randn_like(x)
        keep = torch.rand_like(x) >= self.level
        return x * keep

    def extra_repr(self) -> str:
        return f"kind={self.kind!r}, level={self.level}"


def reparameterize(
    mean: torch.Tensor, log_var: torch.Tensor, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Sample :math:`z \\sim \\mathcal N(\\mu, \\sigma^2)` so that gradients reach mu and sigma.

    Taught in: Chapter 5, Architectures (variational autoencoders).

    The *reparameterisation trick* (Kingma and Welling, 2014): draw
    :math:`\\varepsilon \\sim \\mathcal N(0, I)`, which depends on no parameter, and return
    :math:`z = \\mu + \\sigma \\odot \\varepsilon` with :math:`\\sigma = e^{\\log\\sigma^2 / 2}`.
    The sample is then a differentiable function of :math:`\\mu` and :math:`\\log\\sigma^2`.

    Parameters
    ----------
    mean, log_var : torch.Tensor of the same shape
        The mean :math:`\\mu` and the log-variance :math:`\\log\\sigma^2` of each coordinate.
    generator : torch.Generator, optional
        The source of :math:`\\varepsilon` (torch's global generator by default).

    Returns
    -------
    torch.Tensor
        One sample per row, the shape of ``mean``.
    """
    if mean.shape != log_var.shape:
        raise ValueError(
            f"reparameterize: mean and log_var must have the same shape; got "
            f"{tuple(mean.shape)} and {tuple(log_var.shape)}"
        )
    eps = torch.randn(mean.shape, generator=generator, dtype=mean.dtype, device=mean.device)
    return mean + torch.exp(0.5 * log_var) * eps


def kl_to_standard_normal(mean: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    """KL divergence from :math:`\\mathcal N(\\mu, \\mathrm{diag}\\,\\sigma^2)` to
    :math:`\\mathcal N(0, I)`, one value per row.

    Taught in: Chapter 5, Architectures (variational autoencoders).

    .. math::

        \\mathrm{KL} = \\tfrac12 \\sum_j \\left(\\mu_j^2 + \\sigma_j^2 - \\log\\sigma_j^2
        - 1\\right)

    Parameters
    ----------
    mean, log_var : torch.Tensor of shape (n, d)

    Returns
    -------
    torch.Tensor of shape (n,)
    """
    if mean.shape != log_var.shape or mean.ndim != 2:
        raise ValueError(
            "kl_to_standard_normal: mean and log_var must both have shape (n, d); got "
            f"{tuple(mean.shape)} and {tuple(log_var.shape)}"
        )
    return 0.5 * (mean**2 + log_var.exp() - log_var - 1).sum(dim=1)


class VAE(nn.Module):
    """A variational autoencoder with a Gaussian code and an MLP encoder and decoder.

    Taught in: Chapter 5, Architectures (variational autoencoders).

    The encoder maps :math:`x` to the mean :math:`\\mu(x)` and log-variance
    :math:`\\log\\sigma^2(x)` of a Gaussian over codes; a code is drawn from it with
    :func:`reparameterize` (in training mode; in evaluation mode the code is the mean, so
    that a trained model reconstructs deterministically); the decoder turns the code into
    the parameters of a distribution over inputs (logits of pixel intensities by default).

    ``forward`` returns **one** tensor of shape ``(n, n_inputs + 2 * latent_size)``: the
    decoder's output, the mean and the log-variance side by side. :class:`ELBOLoss` unpacks
    it with :meth:`split`, so the model trains with the ordinary
    ``fit(vae, ELBOLoss(...), optimizer, X, X)``.

    Parameters
    ----------
    n_inputs : int
        Features per sample.
    latent_size : int
        Dimensions of the code :math:`z`.
    hidden : sequence of int, default (128,)
        Hidden widths of the encoder; the decoder mirrors them.
    activation : callable returning an nn.Module, default nn.ReLU
    """

    def __init__(self, n_inputs, latent_size, hidden=(128,), activation=nn.ReLU):
        super().__init__()
        _check_sizes(n_inputs=n_inputs, latent_size=latent_size)
        self.n_inputs, self.latent_size = n_inputs, latent_size
        widths = [n_inputs, *hidden]
        self.body = nn.Sequential(mlp(widths, activation), activation())
        self.to_mean = nn.Linear(widths[-1], latent_size)
        self.to_log_var = nn.Linear(widths[-1], latent_size)
        self.decoder = mlp([latent_size, *widths[::-1]], activation)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The mean and log-variance of the code of each sample, each ``(n, latent_size)``."""
        _check_batch(x, self.n_inputs, "VAE.encode")
        h = self.body(x)
        return self.to_mean(h), self.to_log_var(h)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """The decoder's output (logits, for pixel intensities) for codes ``z``."""
        _check_batch(z, self.latent_size, "VAE.decode")
        return self.decoder(z)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``cat([decoder output, mean, log_var], dim=1)``; see :meth:`split`."""
        mean, log_var = self.encode(x)
        z = reparameterize(mean, log_var) if self.training else mean
        return torch.cat([self.decode(z), mean, log_var], dim=1)

    def split(self, out: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Unpack ``forward``'s output into ``(decoder output, mean, log_var)``."""
        width = self.n_inputs + 2 * self.latent_size
        if out.ndim != 2 or out.shape[1] != width:
            raise ValueError(
                f"VAE.split: expected the model's output of shape (n, {width}); got "
                f"{tuple(out.shape)}"
            )
        d = self.latent_size
        return out[:, : self.n_inputs], out[:, -2 * d : -d], out[:, -d:]

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """``n`` new inputs: codes from the prior :math:`\\mathcal N(0, I)`, decoded, with
        the sigmoid applied (pixel intensities in [0, 1])."""
        _check_sizes(n=n)
        p = next(self.parameters())
        z = torch.randn(n, self.latent_size, generator=generator, dtype=p.dtype)
        return torch.sigmoid(self.decode(z))


class ELBOLoss(nn.Module):
    """The negative ELBO of a :class:`VAE`, averaged over the batch: the loss to minimise.

    Taught in: Chapter 5, Architectures (variational autoencoders).

    For one sample, with a code :math:`z` drawn by the encoder,

    .. math::

        -\\mathrm{ELBO}(x) = -\\log p(x \\mid z)
        + \\beta\\,\\mathrm{KL}\\big(q(z \\mid x)\\,\\|\\,\\mathcal N(0, I)\\big),

    the reconstruction term plus the KL term (:func:`kl_to_standard_normal`). With
    ``likelihood="bernoulli"`` the decoder's outputs are logits and
    :math:`-\\log p(x\\mid z)` is the binary cross-entropy summed over the features (inputs
    in [0, 1]); with ``"gaussian"`` it is half the summed squared error (unit variance, up
    to a constant). :math:`\\beta = 1` is the ELBO proper.

    Parameters
    ----------
    vae : VAE
        The model whose output this loss reads (for :meth:`VAE.split`).
    likelihood : {"bernoulli", "gaussian"}, default "bernoulli"
    beta : float, default 1.0
        The weight of the KL term.
    """

    def __init__(self, vae: VAE, likelihood: str = "bernoulli", beta: float = 1.0):
        super().__init__()
        if not isinstance(vae, VAE):
            raise TypeError(f"ELBOLoss needs the VAE it trains; got {type(vae).__name__}")
        if likelihood not in ("bernoulli", "gaussian"):
            raise ValueError(
                f"ELBOLoss: likelihood must be 'bernoulli' or 'gaussian'; got {likelihood!r}"
            )
        if not float(beta) >= 0:
            raise ValueError(f"ELBOLoss: beta must be non-negative; got {beta!r}")
        self.split = vae.split  # a bound method: the VAE is not registered as a submodule
        self.likelihood, self.beta = likelihood, float(beta)

    def terms(self, out: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The batch means of the reconstruction term and of the KL term."""
        decoded, mean, log_var = self.split(out)
        if x.shape != decoded.shape:
            raise ValueError(
                f"ELBOLoss: the target must be the input, shape {tuple(decoded.shape)}; got "
                f"{tuple(x.shape)}"
            )
        if self.likelihood == "bernoulli":
            bce = nn.functional.binary_cross_entropy_with_logits
            recon = bce(decoded, x, reduction="none").sum(dim=1)
        else:
            recon = 0.5 * ((decoded - x) ** 2).sum(dim=1)
        return recon.mean(), kl_to_standard_normal(mean, log_var).mean()

    def forward(self, out: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        recon, kl = self.terms(out, x)
        return recon + self.beta * kl
