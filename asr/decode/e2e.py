"""Decoding with an end-to-end (CTC / attention) model dir (:mod:`asr.train.model_dir`).

Decoding methods (:data:`DECODING_METHODS`): ``ctc_greedy``; ``ctc_prefix_beam``;
``attention_rescoring`` (the prefix-beam n-best rescored with the attention decoder,
score ``ctc_weight * log P_ctc + (1 - ctc_weight) * log P_att``); ``wfst`` (a ``TLG``
graph from :mod:`asr.graph.ctc_topo`, searched over the CTC log-probabilities with
``kaldi_decoder``). Every utterance's result depends only on its own frames, so a batch
decodes as its utterances one at a time.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import kaldi_decoder
import kaldifst
import kaldiio
import numpy as np
import torch

from asr.data.audio import AudioReader
from asr.data.datadir import DataDir
from asr.decode.ctc_search import ctc_greedy_search, ctc_prefix_beam_search
from asr.features.cmvn import apply_cmvn, speaker_cmvn_stats, utterance_speaker_stats
from asr.features.config import FeatureConfig, load_feature_config, make_feature_config
from asr.features.extract import FeatureExtractor
from asr.lang.symbols import SymbolTable
from asr.nnet import ASRModel
from asr.train.model_dir import load_cmvn, load_model_dir
from asr.units import Units
from asr.units.units import BLANK, SOS_EOS, UNK

__all__ = ["DECODING_METHODS", "E2EModelDir", "load_e2e_model_dir", "spell_words", "graph_units",
           "iter_model_features", "checkpoint_sha256", "ctc_label_prior", "pad_features", "E2EDecoder"]

logger = logging.getLogger(__name__)

DECODING_METHODS = ("ctc_greedy", "ctc_prefix_beam", "attention_rescoring", "wfst")


@dataclass
class E2EModelDir:
    """A loaded model dir.

    Attributes:
        path (Path): the dir.
        model (ASRModel): in eval mode, on CPU.
        units (Units): its units (``units.decode(ids)`` gives words).
        features (FeatureConfig or None): the features the model was trained on; ``None``
            for a model whose front end takes waveforms (``model.frontend.takes_waveform``).
        cmvn (np.ndarray or None): ``(2, D + 1)`` global stats, applied with mean and
            variance normalization; ``None`` for ``cmvn: none`` or ``speaker``.
        speaker_cmvn (bool): ``cmvn: speaker``: each speaker's own stats are applied (from
            the decoded data dir's ``cmvn.scp``, or computed from its features).
    """

    path: Path
    model: ASRModel
    units: Units
    features: FeatureConfig | None
    cmvn: np.ndarray | None
    speaker_cmvn: bool = False

    @property
    def frames_per_second(self) -> float:
        """Input frames (feature frames, or waveform samples) per second of audio."""
        if self.features is None:
            return float(self.model.frontend.sample_rate)
        return 1000.0 / self.features.frame_shift


def load_e2e_model_dir(path: str | os.PathLike, checkpoint: str = "final.pt") -> E2EModelDir:
    """Load a model dir written by ``steps/train_e2e.sh``.

    Raises:
        ValueError: a missing or inconsistent file (named).
    """
    model, units, config = load_model_dir(path, checkpoint)
    feature_config = None
    if not model.frontend.takes_waveform:
        features = dict(config["features"] or {})
        feature_config = make_feature_config(features.pop("feature_type", None), features,
                                             f"{path}/config.yaml features")
    return E2EModelDir(Path(path), model, units, feature_config, load_cmvn(path, config),
                       speaker_cmvn=config["cmvn"] == "speaker")


def graph_units(units: Units) -> list[int]:
    """Unit ids a CTC graph may use: all but the blank, ``<unk>`` and ``<sos/eos>``."""
    return [i for i, s in enumerate(units.symbols) if s not in (BLANK, UNK, SOS_EOS)]


def spell_words(words: SymbolTable, units: Units) -> tuple[list[tuple[int, list[int]]], list[str]]:
    """Unit spellings of the words of ``words.txt`` (for the unit lexicon of a ``TLG``).

    A word is spelled as the units tokenize it alone (letters, BPE pieces or the word
    itself); the character models' ``<space>`` between words is left to the lexicon.
    ``<eps>``, ``<s>``, ``</s>`` and ``#k`` are not words.

    Returns:
        (list, list[str]): ``(word_id, unit ids)`` pairs, and the words the units cannot
        spell (e.g. ``<UNK>`` with character units).
    """
    allowed = {units.symbols[i] for i in graph_units(units)}
    spellings, unspellable = [], []
    for word, wid in words:
        if word in ("<eps>", "<s>", "</s>") or (word.startswith("#") and word[1:].isdigit()):
            continue
        pieces = units.tokenize(word)
        if pieces and all(p in allowed for p in pieces):
            spellings.append((wid, [units.ids[p] for p in pieces]))
        else:
            unspellable.append(word)
    return spellings, unspellable


def iter_model_features(data: DataDir, model_dir: E2EModelDir,
                        utts: Sequence[str]) -> Iterator[tuple[str, np.ndarray]]:
    """``(utt, (T, D) float32 features)`` with the model's CMVN applied, in ``utts`` order;
    ``(utt, (N,) float32 samples)`` at the front end's rate for a waveform front end.

    The data dir's ``feats.scp`` is used when its ``conf/feats.yaml`` equals the model's
    feature config; otherwise features are computed from the audio. With per-speaker CMVN
    the speakers' stats come from the data dir's ``cmvn.scp`` when its ``feats.scp`` is
    used, and are otherwise computed from all the utterances of each speaker involved.

    Raises:
        ValueError: an utterance without features or unreadable audio, or a speaker
            without stats (named).
    """
    if model_dir.features is None:
        reader = AudioReader(data, model_dir.model.frontend.sample_rate)
        yield from ((u, reader.read(u)) for u in utts)
        return
    if not model_dir.speaker_cmvn:
        for utt, feats in _raw_features(data, model_dir, utts):
            if model_dir.cmvn is not None:
                feats = apply_cmvn(feats, model_dir.cmvn, norm_vars=True)
            yield utt, feats
        return
    if _uses_feats_scp(data, model_dir) and (Path(data.path) / "cmvn.scp").is_file():
        stats = utterance_speaker_stats(data.path)
        for utt, feats in _raw_features(data, model_dir, utts):
            yield utt, apply_cmvn(feats, stats[utt], norm_vars=True)
        return
    speakers = {data.utt2spk[u] for u in utts}
    feats = dict(_raw_features(data, model_dir, [u for u in data.utt_ids if data.utt2spk[u] in speakers]))
    speaker_stats = speaker_cmvn_stats(data, feats, speakers)
    for utt in utts:
        yield utt, apply_cmvn(feats[utt], speaker_stats[data.utt2spk[utt]], norm_vars=True)


def _uses_feats_scp(data: DataDir, model_dir: E2EModelDir) -> bool:
    path = Path(data.path)
    conf = path / "conf" / "feats.yaml"
    return (path / "feats.scp").is_file() and conf.is_file() and load_feature_config(conf) == model_dir.features


def _raw_features(data: DataDir, model_dir: E2EModelDir, utts: Sequence[str]) -> Iterator[tuple[str, np.ndarray]]:
    """The utterances' features without CMVN (see :func:`iter_model_features`)."""
    path = Path(data.path)
    if _uses_feats_scp(data, model_dir):
        table = kaldiio.load_scp(str(path / "feats.scp"))
        missing = [u for u in utts if u not in table]
        if missing:
            raise ValueError(f"{path}/feats.scp: no features for utterance {missing[0]}")
        stream: Iterator[tuple[str, np.ndarray]] = ((u, np.asarray(table[u], np.float32)) for u in utts)
    else:
        if (path / "feats.scp").is_file():
            logger.info("%s: features differ from the model's (%s); computing them from the audio",
                        path, path / "conf" / "feats.yaml")
        reader = AudioReader(data, model_dir.features.sample_rate)
        stream = FeatureExtractor(model_dir.features).stream((u, reader.read(u)) for u in utts)
    for utt, feats in stream:
        if feats.shape[1] != model_dir.features.dim:
            raise ValueError(f"utterance {utt}: feature dimension {feats.shape[1]}, "
                             f"the model expects {model_dir.features.dim}")
        yield utt, feats


