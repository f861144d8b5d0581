"""Output units of end-to-end models: characters, words or sentencepiece BPE pieces."""

from asr.units.units import UNIT_TYPES, Units, load_units, train_units

__all__ = ["UNIT_TYPES", "Units", "load_units", "train_units"]
