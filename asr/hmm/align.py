"""Frame alignments: equal (flat start) and Viterbi (forced) through training graphs,
and their Kaldi archives (int32 vectors of transition ids or pdf ids per utterance)."""

from __future__ import annotations

import os
from pathlib import Path

import kaldi_decoder
import kaldifst
import kaldiio
import numpy as np

from asr.utils.fileio import atomic_write, write_table

__all__ = ["AlignmentError", "equal_align", "viterbi_align", "write_alignments",
           "write_exp_alignments", "read_alignments"]


class AlignmentError(ValueError):
    """An utterance could not be aligned (too few frames for its HMMs, or no path within
    the beams)."""


def equal_align(graph: kaldifst.StdVectorFst, num_frames: int, seed: int = 0) -> np.ndarray:
    """A path of ``num_frames`` transition ids through ``graph``, the frames spread
    evenly over its states (Kaldi ``align-equal-compiled``).

    Raises:
        AlignmentError: no path of that length (utterance shorter than its HMMs).
    """
    if graph.num_states == 0:
        raise AlignmentError("empty training graph")
    ok, path = kaldifst.equal_align(graph, num_frames, seed)
    if ok:
        ok, tids, _, _ = kaldifst.get_linear_symbol_sequence(path)
    if not ok or len(tids) != num_frames:
        raise AlignmentError(f"{num_frames} frames are too few for the HMM states of the "
                             "transcript")
    return np.array(tids, dtype=np.int32)


def viterbi_align(graph: kaldifst.StdVectorFst, tid_log_likes: np.ndarray, beam: float = 6.0,
                  retry_beam: float = 20.0) -> tuple[np.ndarray, float]:
    """Best path of transition ids through ``graph`` (Kaldi ``gmm-align-compiled``).

    Args:
        graph (StdVectorFst): the utterance's training graph.
        tid_log_likes (np.ndarray): ``(T, num_tids)`` scaled log-likelihoods
            (:meth:`asr.hmm.model.AcousticModel.tid_log_likes`).
        beam (float): search beam; on failure retried once with ``retry_beam``.

    Returns:
        (np.ndarray, float): ``(T,)`` int32 transition ids and the path's total cost.

    Raises:
        AlignmentError: no complete path (the final state not reached) within the beams.
    """
    num_frames = len(tid_log_likes)
    if graph.num_states == 0:
        raise AlignmentError("empty training graph")
    for b in (beam, retry_beam):
        decoder = kaldi_decoder.FasterDecoder(graph, kaldi_decoder.FasterDecoderOptions(beam=b))
        decoder.decode(kaldi_decoder.DecodableCtc(tid_log_likes))
        if decoder.reached_final():
            ok, best = decoder.get_best_path()
            ok, tids, _, weight = kaldifst.get_linear_symbol_sequence(best) if ok else (False,) * 4
            if ok and len(tids) == num_frames:
                return np.array(tids, dtype=np.int32), weight.value1 + weight.value2
    raise AlignmentError(f"no alignment of {num_frames} frames reached the end of the "
                         f"transcript within beam {retry_beam} (too short, or wrong transcript?)")


def write_alignments(alis: dict[str, np.ndarray], ark: str | os.PathLike,
                     scp: str | os.PathLike) -> None:
    """Write int32 vectors keyed by utterance as a Kaldi ark and its sorted scp (absolute
    paths), each atomically."""
    ark = Path(os.path.abspath(ark))
    index: dict[str, str] = {}
    with atomic_write(ark, "wb") as f:
        for key in sorted(alis, key=lambda k: k.encode("utf-8")):
            index[key] = f"{ark}:{f.tell() + len(key.encode('utf-8')) + 1}"
            kaldiio.save_ark(f, {key: np.asarray(alis[key], dtype=np.int32)})
    write_table(scp, index)


def write_exp_alignments(alis: dict[str, np.ndarray], tid_pdf: np.ndarray, out_dir: str | os.PathLike) -> None:
    """An exp dir's alignments: transition ids in ``ali.{ark,scp}`` and the pdf ids they
    map to (``tid_pdf``, the transition model's table) in ``pdf_ali.{ark,scp}``."""
    out_dir = Path(out_dir)
    write_alignments(alis, out_dir / "ali.ark", out_dir / "ali.scp")
    write_alignments({u: tid_pdf[a] for u, a in alis.items()}, out_dir / "pdf_ali.ark", out_dir / "pdf_ali.scp")


def read_alignments(scp: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read an alignment scp (``ValueError`` naming the file when unreadable)."""
    try:
        return {k: np.asarray(v) for k, v in kaldiio.load_scp(str(scp)).items()}
    except (OSError, ValueError) as e:
        raise ValueError(f"{scp}: cannot read alignments ({e})") from None
