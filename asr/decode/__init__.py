"""Decoding: CTC greedy and prefix beam search (attention rescoring and WFST decoding build on them)."""
