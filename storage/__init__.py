"""Persistence: SQLAlchemy models, the engine and unit-of-work helper, and migrations."""
