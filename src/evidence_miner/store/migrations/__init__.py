"""Alembic migrations of the store's schema (run by store.migrate, never by hand-made DDL)."""
