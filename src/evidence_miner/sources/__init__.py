"""Sources stage: read saved files, archives and fetched documents into Page records."""
