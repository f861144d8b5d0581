"""WER scoring in Kaldi formats and results reports."""
