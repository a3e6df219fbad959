"""Discovering something unexpected: surprise picks, soon and nearby, and suggestions that say why.

Every suggestion carries its reason, so a learner can see why it was offered ("because you
joined ...", "in a category you like", "happening soon").
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from babel.numbers import format_decimal
from pyramid.i18n import TranslationStringFactory
from sqlalchemy import func, select

from col_core.activities.models import Activity, Participation
from col_core.activities.schemas.fields import category_names
from col_core.activities.search import ISearchService
from col_core.activities.search.query import SearchQuery
from col_core.web.public import document_url

_ = TranslationStringFactory("col_map")
SOON = dt.timedelta(days=7)
SURPRISE_WINDOW = dt.timedelta(days=14)
SURPRISE_POOL = 60  # upcoming activities to pick a surprise from
NEAR_KM = 10  # "near" the learner, when their browser tells where they are
FOR_YOU = 6  # suggestions on the home page


@dataclass
class Pick:
    title: str
    url: str
    starts_at: dt.datetime | None
    reason: str  # translated
    cover: str | None = None  # a stored file's key
    category: str = ""


def _pick(request, document, reason) -> Pick:
    return Pick(
        document.title,
        document_url(request, document),
        document.starts_at,
        reason,
        (document.extra or {}).get("cover"),
        document.category or "",
    )


def happening_soon(request, near=None, limit=5) -> list[Pick]:
    hits = _coming_up(request, SOON, limit, near)
    reason = request.localizer.translate(
        _("Happening soon near you") if near else _("Happening in the next 7 days")
    )
    return [_pick(request, hit.document, reason) for hit in hits]


def _coming_up(request, within: dt.timedelta, limit: int, near=None) -> list:
    """The first ``limit`` activities of the next ``within``, soonest first (within
    ``NEAR_KM`` of ``near`` when given)."""
    now = dt.datetime.now(dt.UTC)
    query = SearchQuery(
        kinds=("activity",),
        date_from=now,
        date_to=now + within,
        sort="date",
        limit=limit,
        facets=False,
        near=near,
        within_km=NEAR_KM if near else None,
    )
    return request.find_service(ISearchService).search(query).hits


def surprise(request, user=None, near=None, rng=random) -> Pick | None:
    """One activity to try, and why: something coming up in the next two weeks (near the
    learner when their browser says where they are), not joined yet, preferably in a category
    the learner has never joined; else any upcoming activity, at random."""
    joined = _joined_categories(request, user)
    pool = _surprise_pool(request, near)
    candidates = [hit for hit in pool if hit.document.key not in joined]
    if not candidates:
        return _any_upcoming(request, rng)
    usual = set(joined.values())
    different = [hit for hit in candidates if hit.document.category not in usual]
    hit = rng.choice(different or candidates)
    something_new = bool(usual and different)
    reason = _surprise_reason(request, hit, new_category=something_new)
    return _pick(request, hit.document, reason)


def _surprise_pool(request, near) -> list:
    """What a surprise is picked from: the next two weeks near ``near``, else in the city."""
    nearby = _coming_up(request, SURPRISE_WINDOW, SURPRISE_POOL, near) if near else []
    return nearby or _coming_up(request, SURPRISE_WINDOW, SURPRISE_POOL)


def _joined_categories(request, user) -> dict[str, str]:
    """{activity key: its category} of what ``user`` joined (nothing for a visitor)."""
    if user is None:
        return {}
    rows = request.dbsession.execute(
        select(Activity.id, Activity.category)
        .join(Participation, Participation.activity_id == Activity.id)
        .where(Participation.user_id == user.id, Participation.status == "joined")
    )
    return {str(activity_id): category for activity_id, category in rows}


def _surprise_reason(request, hit, new_category: bool) -> str:
    translate = request.localizer.translate
    reasons = [translate(_("Coming up in the next two weeks"))]
    if hit.distance_km is not None:
        km = format_decimal(round(hit.distance_km, 1), locale=request.locale_name)
        reasons.append(translate(_("${km} km from you", mapping={"km": km})))
    if new_category and hit.document.category:
        names = category_names(request.tenant, request.locale_name)
        category = names.get(hit.document.category, hit.document.category)
        reasons.append(
            translate(
                _(
                    "Something new: you have not joined anything in ${category} yet",
                    mapping={"category": category},
                )
            )
        )
    return " · ".join(reasons)


def _any_upcoming(request, rng) -> Pick | None:
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
                activity.cover,
                activity.category,
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


def for_you(request, user, limit=FOR_YOU) -> list[Pick]:
    """A signed-in learner's suggestions, each once with its reason: what the plugins suggest
    (the next step of a playlist in progress, activities that build on the skills of their
    badges), then what people who joined the same activities joined, then their favourite
    category."""
    offered = [
        suggestion
        for answer in request.hooks.col_map_suggestions(request=request, user=user)
        for suggestion in answer or ()
    ]
    picks = _suggested(request, user, offered)
    seen = {pick.url for pick in picks}
    for pick in because_you_joined(request, user) + from_your_interests(request, user):
        if pick.url not in seen:
            seen.add(pick.url)
            picks.append(pick)
    return picks[:limit]


def _suggested(request, user, offered) -> list[Pick]:
    """The plugins' suggestions that ``user`` may see and has not joined, first reason first."""
    ids = {suggestion.activity_id for suggestion in offered}
    if not ids:
        return []
    session = request.dbsession
    activities = {
        activity.id: activity
        for activity in session.scalars(
            select(Activity).where(Activity.id.in_(ids), Activity.is_discoverable)
        )
    }
    joined = set(
        session.scalars(
            select(Participation.activity_id).where(
                Participation.user_id == user.id,
                Participation.activity_id.in_(ids),
                Participation.status == "joined",
            )
        )
    )
    picks: dict[int, Pick] = {}
    for suggestion in offered:
        activity = activities.get(suggestion.activity_id)
        if activity is None or activity.id in joined or activity.id in picks:
            continue
        url = request.route_url("activity", id=activity.id)
        picks[activity.id] = Pick(
            activity.title,
            url,
            activity.starts_at,
            suggestion.reason,
            activity.cover,
            activity.category,
        )
    return list(picks.values())


def home_picks(request) -> dict:
    user = getattr(request, "user", None)
    return {
        "soon": happening_soon(request),
        "suggested": for_you(request, user) if user is not None else [],
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
