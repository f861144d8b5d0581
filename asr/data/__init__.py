"""Kaldi data directories: reading, writing, validation, audio."""
