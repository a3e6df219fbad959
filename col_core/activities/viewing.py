"""Learners' views of activity pages: counted in the process during the GET, written later in
batches through the ``col_activities_viewed`` hook (see ``col_core.db.tallies``)."""

from __future__ import annotations

from collections import defaultdict

from col_core.db.meta import utcnow

ACTIVITY_VIEWS = "activity_views"


def count_view(request, activity) -> None:
    request.registry["col.tallies"].note(
        ACTIVITY_VIEWS, activity.tenant_id, (utcnow().date(), activity.id)
    )


def announce_views(request, counts: dict) -> None:
    """The tally's flush: ``counts`` is ``{(day, activity id): n}`` of ``request.tenant``."""
    by_day: defaultdict = defaultdict(dict)
    for (day, activity_id), views in counts.items():
        by_day[day][activity_id] = views
    announce = request.hooks.col_activities_viewed
    for day in sorted(by_day):
        announce(request=request, day=day, views=by_day[day])
