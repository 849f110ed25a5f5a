"""Makes this folder a package, so wheels ship rouge.py for `evaluate.load(metric_path("rouge"))`."""
