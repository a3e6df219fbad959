"""A headline figure never contradicts its table: both are read from the same rows, and each
cell is suppressed on its own (no "Badges issued: fewer than 5" beside 490 in the months)."""

from __future__ import annotations

import datetime as dt

from col_core.analytics.testing import table
from col_core.db.meta import utcnow

SUMS = {"Joins": "joins", "Completions": "completions", "Badges issued": "badges"}


def _dashboard(client, **params):
    payload = client.get("/api/v1/analytics/city", params=params).json
    headline = {row["figure"]: row["period"] for row in table(payload, "headline")["rows"]}
    return payload["min_group_size"], headline, table(payload, "months")["rows"]


def _shown(value) -> bool:
    return isinstance(value, int)


def test_headline_sums_are_the_sums_of_the_month_cells(seeded, people):
    _k, headline, months = _dashboard(people.client(seeded.city, seeded.admin))
    for figure, column in SUMS.items():
        assert headline[figure] == sum(r[column] for r in months if _shown(r[column])) > 0
    assert headline["Active learners"] == max(r["active"] for r in months if _shown(r["active"]))


def test_suppressed_cells_never_contradict_the_headline(seeded_k5, people, as_request):
    """The demo's six months of figures, over a period that cuts its first and last months."""
    from col_core.analytics.demo import seed_history

    with as_request(seeded_k5.city) as request:
        seed_history(request, seeded_k5.city)
    today = utcnow().date()
    period = {
        "from": (today - dt.timedelta(days=100)).isoformat(),
        "to": (today - dt.timedelta(days=20)).isoformat(),
    }
    admin = people.client(seeded_k5.city, seeded_k5.admin)
    for params in ({}, period):
        k, headline, months = _dashboard(admin, **params)
        for figure, column in {**SUMS, "Active learners": "active"}.items():
            cells = [row[column] for row in months]
            shown = [cell for cell in cells if _shown(cell)]
            hidden = len(cells) - len(shown)
            if not _shown(headline[figure]):
                assert shown == [], figure  # nothing in the table may exceed "fewer than k"
            elif column == "active":  # distinct learners: at least any month's, at most all
                assert max(shown, default=0) <= headline[figure] <= sum(shown) + hidden * (k - 1)
            else:
                assert sum(shown) <= headline[figure] <= sum(shown) + hidden * (k - 1), figure


def test_no_month_counts_learners_outside_the_period(seeded, people):
    """Learners joined today: a period ending yesterday has none, in its headline and months."""
    yesterday = (utcnow().date() - dt.timedelta(days=1)).isoformat()
    start = (utcnow().date().replace(day=1) - dt.timedelta(days=40)).isoformat()
    _k, headline, months = _dashboard(
        people.client(seeded.city, seeded.admin), **{"from": start, "to": yesterday}
    )
    assert headline["Active learners"] == {"fewer_than": 2}
    assert all(not _shown(row["active"]) for row in months)
