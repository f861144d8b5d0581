"""Lexicons, phone sets, HMM topologies, lexicon and grammar FSTs: Kaldi's ``data/lang``.

- :mod:`~asr.lang.prepare` turns a dictionary dir (:mod:`~asr.lang.dict_dir`) into a lang
  dir: ``phones.txt``, ``words.txt``, ``topo`` (:mod:`~asr.lang.topology`), ``L.fst`` and
  ``L_disambig.fst`` (:mod:`~asr.lang.lexicon_fst`), ``phones/*``.
- :mod:`~asr.lang.lang` loads a lang dir back (:class:`~asr.lang.lang.Lang`) for graph
  building and HMM training.
- :mod:`~asr.lang.ngram` trains Witten-Bell n-gram LMs and reads/writes ARPA files;
  :mod:`~asr.lang.grammar` makes ``G.fst`` from an ARPA file or as a word loop.
"""
