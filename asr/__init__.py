"""Kaldi-style speech recognition toolkit: data dirs, features, models, decoding, scoring."""