def checkpoint_sha256(path: str | os.PathLike) -> str:
    """Digest of a checkpoint, which a ``wfst`` graph with its label prior is tied to."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@torch.inference_mode()
def ctc_label_prior(model_dir: E2EModelDir, data: DataDir, max_utts: int = 1000) -> np.ndarray:
    """The model's label prior ``P(u)``: its CTC posteriors averaged over the frames of up
    to ``max_utts`` evenly spaced utterances of ``data`` (the training data, as for Kaldi's
    ``nnet3-am-adjust-priors``). ``wfst`` graphs divide it out
    (:func:`asr.graph.ctc_topo.add_label_prior`).

    Returns:
        np.ndarray: ``(V,)`` float64, sums to 1.

    Raises:
        ValueError: ``max_utts < 1``, an empty data dir, or an utterance without features (named).
    """
    if max_utts < 1 or not data.utt_ids:
        raise ValueError(f"label prior: need max_utts >= 1 and utterances in {data.path}")
    utts = data.utt_ids
    picked = [utts[i] for i in np.linspace(0, len(utts) - 1, min(len(utts), max_utts)).round().astype(int)]
    total, frames = 0.0, 0
    for _, feats in iter_model_features(data, model_dir, picked):
        log_probs, lengths = model_dir.model.ctc_log_probs(torch.from_numpy(feats)[None], torch.tensor([len(feats)]))
        total = total + log_probs[0, : int(lengths[0])].double().exp().sum(0)
        frames += int(lengths[0])
    return (total / frames).numpy()


def pad_features(feats: Sequence[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
    """A zero-padded ``(B, T_max, ...)`` float32 batch of ``feats`` and their ``(B,)`` lengths."""
    lengths = torch.tensor([len(f) for f in feats])
    batch = torch.zeros(len(feats), int(lengths.max()), *feats[0].shape[1:])
    for i, f in enumerate(feats):
        batch[i, : len(f)] = torch.from_numpy(np.asarray(f, dtype=np.float32))
    return batch, lengths


class E2EDecoder:
    """Decodes batches of feature matrices with one of :data:`DECODING_METHODS`.

    Args:
        model (ASRModel): the model (eval mode).
        method (str): a decoding method. (Default: ``"ctc_prefix_beam"``)
        beam_size (int): prefix-beam width, also the n-best size for rescoring. (Default: ``10``)
        ctc_weight (float): CTC share of the rescoring score, in [0, 1]. (Default: ``0.5``)
        graph (kaldifst.StdVectorFst or None): ``TLG`` for ``wfst``. (Default: ``None``)
        search_beam (float): ``wfst`` search beam. (Default: ``13.0``)
        acwt (float): ``wfst`` scale of the CTC log-probabilities. (Default: ``1.0``)
        max_active (int): ``wfst`` most active states per frame. (Default: ``7000``)
    """

    def __init__(self, model: ASRModel, method: str = "ctc_prefix_beam", beam_size: int = 10,
                 ctc_weight: float = 0.5, graph: kaldifst.StdVectorFst | None = None,
                 search_beam: float = 13.0, acwt: float = 1.0, max_active: int = 7000) -> None:
        if method not in DECODING_METHODS:
            raise ValueError(f"decoding method must be one of {', '.join(DECODING_METHODS)}, got {method!r}")
        if beam_size < 1 or not 0.0 <= ctc_weight <= 1.0 or search_beam <= 0 or acwt <= 0:
            raise ValueError(f"need beam_size >= 1, ctc_weight in [0, 1], search_beam > 0 and acwt > 0; "
                             f"got {beam_size}, {ctc_weight}, {search_beam}, {acwt}")
        if method == "attention_rescoring" and model.decoder is None:
            raise ValueError("attention_rescoring needs a model with an attention decoder")
        if method == "wfst" and graph is None:
            raise ValueError("wfst decoding needs a graph (utils/mkgraph_ctc.sh)")
        self.model, self.method = model, method
        self.beam_size, self.ctc_weight, self.acwt = beam_size, ctc_weight, acwt
        self.graph = graph
        self.options = kaldi_decoder.FasterDecoderOptions(beam=search_beam, max_active=max_active)
        self.partial = 0  # wfst utterances that reached no final state

    @torch.inference_mode()
    def decode(self, feats: Sequence[np.ndarray]) -> list[list[int]]:
        """Best hypothesis of each utterance.

        Args:
            feats (sequence of np.ndarray): ``(T_b, D)`` features, CMVN applied (``(N_b,)``
                samples for a waveform front end).

        Returns:
            list[list[int]]: unit ids, or word ids of the graph for ``wfst``.
        """
        if not feats:
            return []
        enc, enc_lengths = self.model.encode(*pad_features(feats))
        log_probs = self.model.ctc(enc)
        if self.method == "ctc_greedy":
            return ctc_greedy_search(log_probs, enc_lengths)
        if self.method == "wfst":
            scores = log_probs.numpy() * self.acwt
            return [self.wfst_search(scores[b, :n]) for b, n in enumerate(enc_lengths.tolist())]
        nbest = ctc_prefix_beam_search(log_probs, enc_lengths, self.beam_size)
        if self.method == "ctc_prefix_beam":
            return [list(hyps[0].tokens) for hyps in nbest]
        att = self.model.decoder.score_hypotheses(enc, enc_lengths, [[h.tokens for h in hyps] for hyps in nbest])
        best = []
        for hyps, att_scores in zip(nbest, att):
            scores = [self.ctc_weight * h.log_prob + (1.0 - self.ctc_weight) * float(a)
                      for h, a in zip(hyps, att_scores)]
            best.append(list(hyps[int(np.argmax(scores))].tokens))
        return best

    def wfst_search(self, scores: np.ndarray) -> list[int]:
        """Best word-id path of ``(T, V)`` scaled CTC log-probabilities through the graph
        (the best partial path when no final state is reached, counted in ``partial``)."""
        decoder = kaldi_decoder.FasterDecoder(self.graph, self.options)
        decoder.decode(kaldi_decoder.DecodableCtc(np.ascontiguousarray(scores, dtype=np.float32)))
        final = decoder.reached_final()
        self.partial += not final
        ok, best = decoder.get_best_path(use_final_probs=final)
        if ok:
            ok, _, words, _ = kaldifst.get_linear_symbol_sequence(best)
        if not ok:
            raise ValueError("WFST search found no path (graph and model disagree?)")
        return list(words)
