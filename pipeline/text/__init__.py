"""Language-specific text handling shared by stages and evaluation."""
