"""Diagonal-covariance GMMs for all pdfs of an acoustic model, in flat arrays.

Component ``c`` belongs to pdf ``comp_pdf[c]`` and has log weight ``log_weights[c]``,
mean ``means[c]`` and variance ``variances[c]`` (``(C, D)`` arrays). Likelihoods are
computed for all components at once with one matrix product; statistics only for the
components of each frame's own pdf.
"""

from __future__ import annotations

import math

import numpy as np
import torch

__all__ = ["DiagGmms", "GmmStats", "split_targets"]

_LOG_2PI = math.log(2.0 * math.pi)


class GmmStats:
    """Zeroth, first and second order statistics per component (float64).

    Attributes:
        occ (np.ndarray): ``(C,)``; x (np.ndarray): ``(C, D)``; x2 (np.ndarray): ``(C, D)``.
        log_like (float): total log-likelihood of the accumulated frames; frames (int).
    """

    def __init__(self, num_comps: int, dim: int) -> None:
        self.occ = np.zeros(num_comps)
        self.x = np.zeros((num_comps, dim))
        self.x2 = np.zeros((num_comps, dim))
        self.log_like = 0.0
        self.frames = 0


class DiagGmms:
    """GMMs of ``num_pdfs`` pdfs over ``dim``-dimensional features.

    Args:
        comp_pdf (np.ndarray): ``(C,)`` pdf of each component; every pdf needs one.
        log_weights, means, variances (np.ndarray): ``(C,)``, ``(C, D)``, ``(C, D)``.

    Raises:
        ValueError: inconsistent shapes, a pdf with no component, a variance <= 0.
    """

    def __init__(self, comp_pdf: np.ndarray, log_weights: np.ndarray, means: np.ndarray,
                 variances: np.ndarray) -> None:
        self.comp_pdf = np.asarray(comp_pdf, dtype=np.int64)
        self.log_weights = np.asarray(log_weights, dtype=np.float64)
        self.means = np.asarray(means, dtype=np.float64)
        self.variances = np.asarray(variances, dtype=np.float64)
        c = len(self.comp_pdf)
        if self.means.ndim != 2 or self.means.shape[0] != c or self.variances.shape != self.means.shape \
                or self.log_weights.shape != (c,):
            raise ValueError("GMM arrays disagree in shape")
        if c == 0 or set(np.unique(self.comp_pdf)) != set(range(self.num_pdfs)):
            raise ValueError("every pdf 0..N-1 needs at least one Gaussian")
        if not (self.variances > 0).all():
            raise ValueError("variances must be positive")
        self._cache: tuple | None = None

    @classmethod
    def single(cls, num_pdfs: int, mean: np.ndarray, var: np.ndarray) -> "DiagGmms":
        """One Gaussian per pdf, all with the given (global) mean and variance (flat start)."""
        if num_pdfs < 1:
            raise ValueError(f"num_pdfs must be >= 1, got {num_pdfs}")
        return cls(np.arange(num_pdfs), np.zeros(num_pdfs), np.tile(mean, (num_pdfs, 1)),
                   np.tile(var, (num_pdfs, 1)))

    @property
    def num_pdfs(self) -> int:
        return int(self.comp_pdf.max()) + 1

    @property
    def num_comps(self) -> int:
        return len(self.comp_pdf)

    @property
    def dim(self) -> int:
        return self.means.shape[1]

    def _params(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        if self._cache is None:
            inv = 1.0 / self.variances
            const = self.log_weights - 0.5 * (self.dim * _LOG_2PI + np.log(self.variances).sum(1)
                                              + (self.means ** 2 * inv).sum(1))
            # Components padded into (P, M) slots; slot C is a dummy (zero row, -inf constant).
            counts = np.bincount(self.comp_pdf, minlength=self.num_pdfs)
            slots = np.full((self.num_pdfs, counts.max()), self.num_comps)
            order = np.argsort(self.comp_pdf, kind="stable")
            rank = np.arange(self.num_comps) - np.repeat(np.cumsum(counts) - counts, counts)
            slots[self.comp_pdf[order], rank] = order
            lin = np.concatenate([self.means * inv, -0.5 * inv], 1)
            self._cache = (torch.from_numpy(np.vstack([lin, np.zeros(lin.shape[1])])),
                           torch.from_numpy(np.append(const, -np.inf)), torch.from_numpy(slots))
        return self._cache

    def invalidate(self) -> None:
        """Forget cached derived parameters (call after changing the arrays)."""
        self._cache = None

    def _stacked_feats(self, feats: np.ndarray) -> torch.Tensor:
        """``(T, 2D)``: the features and their squares, float64."""
        x = torch.from_numpy(np.asarray(feats, dtype=np.float64))
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"features of shape {tuple(x.shape)}, model dimension {self.dim}")
        return torch.cat([x, x * x], 1)

    def component_log_likes(self, feats: np.ndarray) -> torch.Tensor:
        """``(T, C)`` log weight + log density of each component."""
        lin, const, _ = self._params()
        return self._stacked_feats(feats) @ lin[:-1].T + const[:-1]

    def log_likes(self, feats: np.ndarray) -> np.ndarray:
        """Log-likelihood of each frame under each pdf.

        Args:
            feats (np.ndarray): ``(T, D)``.

        Returns:
            np.ndarray: ``(T, num_pdfs)`` float32.
        """
        ll = self.component_log_likes(feats)
        # log-sum-exp per pdf, shifted by each pdf's own best component
        idx = torch.from_numpy(self.comp_pdf).expand(len(ll), -1)
        best = torch.full((len(ll), self.num_pdfs), -torch.inf, dtype=ll.dtype).scatter_reduce_(1, idx, ll, "amax")
        sums = torch.zeros_like(best).scatter_add_(1, idx, torch.exp(ll - best.gather(1, idx)))
        return (best + torch.log(sums)).float().numpy()

    def accumulate(self, feats: np.ndarray, pdfs: np.ndarray, stats: GmmStats) -> None:
        """Add the statistics of frames aligned to pdfs (Viterbi: each frame to one pdf;
        component posteriors within that pdf's GMM).

        Only the components of each frame's own pdf are evaluated: with hundreds of pdfs
        that is a small fraction of all of them.

        Args:
            feats (np.ndarray): ``(T, D)``; pdfs (np.ndarray): ``(T,)`` pdf per frame.
        """
        if len(pdfs) != len(feats):
            raise ValueError(f"{len(pdfs)} pdf labels for {len(feats)} frames")
        lin, const, slots = self._params()
        xx = self._stacked_feats(feats)
        own_slots = slots[torch.from_numpy(np.asarray(pdfs, dtype=np.int64))]  # (T, M)
        own = torch.einsum("tk,tmk->tm", xx, lin[own_slots]) + const[own_slots]
        total = torch.logsumexp(own, 1, keepdim=True)
        post = torch.exp(own - total)  # padding slots get 0
        stats.log_like += float(total.sum())
        stats.frames += len(feats)
        flat = own_slots.reshape(-1)
        weighted = torch.cat([post[:, :, None], post[:, :, None] * xx[:, None, :]], 2)  # (T, M, 1 + 2D)
        sums = torch.zeros(self.num_comps + 1, 1 + 2 * self.dim, dtype=xx.dtype)
        sums.index_add_(0, flat, weighted.reshape(len(flat), -1))
        sums = sums[:-1].numpy()
        stats.occ += sums[:, 0]
        stats.x += sums[:, 1:1 + self.dim]
        stats.x2 += sums[:, 1 + self.dim:]

    def update(self, stats: GmmStats, min_occ: float = 3.0, var_floor: float = 0.001) -> int:
        """Maximum-likelihood update (Kaldi ``gmm-est``): components with occupancy below
        ``min_occ`` are removed (but a pdf keeps at least its best one, unchanged when
        unseen); variances are floored at ``var_floor``. Returns the number removed."""
        keep = stats.occ >= min_occ
        for p in range(self.num_pdfs):
            mine = np.nonzero(self.comp_pdf == p)[0]
            if not keep[mine].any():
                keep[mine[np.argmax(stats.occ[mine])]] = True
        seen = keep & (stats.occ > 0)
        occ = np.where(seen, stats.occ, 1.0)
        mean = np.where(seen[:, None], stats.x / occ[:, None], self.means)
        var = np.where(seen[:, None], stats.x2 / occ[:, None] - mean ** 2, self.variances)
        pdf_occ = np.bincount(self.comp_pdf, weights=np.where(keep, stats.occ, 0.0),
                              minlength=self.num_pdfs)
        with np.errstate(divide="ignore"):
            logw = np.where(pdf_occ[self.comp_pdf] > 0,
                            np.log(np.maximum(stats.occ, 1e-300)) - np.log(
                                np.maximum(pdf_occ[self.comp_pdf], 1e-300)), self.log_weights)
        self.comp_pdf, self.log_weights = self.comp_pdf[keep], logw[keep]
        self.means, self.variances = mean[keep], np.maximum(var[keep], var_floor)
        self._renormalize()
        self.invalidate()
        return int((~keep).sum())

    def _renormalize(self) -> None:
        for p in range(self.num_pdfs):
            mine = self.comp_pdf == p
            lw = self.log_weights[mine]
            self.log_weights[mine] = lw - np.logaddexp.reduce(lw)

    def split(self, targets: np.ndarray, perturb: float = 0.01, seed: int = 0) -> None:
        """Split Gaussians until pdf ``p`` has ``targets[p]`` (Kaldi ``DiagGmm::Split``):
        the heaviest component is halved in weight and copied, the two means moved apart
        by ``perturb`` standard deviations times a random normal vector."""
        rng = np.random.default_rng(seed)
        comp_pdf, logw = list(self.comp_pdf), list(self.log_weights)
        means, variances = list(self.means), list(self.variances)
        for p in range(self.num_pdfs):
            mine = [c for c, q in enumerate(comp_pdf) if q == p]
            while len(mine) < targets[p]:
                c = max(mine, key=lambda i: logw[i])
                shift = perturb * np.sqrt(variances[c]) * rng.standard_normal(self.dim)
                logw[c] -= math.log(2.0)
                comp_pdf.append(p)
                logw.append(logw[c])
                means.append(means[c] + shift)
                variances.append(variances[c].copy())
                means[c] = means[c] - shift
                mine.append(len(comp_pdf) - 1)
        self.comp_pdf, self.log_weights = np.array(comp_pdf), np.array(logw)
        self.means, self.variances = np.array(means), np.array(variances)
        self.invalidate()


def split_targets(pdf_occ: np.ndarray, total: int, power: float = 0.2,
                  current: np.ndarray | None = None) -> np.ndarray:
    """Gaussians per pdf for a total of ``total``: proportional to ``occupancy ** power``
    (Kaldi ``GetSplitTargets``), at least 1 and never fewer than ``current``."""
    weight = np.power(np.maximum(pdf_occ, 0.0), power)
    if weight.sum() <= 0:
        weight = np.ones_like(weight)
    targets = np.maximum(1, np.floor(total * weight / weight.sum() + 0.5)).astype(np.int64)
    if current is not None:
        targets = np.maximum(targets, current)
    return targets
