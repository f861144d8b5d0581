"""Make tests importable as a package (for conftest helpers)."""
