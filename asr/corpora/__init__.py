"""Corpus download and preparation (download_<corpus>, prepare_<corpus>)."""
