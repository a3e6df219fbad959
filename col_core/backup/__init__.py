"""Backups of a whole deployment (``col backup`` / ``col restore``).

The database is copied by its own engine's tools, never by a home-made format: SQLite's online
backup API (a consistent copy while the app runs) and PostgreSQL's ``pg_dump --format=custom`` /
``pg_restore``.  The stored files go beside it in one tar archive with a manifest (format
version, alembic heads, creation time, SHA-256 of every member).  See docs/deployment.md,
"Backups and moving a city".
"""
