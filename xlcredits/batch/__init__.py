"""Batch: many facilities and returns at once, with a Form 3800 summary."""
