"""Transformer attention decoder for joint CTC/attention training and n-best rescoring."""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from asr.nnet.attention import MultiHeadAttention, PositionalEncoding
from asr.nnet.dropout import Dropout
from asr.nnet.layers import FeedForward
from asr.nnet.masking import causal_mask, valid_mask
from asr.nnet.registry import DECODERS

__all__ = ["TransformerDecoderLayer", "TransformerDecoder", "IGNORE_ID"]

#: Target id ignored by the decoder loss (padding).
IGNORE_ID = -1


class TransformerDecoderLayer(nn.Module):
    """Pre-norm layer: causal self-attention, source attention over the encoder output, feed-forward.

    Args:
        dim (int): model dimension.
        num_heads (int): attention heads.
        ffn_dim (int): feed-forward inner dimension.
        dropout (float): residual and feed-forward dropout. (Default: ``0.0``)
        attention_dropout (float): dropout on attention probabilities. (Default: ``0.0``)
    """

    def __init__(
        self, dim: int, num_heads: int, ffn_dim: int, dropout: float = 0.0, attention_dropout: float = 0.0
    ) -> None:
        super().__init__()
        self.self_norm = nn.LayerNorm(dim)
        self.self_attn = MultiHeadAttention(dim, num_heads, attention_dropout)
        self.src_norm = nn.LayerNorm(dim)
        self.src_attn = MultiHeadAttention(dim, num_heads, attention_dropout)
        self.dropout = Dropout(dropout)
        self.ff = FeedForward(dim, ffn_dim, dropout, activation="relu")

    def forward(
        self, x: torch.Tensor, self_mask: torch.Tensor, memory: torch.Tensor, memory_mask: torch.Tensor
    ) -> torch.Tensor:
        """
        Args:
            x (Tensor): ``(B, U, dim)`` token states.
            self_mask (Tensor): ``(B, U, U)`` bool, causal and padding.
            memory (Tensor): ``(B, T, dim)`` encoder output.
            memory_mask (Tensor): ``(B, 1, T)`` bool valid encoder frames.

        Returns:
            Tensor: ``(B, U, dim)``.
        """
        h = self.self_norm(x)
        x = x + self.dropout(self.self_attn(h, h, h, self_mask))
        x = x + self.dropout(self.src_attn(self.src_norm(x), memory, memory, memory_mask))
        return x + self.ff(x)


