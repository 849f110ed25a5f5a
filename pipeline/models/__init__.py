"""Model families implemented in this project (rather than loaded as remote code)."""
