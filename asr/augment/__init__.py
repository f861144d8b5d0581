"""Training-time data augmentation on feature batches."""

from asr.augment.feature_noise import FeatureNoise, colored_noise_bank
from asr.augment.feature_reverb import FeatureReverb
from asr.augment.mixup import mixup_batch
from asr.augment.specaug import SpecAugment
from asr.augment.time_stretch import TimeStretch

__all__ = ["FeatureNoise", "FeatureReverb", "colored_noise_bank", "SpecAugment", "TimeStretch", "mixup_batch"]
