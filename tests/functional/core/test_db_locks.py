"""serialise(): transactions naming the same thing run one after the other, on SQLite and on
PostgreSQL, and a database that stays busy raises an error pyramid_retry retries."""

from __future__ import annotations

import threading
import time

import pytest
from pyramid_retry import IRetryableError
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from col_core.db import make_engine
from col_core.db.locks import serialise
from col_core.security.models import AuthAttempt


def test_a_second_transaction_waits_for_the_first_and_then_sees_its_writes(registry, col_database):
    # As the tables' owner: the lock, not row-level security, is under test.
    engine = make_engine(col_database.owner_url)
    seen = {}

    def second():
        with engine.begin() as connection:
            serialise(connection, "throttle:x")
            seen["at"] = time.monotonic()
            seen["rows"] = connection.scalars(select(AuthAttempt.key)).all()

    with engine.begin() as connection:
        serialise(connection, "throttle:x")
        connection.execute(
            AuthAttempt.__table__.insert(), {"kind": "login", "key": "first", "created_at": _now()}
        )
        waiting = threading.Thread(target=second)
        waiting.start()
        time.sleep(0.5)
        assert "at" not in seen  # still waiting
        committed = time.monotonic()
    waiting.join(timeout=20)
    engine.dispose()
    assert seen["at"] >= committed and seen["rows"] == ["first"]


def test_a_database_that_stays_busy_raises_a_retryable_error(registry, col_database):
    if col_database.is_postgresql:
        pytest.skip("SQLite's busy error; PostgreSQL waits for advisory locks")
    engine = registry["col.engine"]
    with engine.begin() as holder:
        serialise(holder, "anything")  # holds SQLite's write lock
        with engine.connect() as impatient:
            impatient.exec_driver_sql("PRAGMA busy_timeout = 0")
            with pytest.raises(OperationalError) as raised:
                serialise(impatient, "anything")
            impatient.rollback()
            impatient.exec_driver_sql("PRAGMA busy_timeout = 10000")
    assert IRetryableError.providedBy(raised.value)


def _now():
    from col_core.db.meta import utcnow

    return utcnow()


def test_a_request_that_finds_the_database_busy_is_retried_then_told_to_come_back(
    registry, col_database, factories, people, monkeypatch
):
    if col_database.is_postgresql:
        pytest.skip("SQLite's busy error")
    import col_core.db

    city = factories.tenant("vilnius")
    user = people.user()
    client = people.client(city, user)
    token = {"Authorization": f"Bearer {people.token(user)}"}
    engine = registry["col.engine"]
    monkeypatch.setattr(col_core.db, "SQLITE_BUSY_TIMEOUT_MS", 300)
    engine.dispose()  # new connections wait 0.3 s for the lock
    try:
        with engine.begin() as holder:
            serialise(holder, "anything")
            started = time.monotonic()
            # Requests that write: a new token (with the browser's session), a profile.
            response = client.post_json(
                "/api/v1/tokens", {"name": "new", "scope": "read"}, status=503
            )
            # Three attempts (pyramid_retry's default), each waiting for the lock.
            assert time.monotonic() - started >= 0.9
            page = client.post("/account", {"display_name": "Ana"}, status=503)
        assert response.headers["Retry-After"] == "5" == page.headers["Retry-After"]
        assert "Please try again in a moment" in response.json["error"]
        assert "Please try again in a moment" in page.text
        assert client.get("/api/v1/me", headers=token).json["id"]  # the lock is free: all is well
    finally:
        monkeypatch.undo()
        engine.dispose()
