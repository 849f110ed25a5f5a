"""Makes this folder a package, so wheels ship chrf.py for `evaluate.load(metric_path("chrf"))`."""
