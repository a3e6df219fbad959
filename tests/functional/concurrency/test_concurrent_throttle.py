"""Finding 13 of issue #14, performed: simultaneous attempts through gunicorn with 4 workers
never get past a throttle's limit (before the fix, 40 wrong passwords at once got 12 checked
instead of 5), and sign-up is throttled per address (55 accounts in 26 s before)."""

from __future__ import annotations

import re
from collections import Counter
from functools import partial

import pytest
from sqlalchemy import func, select

from col_core.security.models import User
from col_core.security.passwords import hash_password
from col_core.testing.servers import Client, burst

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery"


def browsers(server, city_host, count: int, page: str) -> list[Client]:
    """Visitors who opened ``page`` (so each has a session cookie and its CSRF token)."""
    clients = [Client(server.port, city_host) for _ in range(count)]
    for client, reply in zip(
        clients, burst(partial(client.get, page) for client in clients), strict=False
    ):
        client.csrf = re.search(r'name="csrf_token" value="([^"]+)"', reply.text).group(1)
    return clients


def test_bursts_of_attempts_stop_exactly_at_the_limits(
    serve, city_host, people, factories, registry
):
    limits = registry["col.throttle_limits"]
    server = serve("gunicorn", **{"col.signup_limit_per_address": "5"})

    # 40 wrong passwords for one account at the same moment: exactly 5 are checked.
    user = people.user("target", password_hash=hash_password(PASSWORD))
    attempts = browsers(server, city_host, 40, "/signin")
    replies = burst(
        partial(client.post_form, "/signin", {"email": user.email, "password": "wrong password!!"})
        for client in attempts
    )
    checked = limits["login"].per["account"]
    assert Counter(reply.status for reply in replies) == {400: checked, 429: 40 - checked}
    assert (
        sum("The email address or password is wrong." in reply.text for reply in replies) == checked
    )
    assert all(int(reply.headers["Retry-After"]) > 0 for reply in replies if reply.status == 429)
    # Even the right password now waits.
    [late] = browsers(server, city_host, 1, "/signin")
    assert late.post_form("/signin", {"email": user.email, "password": PASSWORD}).status == 429

    # 15 sign-ups at once from one address, 5 allowed: 5 accounts, 10 clear refusals.
    signups = browsers(server, city_host, 15, "/signup")
    replies = burst(
        partial(
            client.post_form,
            "/signup",
            {
                "display_name": f"Bot {number}",
                "email": f"bot{number}@example.org",
                "password": "a long enough passphrase",
                "birth_date": "1995-04-01",
                "accept": "on",
            },
        )
        for number, client in enumerate(signups)
    )
    assert Counter(reply.status for reply in replies) == {303: 5, 429: 10}
    refused = next(reply for reply in replies if reply.status == 429)
    assert "Too many accounts were created from your network" in refused.text
    assert int(refused.headers["Retry-After"]) > 0
    factories.session.expire_all()
    assert (
        factories.session.scalar(
            select(func.count()).select_from(User).where(User.email.like("bot%"))
        )
        == 5
    )
