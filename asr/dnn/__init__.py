"""Hybrid HMM-DNN acoustic models, trained on GMM-HMM alignments.

- :mod:`~asr.dnn.tdnn`: the TDNN (dilated 1-d convolutions, one output per pdf).
- :mod:`~asr.dnn.frames`: frame-level data from features and pdf alignments, batches,
  state priors.
- :mod:`~asr.dnn.specaug`: SpecAugment-style masking.
- :mod:`~asr.dnn.train`: the cross-entropy training loop with dev-set model selection.
- :mod:`~asr.dnn.decodable`: scaled log-likelihoods (log posterior minus log prior) for
  :class:`asr.decode.hybrid.HybridDecoder`.
- :mod:`~asr.dnn.model_dir`: the self-contained model dir.
"""
