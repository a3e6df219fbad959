"""Discovering something unexpected: surprise picks, soon and nearby, and suggestions that say why.

Every suggestion carries its reason, so a learner can see why it was offered ("because you
joined ...", "in a category you like", "happening soon").
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from pyramid.i18n import TranslationStringFactory
from sqlalchemy import func, select

from col_core.activities.fields import category_names
from col_core.activities.models import Activity, Participation
from col_core.activities.search import ISearchService
from col_core.activities.search.query import SearchQuery
from col_core.web.public import document_url

_ = TranslationStringFactory("col_map")
SOON = dt.timedelta(days=7)


@dataclass
class Pick:
    title: str
    url: str
    starts_at: dt.datetime | None
    reason: str  # translated


def _pick(request, document, reason) -> Pick:
    return Pick(document.title, document_url(request, document), document.starts_at, reason)


def happening_soon(request, near=None, limit=5) -> list[Pick]:
    now = dt.datetime.now(dt.UTC)
    query = SearchQuery(
        kinds=("activity",),
        date_from=now,
        date_to=now + SOON,
        sort="date",
        limit=limit,
        facets=False,
        near=near,
        within_km=10 if near else None,
    )
    results = request.find_service(ISearchService).search(query)
    reason = request.localizer.translate(
        _("Happening soon near you") if near else _("Happening in the next 7 days")
    )
    return [_pick(request, hit.document, reason) for hit in results.hits]


def surprise(request, rng=random) -> Pick | None:
    """A random upcoming activity: any of them, equally likely."""
    search = request.find_service(ISearchService)
    total = search.search(
        SearchQuery(kinds=("activity",), limit=1, facets=False, count_limit=None)
    ).total
    if not total:
        return None
    hits = search.search(
        SearchQuery(
            kinds=("activity",), sort="date", limit=1, facets=False, offset=rng.randrange(total)
        )
    ).hits
    reason = request.localizer.translate(_("Picked at random: try something new"))
    return _pick(request, hits[0].document, reason) if hits else None


def because_you_joined(request, user, limit=3) -> list[Pick]:
    """Discoverable activities that learners who joined the same activities as ``user`` joined
    too, most shared first, each explained by one of the user's own activities."""
    session = request.dbsession
    mine = select(Participation.activity_id).where(
        Participation.user_id == user.id, Participation.status == "joined"
    )
    peers = (
        select(Participation.user_id, Participation.activity_id.label("via"))
        .where(Participation.activity_id.in_(mine), Participation.user_id != user.id)
        .subquery()
    )
    rows = session.execute(
        select(Participation.activity_id, func.min(peers.c.via), func.count())
        .join(peers, peers.c.user_id == Participation.user_id)
        .where(Participation.activity_id.not_in(mine), Participation.status == "joined")
        .group_by(Participation.activity_id)
        .order_by(func.count().desc(), Participation.activity_id)
        .limit(limit * 3)
    ).all()
    ids = {row[0] for row in rows} | {row[1] for row in rows}
    activities = {a.id: a for a in session.scalars(select(Activity).where(Activity.id.in_(ids)))}
    picks = []
    for activity_id, via, _count in rows:
        activity = activities.get(activity_id)
        if activity is None or not activity.is_discoverable:
            continue
        reason = request.localizer.translate(
            _("Because you joined “${title}”", mapping={"title": activities[via].title})
        )
        picks.append(
            Pick(
                activity.title,
                request.route_url("activity", id=activity.id),
                activity.starts_at,
                reason,
            )
        )
    return picks[:limit]


def from_your_interests(request, user, limit=3) -> list[Pick]:
    """Upcoming activities, not joined yet, in the category ``user`` joins most."""
    session = request.dbsession
    joined = select(Participation.activity_id).where(
        Participation.user_id == user.id, Participation.status == "joined"
    )
    favourite = session.execute(
        select(Activity.category)
        .where(Activity.id.in_(joined), Activity.category != "")
        .group_by(Activity.category)
        .order_by(func.count().desc(), Activity.category)
        .limit(1)
    ).scalar()
    if favourite is None:
        return []
    mine = {str(i) for i in session.scalars(joined)}
    hits = (
        request.find_service(ISearchService)
        .search(
            SearchQuery(
                kinds=("activity",),
                categories=(favourite,),
                sort="date",
                limit=limit + len(mine),
                facets=False,
            )
        )
        .hits
    )
    name = category_names(request.tenant, request.locale_name).get(favourite, favourite)
    reason = request.localizer.translate(
        _("Because you like ${category}", mapping={"category": name})
    )
    return [_pick(request, hit.document, reason) for hit in hits if hit.document.key not in mine][
        :limit
    ]


def home_picks(request) -> dict:
    user = getattr(request, "user", None)
    suggested = []
    if user is not None:
        suggested = because_you_joined(request, user)
        seen = {pick.url for pick in suggested}
        suggested += [pick for pick in from_your_interests(request, user) if pick.url not in seen]
    return {
        "soon": happening_soon(request),
        "suggested": suggested,
        "surprise_url": request.route_url("map.surprise"),
        # The map asks the browser where the learner is (locate=1), then sorts by distance.
        "near_url": request.route_url(
            "map",
            _query={
                "locate": "1",
                "from": dt.date.today().isoformat(),
                "to": (dt.date.today() + SOON).isoformat(),
            },
        ),
    }
