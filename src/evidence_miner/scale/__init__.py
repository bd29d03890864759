"""Dask wiring: a local cluster or an existing scheduler, batches of pages out, results back."""
