"""Hindi → English translation and summarization pipeline."""

from .models.indictrans import register_auto_classes

__version__ = "0.1.0"

register_auto_classes()
