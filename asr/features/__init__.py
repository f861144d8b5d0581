"""Kaldi-compatible feature extraction (fbank, MFCC) and CMVN."""
