"""Training-time data augmentation on feature batches."""

from asr.augment.mixup import mixup_batch
from asr.augment.specaug import SpecAugment

__all__ = ["SpecAugment", "mixup_batch"]
