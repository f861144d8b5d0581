"""Front ends of the end-to-end model: what turns its input into the encoder's input frames.

The ``frontend:`` section of a model config (:data:`asr.nnet.registry.FRONTENDS`):

- ``{type: fbank}`` (the default when the section is absent): the input is already
  features (the data dir's ``feats.scp`` with global CMVN); the model's ``input_dim`` is
  their dimension and the front end passes them through.
- ``{type: wav2vec2 | hubert, checkpoint: PATH, layer: N, freeze: true, proj_dim: D}``:
  the input is mono waveforms at the checkpoint's rate (16 kHz; the loader resamples),
  and the output is the embeddings of transformer layer ``N`` (1-based; the last when
  omitted), one frame per 20 ms with the standard convolution stack. The checkpoint file
  format is described in :mod:`asr.nnet.ssl_checkpoint`. The model config then has no
  ``input_dim``.

Padding: the convolutional feature extractor runs on each utterance alone (its group
norm in the ``group_norm`` extractor mode of the base models normalizes over time, so a
padded batch would change it), and the transformer masks padded frames, so a padded batch
gives each utterance's output alone, up to float rounding.

A frozen front end (``freeze: true``) stays in eval mode, gets no gradients, and its
weights are left out of the model's ``state_dict`` (they are reloaded from the checkpoint
file when the model is built), so a model dir refers to that file by path: keep it where
the config says.
"""

from __future__ import annotations

from typing import Any, Mapping

import torch
from torch import nn

from asr.nnet.masking import valid_mask
from asr.nnet.registry import FRONTENDS
from asr.nnet.ssl_checkpoint import load_ssl_checkpoint

__all__ = ["FeatureFrontend", "SSLFrontend", "Wav2Vec2Frontend", "HuBERTFrontend", "build_frontend",
           "is_waveform_frontend"]


