"""A session that row-level security does not bind, to test the ORM wall on its own."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy.orm import Session

from col_core.db import make_engine


@contextlib.contextmanager
def owner_session(registry) -> Iterator[Session]:
    """A session on the test database as its owner (on PostgreSQL, a role that row-level
    security lets through), so only the ORM wall stands between it and other cities' rows.
    Nothing it does is committed."""
    settings = registry.settings
    engine = make_engine(settings["col.database_owner_url"] or settings["col.database_url"])
    session = Session(bind=engine)
    try:
        yield session
    finally:
        session.rollback()
        session.close()
        engine.dispose()
