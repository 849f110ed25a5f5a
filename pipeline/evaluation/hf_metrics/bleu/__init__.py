"""Makes this folder a package, so wheels ship bleu.py for `evaluate.load(metric_path("bleu"))`."""
