"""Small shared helpers: atomic file writes, Kaldi text tables, logging."""
