"""Charts a person can read: month labels thinned and slanted so none overlap, figures written
the way the reader's language writes numbers."""

from __future__ import annotations

import datetime as dt
import re

from col_core.analytics.charts import MAX_X_LABELS
from col_core.analytics.testing import set_city_total
from col_core.db.meta import utcnow


def _chart(page, key):
    return str(page.html.find(id=f"t-{key}").parent.find("svg"))


def _x_labels(svg) -> list[str]:
    """The months along the x axis (the y axis's labels are figures)."""
    texts = re.findall(r"<text[^>]*>([^<]+)</text>", svg)
    return [text for text in texts if re.search(r"\d{4}$", text)]


def test_two_years_of_months_do_not_crowd_the_axis(seeded, people):
    admin = people.client(seeded.city, seeded.admin)
    start = (utcnow().date() - dt.timedelta(days=730)).isoformat()
    svg = _chart(admin.get("/analytics", {"from": start}), "months")
    labels = _x_labels(svg)
    assert 2 <= len(labels) <= MAX_X_LABELS and "rotate(35" in svg
    # Six months fit as they are.
    labels = _x_labels(_chart(admin.get("/analytics"), "months"))
    assert len(labels) in (6, 7)


def test_chart_figures_are_in_the_readers_language(seeded, people, factories):
    set_city_total(factories, seeded.city, "joins", 5000)
    admin = people.client(seeded.city, seeded.admin)
    assert "5,000" in _chart(admin.get("/analytics"), "months")
    lithuanian = admin.get("/analytics", headers={"Accept-Language": "lt"})
    svg = _chart(lithuanian, "months")
    assert "5\xa0000" in svg and "5,000" not in svg
