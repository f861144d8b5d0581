"""A GMM-HMM acoustic model (transition model + GMMs) saved as one ``.mdl`` file (NumPy npz).

A context-dependent model (:class:`~asr.hmm.context.TreeTransitionModel`) stores its
decision trees (JSON, key ``tree``) instead of the monophone ``phone_pdfs``.
"""

from __future__ import annotations

import os
import zipfile

import numpy as np

from asr.hmm.context import ContextDependency, TreeTransitionModel
from asr.hmm.gmm import DiagGmms
from asr.hmm.transition import TransitionModel
from asr.lang.lang import Lang
from asr.lang.topology import Topology
from asr.utils.fileio import atomic_write

__all__ = ["AcousticModel", "mono_phone_pdfs", "load_model"]


def mono_phone_pdfs(lang: Lang) -> dict[int, list[int]]:
    """Monophone pdfs: the phones of each line of ``phones/sets.int`` share pdfs, one per
    pdf class (Kaldi ``gmm-init-mono --shared-phones``); other phones get their own.

    Raises:
        ValueError: phones of one set with different numbers of pdf classes.
    """
    out: dict[int, list[int]] = {}
    groups = [list(s) for s in lang.sets]
    grouped = {p for s in groups for p in s}
    groups += [[p] for p in lang.real_phones if p not in grouped]
    next_pdf = 0
    for group in groups:
        n = {lang.topo.num_pdf_classes(p) for p in group}
        if len(n) != 1:
            raise ValueError(f"{lang.path}/phones/sets.int: phones {group} have different "
                             "numbers of pdf classes")
        pdfs = list(range(next_pdf, next_pdf + n.pop()))
        next_pdf += len(pdfs)
        for p in group:
            out[p] = pdfs
    return out


class AcousticModel:
    """Transition model and GMMs.

    Args:
        trans (TransitionModel), gmms (DiagGmms): their pdf counts must agree.
    """

    def __init__(self, trans: TransitionModel, gmms: DiagGmms) -> None:
        if trans.num_pdfs != gmms.num_pdfs:
            raise ValueError(f"transition model has {trans.num_pdfs} pdfs, GMMs {gmms.num_pdfs}")
        self.trans = trans
        self.gmms = gmms

    def tid_log_likes(self, feats: np.ndarray, acoustic_scale: float = 1.0) -> np.ndarray:
        """Scaled log-likelihoods per frame and transition id, the layout
        ``kaldi_decoder.DecodableCtc`` reads (column ``j`` is transition id ``j + 1``).

        Returns:
            np.ndarray: ``(T, num_tids)`` float32.
        """
        pdf_ll = self.gmms.log_likes(feats)
        return np.ascontiguousarray(acoustic_scale * pdf_ll[:, self.trans.tid_pdf[1:]],
                                    dtype=np.float32)

    def write(self, path: str | os.PathLike) -> None:
        """Save atomically (npz format, whatever the file name)."""
        gmm = dict(trans_log_probs=self.trans.log_probs, comp_pdf=self.gmms.comp_pdf,
                   log_weights=self.gmms.log_weights, means=self.gmms.means,
                   variances=self.gmms.variances)
        if isinstance(self.trans, TreeTransitionModel):
            with atomic_write(path, "wb") as f:
                np.savez(f, topo=np.array(self.trans.topo.to_text()),
                         tree=np.array(self.trans.ctx.to_json()), **gmm)
            return
        phones = np.array(sorted(self.trans.phone_pdfs))
        width = max(len(v) for v in self.trans.phone_pdfs.values())
        pdfs = np.full((len(phones), width), -1)
        for i, p in enumerate(phones):
            pdfs[i, :len(self.trans.phone_pdfs[p])] = self.trans.phone_pdfs[p]
        with atomic_write(path, "wb") as f:
            np.savez(f, topo=np.array(self.trans.topo.to_text()), phones=phones, phone_pdfs=pdfs,
                     **gmm)


def load_model(path: str | os.PathLike) -> AcousticModel:
    """Read a model written by :meth:`AcousticModel.write`.

    Raises:
        ValueError: naming the file, when it is missing or not such a model.
    """
    try:
        with np.load(path) as z:
            topo = Topology.from_text(str(z["topo"]))
            if "tree" in z.files:
                trans = TreeTransitionModel(topo, ContextDependency.from_json(str(z["tree"])),
                                            z["trans_log_probs"])
            else:
                phone_pdfs = {int(p): [int(x) for x in row if x >= 0]
                              for p, row in zip(z["phones"], z["phone_pdfs"])}
                trans = TransitionModel(topo, phone_pdfs, z["trans_log_probs"])
            gmms = DiagGmms(z["comp_pdf"], z["log_weights"], z["means"], z["variances"])
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as e:
        raise ValueError(f"{path}: not a readable GMM-HMM model ({e})") from None
    return AcousticModel(trans, gmms)
