"""Neural network building blocks for end-to-end ASR: encoders, heads, the model, a registry.

Importing this package registers every encoder and decoder under its YAML ``type`` name.
"""

from asr.nnet import attention_decoder, conformer, crnn, transformer  # noqa: F401  (registration)
from asr.nnet.model import ASRModel, build_model

__all__ = ["ASRModel", "build_model"]
