"""WFST decoding of hybrid (HMM) acoustic scores with ``kaldi_decoder``.

Scores come as a ``(T, num_tids)`` matrix of scaled log-likelihoods per transition id
(column ``j`` is transition id ``j + 1``), which ``kaldi_decoder.DecodableCtc`` exposes
to the decoder exactly as Kaldi's ``DecodableAmDiagGmmScaled`` would.
"""

from __future__ import annotations

from dataclasses import dataclass

import kaldi_decoder
import kaldifst
import numpy as np

from asr.graph.arcs import add_word_insertion_penalty

__all__ = ["DecodeResult", "HybridDecoder"]


@dataclass
class DecodeResult:
    """Best path: word ids, per-frame transition ids, total cost (graph + acoustic),
    and whether a final state was reached (otherwise the best partial path); and the
    state-level lattice within the lattice beam (input transition ids, output words,
    (graph, scaled acoustic) costs; without a final state every last-frame state is final),
    for ``asr.decode.lattice.determinize_lattice``."""

    words: list[int]
    tids: list[int]
    cost: float
    reached_final: bool
    raw_lattice: kaldifst.Lattice


class HybridDecoder:
    """Lattice decoder over a graph (Kaldi ``gmm-latgen-faster``'s search).

    Args:
        graph (kaldifst.StdVectorFst): ``HCLG.fst`` (input transition ids, output words).
        beam (float): search beam. (Default: ``13.0``)
        lattice_beam (float): lattice pruning beam. (Default: ``6.0``)
        word_ins_penalty (float): cost added per hypothesized word, in the units of the
            graph costs (acoustic costs are scaled by the acoustic scale); a copy of the
            graph carries it, and so do the lattices' graph costs. (Default: ``0.0``)
    """

    def __init__(self, graph: kaldifst.StdVectorFst, beam: float = 13.0,
                 lattice_beam: float = 6.0, word_ins_penalty: float = 0.0) -> None:
        if beam <= 0 or lattice_beam <= 0:
            raise ValueError(f"beams must be positive, got beam={beam} lattice_beam={lattice_beam}")
        if word_ins_penalty:
            graph = graph.copy()
            add_word_insertion_penalty(graph, word_ins_penalty)
        self.graph = graph
        self.config = kaldi_decoder.LatticeSimpleDecoderConfig(beam=beam, lattice_beam=lattice_beam)

    def decode(self, tid_log_likes: np.ndarray) -> DecodeResult:
        """Decode one utterance.

        Args:
            tid_log_likes (np.ndarray): ``(T, num_tids)`` float32, already scaled by the
                acoustic scale.

        Raises:
            ValueError: no frames, or no surviving path at all.
        """
        if tid_log_likes.ndim != 2 or len(tid_log_likes) == 0:
            raise ValueError(f"expected a non-empty (frames, tids) matrix, got shape "
                             f"{tid_log_likes.shape}")
        decodable = kaldi_decoder.DecodableCtc(np.ascontiguousarray(tid_log_likes, np.float32))
        decoder = kaldi_decoder.LatticeSimpleDecoder(self.graph, self.config)
        decoder.decode(decodable)
        final = decoder.final_relative_cost() < float("inf")
        _, raw_lattice = decoder.get_raw_lattice()
        if not final:
            # the lattice decoder has finalized and cannot give a partial path: take the
            # best partial path of a plain search with the same beam (Kaldi --allow-partial)
            decoder = kaldi_decoder.FasterDecoder(
                self.graph, kaldi_decoder.FasterDecoderOptions(beam=self.config.beam))
            decoder.decode(decodable)
        ok, best = decoder.get_best_path(use_final_probs=final)
        if ok:
            ok, tids, words, weight = kaldifst.get_linear_symbol_sequence(best)
        if not ok:
            raise ValueError("decoding found no path (graph and model disagree?)")
        return DecodeResult(list(words), list(tids), weight.value1 + weight.value2, final,
                            raw_lattice)
