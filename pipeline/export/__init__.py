"""Publish pipeline run folders as a Hugging Face dataset (Arrow, Parquet and a dataset card)."""
