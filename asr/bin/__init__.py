"""Command-line entry points called by steps/ and utils/."""
