"""Hindi → English translation and summarization pipeline.

Importing the package imports nothing heavy: torch and transformers load with the first model, so evaluation and
export (which only score and copy text) never pay for them.
"""

__version__ = "0.1.0"