@DECODERS.register("transformer")
class TransformerDecoder(nn.Module):
    """Token embedding with absolute positions, ``num_layers`` decoder layers, output projection.

    Sequences are fed as ``<sos> y_1 .. y_U`` and predict ``y_1 .. y_U <eos>``.

    Args:
        vocab_size (int): output units ``V`` (set by the model).
        encoder_dim (int): encoder output dimension (set by the model).
        sos_id (int): start-of-sentence id (set by the model).
        eos_id (int): end-of-sentence id (set by the model).
        dim (int): model dimension. (Default: ``256``)
        num_heads (int): attention heads. (Default: ``4``)
        ffn_dim (int): feed-forward inner dimension. (Default: ``1024``)
        num_layers (int): decoder layers. (Default: ``3``)
        dropout (float): dropout after positions, in residuals and feed-forwards. (Default: ``0.1``)
        attention_dropout (float): dropout on attention probabilities. (Default: ``0.0``)
        label_smoothing (float): label smoothing of the cross-entropy loss. (Default: ``0.1``)
    """

    def __init__(
        self,
        vocab_size: int,
        encoder_dim: int,
        sos_id: int,
        eos_id: int,
        dim: int = 256,
        num_heads: int = 4,
        ffn_dim: int = 1024,
        num_layers: int = 3,
        dropout: float = 0.1,
        attention_dropout: float = 0.0,
        label_smoothing: float = 0.1,
    ) -> None:
        super().__init__()
        for name, value in (("sos_id", sos_id), ("eos_id", eos_id)):
            if not 0 <= value < vocab_size:
                raise ValueError(f"decoder {name} must lie in [0, {vocab_size}), got {value}")
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError(f"decoder label_smoothing must lie in [0, 1), got {label_smoothing}")
        if num_layers < 1:
            raise ValueError(f"decoder num_layers must be positive, got {num_layers}")
        self.sos_id, self.eos_id = sos_id, eos_id
        self.label_smoothing = label_smoothing
        self.memory_proj = nn.Linear(encoder_dim, dim) if encoder_dim != dim else nn.Identity()
        self.embed = nn.Embedding(vocab_size, dim)
        self.positions = PositionalEncoding(dim, dropout)
        self.layers = nn.ModuleList(
            TransformerDecoderLayer(dim, num_heads, ffn_dim, dropout, attention_dropout) for _ in range(num_layers)
        )
        self.final_norm = nn.LayerNorm(dim)
        self.output = nn.Linear(dim, vocab_size)

    def forward(
        self,
        memory: torch.Tensor,
        memory_lengths: torch.Tensor,
        ys_in: torch.Tensor,
        ys_in_lengths: torch.Tensor,
    ) -> torch.Tensor:
        """Teacher-forced logits.

        Args:
            memory (Tensor): ``(B, T, encoder_dim)`` encoder output.
            memory_lengths (Tensor): ``(B,)`` valid encoder frames.
            ys_in (Tensor): ``(B, U)`` input ids starting with ``<sos>``, any valid id as padding.
            ys_in_lengths (Tensor): ``(B,)`` valid input ids.

        Returns:
            Tensor: ``(B, U, V)`` logits.
        """
        memory = self.memory_proj(memory)
        memory_mask = valid_mask(memory_lengths, memory.size(1))[:, None, :]
        u = ys_in.size(1)
        self_mask = valid_mask(ys_in_lengths, u)[:, None, :] & causal_mask(u, ys_in.device)[None]
        x = self.positions(self.embed(ys_in))
        for layer in self.layers:
            x = layer(x, self_mask, memory, memory_mask)
        return self.output(self.final_norm(x))

    def _teacher_forcing_io(
        self, targets: torch.Tensor, target_lengths: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(B, U)`` padded targets -> ``ys_in`` ``(B, U+1)`` (``<sos> y``, eos-padded),
        ``ys_out`` ``(B, U+1)`` (``y <eos>``, ``IGNORE_ID``-padded), lengths ``U_b + 1``."""
        b, u = targets.shape
        valid = valid_mask(target_lengths, u)
        ys = targets.masked_fill(~valid, self.eos_id)
        ys_in = torch.cat([ys.new_full((b, 1), self.sos_id), ys], dim=1)
        ys_out = torch.cat([ys, ys.new_full((b, 1), self.eos_id)], dim=1)
        ys_out = ys_out.masked_fill(~valid_mask(target_lengths + 1, u + 1), IGNORE_ID)
        return ys_in, ys_out, target_lengths + 1

    def loss(
        self,
        memory: torch.Tensor,
        memory_lengths: torch.Tensor,
        targets: torch.Tensor,
        target_lengths: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Label-smoothed cross-entropy with teacher forcing, summed and divided by the batch size.

        Args:
            memory (Tensor): ``(B, T, encoder_dim)`` encoder output.
            memory_lengths (Tensor): ``(B,)`` valid encoder frames.
            targets (Tensor): ``(B, U)`` token ids, any value past ``target_lengths``.
            target_lengths (Tensor): ``(B,)`` tokens per utterance.

        Returns:
            (Tensor, Tensor): scalar loss, and scalar token accuracy (``<eos>`` included).
        """
        ys_in, ys_out, ys_lengths = self._teacher_forcing_io(targets, target_lengths)
        logits = self(memory, memory_lengths, ys_in, ys_lengths).float()
        loss = nn.functional.cross_entropy(
            logits.transpose(1, 2),
            ys_out,
            ignore_index=IGNORE_ID,
            label_smoothing=self.label_smoothing,
            reduction="sum",
        )
        valid = ys_out != IGNORE_ID
        accuracy = ((logits.argmax(-1) == ys_out) & valid).sum() / valid.sum()
        return loss / targets.size(0), accuracy

    def score_hypotheses(
        self,
        memory: torch.Tensor,
        memory_lengths: torch.Tensor,
        hyps: Sequence[Sequence[Sequence[int]]],
    ) -> list[torch.Tensor]:
        """Log-probability of each hypothesis, ``<eos>`` included, for attention rescoring.

        Args:
            memory (Tensor): ``(B, T, encoder_dim)`` encoder output.
            memory_lengths (Tensor): ``(B,)`` valid encoder frames.
            hyps: for each of the ``B`` utterances, a list of ``N_b`` token-id sequences.

        Returns:
            list[Tensor]: ``B`` float32 tensors of shape ``(N_b,)``.
        """
        if len(hyps) != memory.size(0):
            raise ValueError(f"got hypotheses for {len(hyps)} utterances, encoder output for {memory.size(0)}")
        counts = [len(h) for h in hyps]
        flat = [list(seq) for h in hyps for seq in h]
        if not flat:
            return [memory.new_zeros(0, dtype=torch.float32) for _ in hyps]
        device = memory.device
        source = torch.repeat_interleave(torch.arange(len(hyps), device=device), torch.tensor(counts, device=device))
        lengths = torch.tensor([len(s) for s in flat], device=device)
        targets = torch.zeros(len(flat), max(1, int(lengths.max())), dtype=torch.long, device=device)
        for i, seq in enumerate(flat):
            targets[i, : len(seq)] = torch.tensor(seq, dtype=torch.long)
        ys_in, ys_out, ys_lengths = self._teacher_forcing_io(targets, lengths)
        logits = self(memory[source], memory_lengths[source], ys_in, ys_lengths)
        log_probs = torch.log_softmax(logits.float(), dim=-1)
        valid = ys_out != IGNORE_ID
        token_scores = log_probs.gather(-1, ys_out.clamp(min=0)[..., None]).squeeze(-1)
        return list(token_scores.masked_fill(~valid, 0.0).sum(dim=1).split(counts))
