"""The end-to-end model: encoder + CTC head + optional attention decoder, built from a YAML dict.

A model config (``conf/model/*.yaml``) looks like::

    input_dim: 80            # feature dimension (num_mel_bins of the feature config)
    vocab_size: 32           # normally filled in by the trainer from the unit list
    frontend: {type: fbank}  # optional; or wav2vec2/hubert embeddings (no input_dim then)
    encoder: {type: conformer, dim: 144, num_blocks: 6, subsampling_rate: 2}
    decoder: {type: transformer, num_layers: 3}   # optional
    ctc_weight: 0.3          # loss = w * CTC + (1 - w) * attention

Unit conventions (ESPnet/WeNet): id 0 is the CTC blank; with a decoder, ``<sos/eos>``
is the last id, ``vocab_size - 1``, unless ``sos_eos_id`` says otherwise.

Front ends (:mod:`asr.nnet.frontend`) turn the input into the encoder's input frames: the
default passes features through; ``wav2vec2`` and ``hubert`` take ``(B, N)`` waveforms
and give SSL embeddings. "Features" below means whichever input the front end takes.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import torch
from torch import nn

from asr.nnet.ctc import CTCHead
from asr.nnet.frontend import build_frontend
from asr.nnet.registry import DECODERS, ENCODERS, instantiate

__all__ = ["ASRModel", "build_model"]


class ASRModel(nn.Module):
    """Joint CTC/attention model over features or waveforms.

    Args:
        input_dim (int or None): feature dimension ``D``; ``None`` with a waveform front end.
            (Default: ``None``)
        vocab_size (int): output units ``V``, blank (and ``<sos/eos>``) included.
        encoder (Mapping): encoder config with a ``type`` (see :data:`asr.nnet.registry.ENCODERS`).
        decoder (Mapping or None): attention decoder config with a ``type``; ``None`` for
            CTC only. (Default: ``None``)
        ctc_weight (float): weight of the CTC loss; must be 1 without a decoder. (Default: ``1.0``)
        ctc_dropout (float): dropout before the CTC projection. (Default: ``0.0``)
        ctc_blank_init_prob (float or None): initial blank probability of the CTC head
            (:class:`asr.nnet.ctc.CTCHead`); ``None``: default initialization. (Default: ``None``)
        sos_eos_id (int or None): ``<sos/eos>`` id; ``vocab_size - 1`` when ``None``. (Default: ``None``)
        frontend (Mapping or None): front end config with a ``type`` (see
            :mod:`asr.nnet.frontend`); ``None`` for ``{type: fbank}``. (Default: ``None``)
    """

    blank_id = 0

    def __init__(
        self,
        input_dim: int | None = None,
        *,
        vocab_size: int,
        encoder: Mapping[str, Any],
        decoder: Mapping[str, Any] | None = None,
        ctc_weight: float = 1.0,
        ctc_dropout: float = 0.0,
        ctc_blank_init_prob: float | None = None,
        sos_eos_id: int | None = None,
        frontend: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        if not 0.0 <= ctc_weight <= 1.0:
            raise ValueError(f"ctc_weight must lie in [0, 1], got {ctc_weight}")
        if decoder is None and ctc_weight != 1.0:
            raise ValueError(f"ctc_weight is {ctc_weight} but there is no decoder: set a decoder or ctc_weight: 1.0")
        if decoder is None and sos_eos_id is not None:
            raise ValueError("sos_eos_id is set but there is no decoder")
        self.ctc_weight = ctc_weight
        self.frontend = build_frontend(frontend, input_dim)
        self.encoder = ENCODERS.build(encoder, input_dim=self.frontend.output_dim)
        self.ctc = CTCHead(self.encoder.output_size, vocab_size, self.blank_id, ctc_dropout, ctc_blank_init_prob)
        self.decoder: nn.Module | None = None
        if decoder is not None:
            sos_eos = vocab_size - 1 if sos_eos_id is None else sos_eos_id
            if sos_eos == self.blank_id:
                raise ValueError(f"<sos/eos> id {sos_eos} may not be the blank id")
            self.decoder = DECODERS.build(
                decoder, vocab_size=vocab_size, encoder_dim=self.encoder.output_size, sos_id=sos_eos, eos_id=sos_eos
            )

    def output_lengths(self, lengths: torch.Tensor) -> torch.Tensor:
        """``(B,)`` encoder output frames for ``(B,)`` feature frames or samples (for filtering
        utterances too short for their labels, with :func:`asr.nnet.ctc.ctc_required_frames`)."""
        return self.encoder.output_lengths(self.frontend.output_lengths(lengths))

    def encode(
        self,
        feats: torch.Tensor,
        feat_lengths: torch.Tensor,
        augment: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(B, T, D)`` features (or ``(B, N)`` waveforms) and ``(B,)`` lengths -> ``(B, T', H)``
        encoder output and ``(B,)`` lengths. ``augment(frames, lengths)`` (e.g. SpecAugment)
        is applied to the front end's output."""
        x, lengths = self.frontend(feats, feat_lengths)
        if augment is not None:
            x = augment(x, lengths)
        return self.encoder(x, lengths)

    def ctc_log_probs(self, feats: torch.Tensor, feat_lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(B, T, D)`` features and ``(B,)`` lengths -> ``(B, T', V)`` CTC log-probabilities and ``(B,)`` lengths."""
        enc, enc_lengths = self.encode(feats, feat_lengths)
        return self.ctc(enc), enc_lengths

    def forward(
        self,
        feats: torch.Tensor,
        feat_lengths: torch.Tensor,
        targets: torch.Tensor,
        target_lengths: torch.Tensor,
    ) -> dict[str, torch.Tensor]:
        """Training losses.

        Args:
            feats (Tensor): ``(B, T, D)`` padded features, or ``(B, N)`` waveforms for a waveform front end.
            feat_lengths (Tensor): ``(B,)`` valid frames.
            targets (Tensor): ``(B, U)`` token ids (no blank, no ``<sos/eos>``), any value past the lengths.
            target_lengths (Tensor): ``(B,)`` tokens per utterance.

        Returns:
            dict: ``loss`` (scalar to minimize); ``ctc_loss`` when ``ctc_weight > 0``;
            ``att_loss`` and ``att_accuracy`` with a decoder and ``ctc_weight < 1``. Losses
            are summed over utterances and divided by ``B``.
        """
        enc, enc_lengths = self.encode(feats, feat_lengths)
        return self.losses(enc, enc_lengths, targets, target_lengths)

    def losses(
        self,
        enc: torch.Tensor,
        enc_lengths: torch.Tensor,
        targets: torch.Tensor,
        target_lengths: torch.Tensor,
    ) -> dict[str, torch.Tensor]:
        """The weighted CTC / attention losses of :meth:`forward` from an encoder output
        (for training that encodes once and scores several target sets, e.g. mixup)."""
        out: dict[str, torch.Tensor] = {}
        loss = enc.new_zeros((), dtype=torch.float32)
        if self.ctc_weight > 0.0:  # skipped at weight 0, where an infinite CTC loss would give NaN
            out["ctc_loss"] = self.ctc.loss(self.ctc(enc), enc_lengths, targets, target_lengths)
            loss = loss + self.ctc_weight * out["ctc_loss"]
        if self.decoder is not None and self.ctc_weight < 1.0:
            out["att_loss"], out["att_accuracy"] = self.decoder.loss(enc, enc_lengths, targets, target_lengths)
            loss = loss + (1.0 - self.ctc_weight) * out["att_loss"]
        out["loss"] = loss
        return out


def build_model(config: Mapping[str, Any]) -> ASRModel:
    """Build an :class:`ASRModel` from a model config dict (e.g. a loaded ``conf/model/*.yaml``).

    Raises:
        ValueError: an unknown or missing key at any level, naming it.
    """
    if not isinstance(config, Mapping):
        raise ValueError(f"model config must be a mapping, got {type(config).__name__}")
    if config.get("vocab_size") is None:
        raise ValueError("model config: 'vocab_size' is not set (the trainer sets it from the unit list)")
    return instantiate(ASRModel, config, "model config")
