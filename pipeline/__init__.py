"""Hindi → English translation and summarization pipeline."""

__version__ = "0.1.0"
