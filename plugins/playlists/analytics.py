"""A playlist's dashboard for its organisers, built on the core's analytics service and tables.

Counts are SQL aggregates over the playlist's own rows (enrolments, item completions, awards).
Counts of people go through ``IAnalyticsService.protect``, so the tables (which organisers
export and pass on) follow the city's small-group rule like the core's dashboards; the
participants' progress lists learners by name for the organisers, as an activity's does.
Badges are counted from the playlist's awards: issued through the badges plugin's service, or
waiting while that plugin is not available in the city.
"""

from __future__ import annotations

from pyramid.i18n import TranslationStringFactory
from sqlalchemy import func, select

from col_core.activities.models import Activity
from col_core.analytics.interfaces import IAnalyticsService
from col_core.analytics.services import month_of
from col_core.analytics.tables import Table
from col_core.security.models import User
from plugins.playlists.awarding import issuer
from plugins.playlists.models import ItemCompletion, PlaylistAward, PlaylistEnrolment, PlaylistItem

_ = TranslationStringFactory("col_playlists")


def playlist_tables(request, playlist, period) -> list[Table]:
    analytics = request.find_service(IAnalyticsService)
    return [
        _summary(request, analytics, playlist, period),
        _items(request, analytics, playlist, period),
        _trend(request, analytics, playlist, period),
        _participants(request, playlist),
    ]


def _between(column, period):
    start, end = period.bounds()
    return (column >= start, column < end)


def _summary(request, analytics, playlist, period) -> Table:
    t, db, protect = request.localizer.translate, request.dbsession, analytics.protect
    own = PlaylistEnrolment.playlist_id == playlist.id
    started = db.scalar(
        select(func.count(PlaylistEnrolment.id)).where(
            own, *_between(PlaylistEnrolment.started_at, period)
        )
    )
    completed = db.scalar(
        select(func.count(PlaylistEnrolment.id)).where(
            own, *_between(PlaylistEnrolment.completed_at, period)
        )
    )
    awards = (
        select(func.count(PlaylistAward.id))
        .join(PlaylistEnrolment, PlaylistEnrolment.id == PlaylistAward.enrolment_id)
        .where(own)
    )
    issued = db.scalar(
        awards.where(PlaylistAward.status == "issued", *_between(PlaylistAward.created_at, period))
    )
    waiting = db.scalar(awards.where(PlaylistAward.status == "pending"))
    note = (
        ""
        if issuer(request) is not None
        else t(
            _(
                "Badges are not available in this city now: badges learners earn wait here and are "
                "issued as soon as they are."
            )
        )
    )
    return Table(
        "summary",
        t(_("At a glance")),
        [("figure", t(_("Figure"))), ("value", t(_("Value")))],
        [
            [t(_("Learners who started")), protect(started)],
            [t(_("Learners who completed")), protect(completed)],
            [t(_("Badges issued")), protect(issued)],
            [t(_("Badges waiting to be issued (now)")), protect(waiting)],
        ],
        chart="bar",
        note=note,
    )


def _items(request, analytics, playlist, period) -> Table:
    t, db = request.localizer.translate, request.dbsession
    done = dict(
        db.execute(
            select(ItemCompletion.item_id, func.count(ItemCompletion.id))
            .join(PlaylistItem, PlaylistItem.id == ItemCompletion.item_id)
            .where(
                PlaylistItem.playlist_id == playlist.id,
                *_between(ItemCompletion.completed_at, period),
            )
            .group_by(ItemCompletion.item_id)
        ).all()
    )
    items = db.execute(
        select(PlaylistItem.id, Activity.title, PlaylistItem.mandatory)
        .join(Activity, Activity.id == PlaylistItem.activity_id)
        .where(PlaylistItem.playlist_id == playlist.id)
        .order_by(PlaylistItem.position, PlaylistItem.id)
    ).all()
    kinds = {True: t(_("Mandatory")), False: t(_("Optional"))}
    return Table(
        "items",
        t(_("Completions per activity")),
        [
            ("activity", t(_("Activity"))),
            ("kind", t(_("Mandatory or optional"))),
            ("completions", t(_("Completions"))),
        ],
        [
            [title, kinds[mandatory], analytics.protect(done.get(item_id, 0))]
            for item_id, title, mandatory in items
        ],
        chart="bar",
    )


def _trend(request, analytics, playlist, period) -> Table:
    t, db = request.localizer.translate, request.dbsession
    dialect = db.get_bind().dialect.name
    by_month = {}
    for key, column in (
        ("starts", PlaylistEnrolment.started_at),
        ("completions", PlaylistEnrolment.completed_at),
    ):
        month = month_of(column, dialect)
        by_month[key] = dict(
            db.execute(
                select(month, func.count(PlaylistEnrolment.id))
                .where(PlaylistEnrolment.playlist_id == playlist.id, *_between(column, period))
                .group_by(month)
            ).all()
        )
    return Table(
        "trend",
        t(_("Trend by month")),
        [
            ("month", t(_("Month"))),
            ("starts", t(_("Learners who started"))),
            ("completions", t(_("Learners who completed"))),
        ],
        [
            [analytics.month_label(month)]
            + [analytics.protect(by_month[key].get(month, 0)) for key in by_month]
            for month in period.months()
        ],
        chart="line",
    )


def _participants(request, playlist) -> Table:
    """Every learner following the playlist (whatever the period), with their progress."""
    t, db = request.localizer.translate, request.dbsession
    own = PlaylistEnrolment.playlist_id == playlist.id
    done = dict(
        db.execute(
            select(ItemCompletion.enrolment_id, func.count(ItemCompletion.id))
            .join(PlaylistEnrolment, PlaylistEnrolment.id == ItemCompletion.enrolment_id)
            .where(own)
            .group_by(ItemCompletion.enrolment_id)
        ).all()
    )
    badges = dict(
        db.execute(
            select(PlaylistAward.enrolment_id, func.count(PlaylistAward.id))
            .join(PlaylistEnrolment, PlaylistEnrolment.id == PlaylistAward.enrolment_id)
            .where(own, PlaylistAward.status == "issued")
            .group_by(PlaylistAward.enrolment_id)
        ).all()
    )
    total = len(playlist.items)
    rows = db.execute(
        select(
            PlaylistEnrolment.id,
            User.display_name,
            PlaylistEnrolment.started_at,
            PlaylistEnrolment.completed_at,
        )
        .join(User, User.id == PlaylistEnrolment.user_id)
        .where(own)
        .order_by(PlaylistEnrolment.started_at, PlaylistEnrolment.id)
    ).all()
    return Table(
        "participants",
        t(_("Participants' progress")),
        [
            ("name", t(_("Participant"))),
            ("started", t(_("Started on"))),
            ("done", t(_("Activities completed"))),
            ("items", t(_("Activities"))),
            ("completed", t(_("Completed on"))),
            ("badges", t(_("Badges issued"))),
        ],
        [
            [
                name,
                started.date().isoformat(),
                done.get(id_, 0),
                total,
                completed.date().isoformat() if completed else "",
                badges.get(id_, 0),
            ]
            for id_, name, started, completed in rows
        ],
    )