@FRONTENDS.register("fbank")
class FeatureFrontend(nn.Module):
    """Pass-through for precomputed features.

    Args:
        input_dim (int): feature dimension ``D``.
    """

    takes_waveform = False

    def __init__(self, input_dim: int) -> None:
        super().__init__()
        if input_dim < 1:
            raise ValueError(f"input_dim must be positive, got {input_dim}")
        self.output_dim = input_dim

    def output_lengths(self, lengths: torch.Tensor) -> torch.Tensor:
        """``(B,)`` lengths, unchanged."""
        return lengths

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(B, T, D)`` features and ``(B,)`` lengths, unchanged."""
        return x, lengths


class SSLFrontend(nn.Module):
    """Embeddings of a wav2vec 2.0 / HuBERT model loaded from a checkpoint file.

    Args:
        checkpoint (str): path of the checkpoint (:mod:`asr.nnet.ssl_checkpoint`); required.
        layer (int or None): transformer layer whose output is used, 1-based; the last
            when ``None``. Later layers are dropped. (Default: ``None``)
        freeze (bool): keep the SSL model fixed (eval mode, no gradients, not saved in
            the state dict). (Default: ``True``)
        proj_dim (int or None): add a trainable ``LayerNorm`` + ``Linear`` to this
            dimension after the SSL model; ``None`` for none. (Default: ``None``)
    """

    takes_waveform = True
    kind = ""  # set by the registered subclasses

    def __init__(self, checkpoint: str | None, layer: int | None = None, freeze: bool = True,
                 proj_dim: int | None = None) -> None:
        super().__init__()
        if not checkpoint:
            raise ValueError(f"frontend {self.kind!r}: 'checkpoint' is not set (the path of a file written by "
                             "python -m asr.bin.save_ssl_checkpoint)")
        ckpt = load_ssl_checkpoint(checkpoint, self.kind)
        model = ckpt.model
        layers = model.encoder.transformer.layers
        layer = len(layers) if layer is None else layer
        if not 1 <= layer <= len(layers):
            raise ValueError(f"{self.kind} front end: layer must lie in [1, {len(layers)}] for {checkpoint}, "
                             f"got {layer}")
        if proj_dim is not None and proj_dim < 1:
            raise ValueError(f"{self.kind} front end: proj_dim must be positive, got {proj_dim}")
        del layers[layer:]
        model.aux = None  # the CTC head of fine-tuned bundles is not used
        self.model = model
        self.layer, self.freeze = layer, freeze
        self.sample_rate, self.normalize_waveform = ckpt.sample_rate, ckpt.normalize_waveform
        self._convs = [(block.kernel_size, block.stride) for block in model.feature_extractor.conv_layers]
        dim = model.encoder.feature_projection.projection.out_features
        self.proj = None if proj_dim is None else nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, proj_dim))
        self.output_dim = dim if proj_dim is None else proj_dim
        if freeze:
            model.requires_grad_(False)
            model.eval()
            self.register_state_dict_post_hook(_drop_frozen_weights)
            self.register_load_state_dict_pre_hook(_restore_frozen_weights)

    def train(self, mode: bool = True) -> "SSLFrontend":
        """Set the mode; a frozen SSL model stays in eval mode."""
        super().train(mode)
        if self.freeze:
            self.model.eval()
        return self

    def output_lengths(self, lengths: torch.Tensor) -> torch.Tensor:
        """``(B,)`` embedding frames for ``(B,)`` waveform samples (0 when shorter than the
        first convolution)."""
        for kernel, stride in self._convs:
            lengths = torch.clamp(torch.div(lengths - kernel, stride, rounding_mode="floor") + 1, min=0)
        return lengths

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """
        Args:
            x (Tensor): ``(B, N)`` padded waveforms at :attr:`sample_rate`.
            lengths (Tensor): ``(B,)`` valid samples.

        Returns:
            (Tensor, Tensor): ``(B, T, output_dim)`` embeddings, zero past the lengths, and
            ``(B,)`` frame counts.

        Raises:
            ValueError: an utterance too short for one frame.
        """
        out_lengths = self.output_lengths(lengths)
        if bool((out_lengths < 1).any()):
            raise ValueError(f"{self.kind} front end: an utterance of {int(lengths.min())} samples is too short "
                             "for one frame")
        with torch.set_grad_enabled(torch.is_grad_enabled() and not self.freeze):
            frames = []
            for wav, n in zip(x, lengths.tolist()):
                wav = wav[:n]
                if self.normalize_waveform:
                    wav = nn.functional.layer_norm(wav, wav.shape)
                frames.append(self.model.feature_extractor(wav[None], None)[0][0])
            h = nn.utils.rnn.pad_sequence(frames, batch_first=True)
            h = self.model.encoder.extract_features(h, out_lengths, self.layer)[-1]
        if self.proj is not None:
            h = self.proj(h)
        return h * valid_mask(out_lengths, h.size(1))[..., None].to(h.dtype), out_lengths


def _drop_frozen_weights(module: SSLFrontend, state_dict: dict[str, Any], prefix: str, local_metadata: Any) -> None:
    for key in [k for k in state_dict if k.startswith(prefix + "model.")]:
        del state_dict[key]


def _restore_frozen_weights(module: SSLFrontend, state_dict: dict[str, Any], prefix: str, *args: Any) -> None:
    for key, value in module.model.state_dict().items():
        state_dict.setdefault(prefix + "model." + key, value)


@FRONTENDS.register("wav2vec2")
class Wav2Vec2Frontend(SSLFrontend):
    """:class:`SSLFrontend` over a wav2vec 2.0 checkpoint."""

    kind = "wav2vec2"


@FRONTENDS.register("hubert")
class HuBERTFrontend(SSLFrontend):
    """:class:`SSLFrontend` over a HuBERT checkpoint."""

    kind = "hubert"


def _type_of(config: Mapping[str, Any] | None) -> Any:
    return "fbank" if config is None else config.get("type") if isinstance(config, Mapping) else None


def is_waveform_frontend(config: Mapping[str, Any] | None) -> bool:
    """Whether a ``frontend:`` config (``None``: the default fbank) takes waveforms."""
    name = _type_of(config)
    return name in FRONTENDS.names and FRONTENDS.get(name).takes_waveform


def build_frontend(config: Mapping[str, Any] | None, input_dim: int | None) -> nn.Module:
    """Build the front end of a model config.

    Args:
        config (Mapping or None): the ``frontend:`` section; ``None`` for ``{type: fbank}``.
        input_dim (int or None): the model config's ``input_dim``; required for features,
            not allowed for a waveform front end.

    Raises:
        ValueError: a bad section, or ``input_dim`` missing or superfluous.
    """
    config = {"type": "fbank"} if config is None else config
    if not is_waveform_frontend(config):
        if _type_of(config) == "fbank" and input_dim is None:
            raise ValueError("model config: 'input_dim' (the feature dimension) is not set")
        return FRONTENDS.build(config, input_dim=input_dim)
    if input_dim is not None:
        raise ValueError(f"model config: input_dim is {input_dim} but the {config['type']} front end takes "
                         "waveforms: remove input_dim")
    return FRONTENDS.build(config)
