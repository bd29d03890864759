"""The scheduled crawls: sources file, scheduler, locks and run log."""
