"""Decoding graphs: the HMM transducer H (:mod:`~asr.graph.hmm_fst`) and its composition
with the lexicon and grammar into ``HCLG.fst`` and per-utterance training graphs
(:mod:`~asr.graph.compile`)."""
