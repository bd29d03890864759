"""Accuracy of evidence records against hand-written gold files (docs/evaluation.md)."""
