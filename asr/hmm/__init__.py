"""GMM-HMM acoustic models, Kaldi style.

- :mod:`~asr.hmm.transition` maps HMM states of the topology to pdf ids and transition ids
  (Kaldi's ``TransitionModel``) and re-estimates transition probabilities.
- :mod:`~asr.hmm.gmm` holds diagonal-covariance GMMs for every pdf (EM, Gaussian splitting).
- :mod:`~asr.hmm.model` joins them into a saved acoustic model (``final.mdl``);
  :mod:`~asr.hmm.model_dir` reads and writes the self-contained model dir.
- :mod:`~asr.hmm.feats` reads features with CMVN and deltas as a model expects them.
- :mod:`~asr.hmm.align` builds training graphs, equal and Viterbi (forced) alignments.
- :mod:`~asr.hmm.train_mono` is the monophone training loop (flat start, realignment).
"""
