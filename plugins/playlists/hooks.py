"""The playlists plugin's hook implementations."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup
from pyramid.i18n import TranslationStringFactory
from pyramid.renderers import render
from sqlalchemy import select

from col_core.hookspecs import NavItem, Report, Section, SkillSubject, hookimpl
from col_core.security.validation import record_id
from col_core.tenancy import get_city_row
from plugins.playlists.interfaces import IPlaylistBuilder, IPlaylistProgress
from plugins.playlists.models import Playlist, PlaylistEnrolment
from plugins.playlists.resources import can_see
from plugins.playlists.search import KIND, document, is_listed
from plugins.playlists.skills import SUBJECT, skill_tags

if TYPE_CHECKING:
    from plugins.map.hookspecs import MapGroup

_ = TranslationStringFactory("col_playlists")
SECTION = "plugins.playlists:templates/section.jinja2"


@hookimpl
def col_migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def col_cli_commands() -> list:
    from plugins.playlists.cli import playlists

    return [playlists]


@hookimpl
def col_activity_completed(request, activity, participation) -> None:
    request.find_service(IPlaylistProgress).activity_completed(activity, participation.user)


@hookimpl
def col_badge_awarded(request, assertion) -> None:
    # An activity's badge awarded by other means (claim code, organiser) also proves the
    # activity done; playlist badges themselves are not activities and are ignored.
    # Only what the hookspec promises of every assertion is relied upon; callers that pass a
    # lighter object (another plugin's tests, imports) simply do not advance playlists.
    badge_class = getattr(assertion, "badge_class", None)
    user = getattr(assertion, "user", None)
    if badge_class is None or user is None:
        return
    if badge_class.subject_type != "activity":
        return
    from col_core.activities.models import Activity

    activity = get_city_row(request.dbsession, Activity, badge_class.subject_id)
    if activity is None:
        return
    progress = request.find_service(IPlaylistProgress)
    progress.activity_completed(activity, user)


@hookimpl
def col_search_documents(request, tenant) -> list:
    found = request.dbsession.scalars(select(Playlist).where(Playlist.status == "published"))
    return [document(playlist) for playlist in found if is_listed(playlist)]


@hookimpl
def col_skill_subjects(request, uris) -> list:
    tags = skill_tags(request)
    ids = list(tags.subjects(SUBJECT, uris)) if tags is not None else []
    if not ids:
        return []
    found = request.dbsession.scalars(
        select(Playlist)
        .where(
            Playlist.id.in_(ids), Playlist.status == "published", Playlist.visibility == "public"
        )
        .order_by(Playlist.title)
    ).all()
    kind = request.localizer.translate(_("Playlist"))
    return [
        SkillSubject(kind, p.title, request.route_path("playlists.page", id=p.id)) for p in found
    ]


@hookimpl
def col_analytics_reports(request, organisation) -> list:
    """A dashboard per playlist of the organisation, linked from its organiser dashboard."""
    kind = request.localizer.translate(_("Playlist"))
    return [
        Report(kind, playlist.title, request.route_url("playlists.analytics", id=playlist.id))
        for playlist in request.find_service(IPlaylistBuilder).for_organisation(organisation)
    ]


@hookimpl
def col_map_group(request, group) -> MapGroup | None:
    """``playlist:<id>``: the playlist's activities, for whoever may see its page (drafts only
    for their organisers); another city's playlist is never found (tenant-scoped)."""
    kind, _sep, key = group.partition(":")
    playlist_id = record_id(key)
    if kind != KIND or playlist_id is None:
        return None
    playlist = request.find_service(IPlaylistBuilder).get(playlist_id)
    if playlist is None:
        return None
    enrolled = request.find_service(IPlaylistProgress).enrolment(playlist, request.user) is not None
    if not can_see(request, playlist, enrolled):
        return None
    # The map plugin's type, imported only when its hook is called (playlists work without it).
    from plugins.map.hookspecs import MapGroup

    return MapGroup(
        title=playlist.title,
        activity_ids=tuple(str(item.activity_id) for item in playlist.items),
        url=request.route_url("playlists.page", id=playlist.id),
        heading=request.localizer.translate(
            _("Activities of the playlist “${title}”", mapping={"title": playlist.title})
        ),
    )


@hookimpl
def col_navigation(request) -> list:
    if request.tenant.is_global:
        return []
    return [
        NavItem(
            title=request.localizer.translate(_("Playlists")),
            url=request.route_url("playlists.list"),
            order=30,
        )
    ]


def _section(request, title, playlists, order, **extra) -> Section:
    html = render(SECTION, {"playlists": playlists, **extra}, request=request)
    return Section(
        title=request.localizer.translate(title), html=Markup(html), order=order, id="playlists"
    )


@hookimpl
def col_home_sections(request) -> list:
    if request.tenant.is_global:
        return []
    playlists = request.dbsession.scalars(
        select(Playlist)
        .where(Playlist.status == "published", Playlist.visibility == "public")
        .order_by(Playlist.published_at.desc())
        .limit(4)
    ).all()
    if not playlists:
        return []
    return [
        _section(
            request,
            _("Learning playlists"),
            playlists,
            30,
            more_url=request.route_url("playlists.list"),
            more_text=request.localizer.translate(_("All playlists")),
        )
    ]


@hookimpl
def col_profile_sections(request, user) -> list:
    # Progress is the learner's own business: shown on their own profile only.
    if (
        request.tenant.is_global
        or user is None
        or request.user is None
        or request.user.id != user.id
    ):
        return []
    enrolments = request.dbsession.scalars(
        select(PlaylistEnrolment)
        .where(PlaylistEnrolment.user_id == user.id)
        .order_by(PlaylistEnrolment.started_at.desc())
    ).all()
    if not enrolments:
        return []
    service = request.find_service(IPlaylistProgress)
    progress = {e.playlist_id: service.progress(e).percent for e in enrolments}
    return [
        _section(
            request, _("My playlists"), [e.playlist for e in enrolments], 40, progress=progress
        )
    ]


@hookimpl
def col_map_suggestions(request, user) -> list:
    """The next step of each playlist the learner follows (the map's "For you")."""
    from plugins.map.hookspecs import Suggestion

    translate = request.localizer.translate
    return [
        Suggestion(
            item.activity_id,
            translate(
                _("Next in your playlist “${playlist}”", mapping={"playlist": playlist.title})
            ),
        )
        for playlist, item in request.find_service(IPlaylistProgress).next_steps(user)
    ]


@hookimpl
def col_dashboard_sections(request, organisation) -> list:
    playlists = request.dbsession.scalars(
        select(Playlist)
        .where(Playlist.organisation_id == organisation.id)
        .order_by(Playlist.id.desc())
    ).all()
    return [
        _section(
            request,
            _("Playlists"),
            playlists,
            40,
            new_url=request.route_url("playlists.new", slug=organisation.slug),
            more_url=request.route_url("playlists.templates", slug=organisation.slug),
            more_text=request.localizer.translate(_("Start from another city's template")),
        )
    ]


@hookimpl
def col_seed_demo(request, tenant) -> list[str] | None:
    from plugins.playlists.demo import seed

    return seed(request, tenant)


@hookimpl
def col_metrics(request, scope, period) -> list:
    """Playlists on offer at the end of the period, learners who started one in it and
    playlists completed in it; a city's or an organisation's (playlists are not an activity's)."""
    from sqlalchemy import func

    from col_core.hookspecs import Metric
    from col_core.organisations.models import Organisation
    from col_core.tenancy.models import Tenant

    if not isinstance(scope, (Tenant, Organisation)):
        return []

    def scoped(query):
        return (
            query.where(Playlist.organisation_id == scope.id)
            if isinstance(scope, Organisation)
            else query
        )

    def enrolments(counted):
        return scoped(
            select(func.count(counted)).join(Playlist, Playlist.id == PlaylistEnrolment.playlist_id)
        )

    start, end = period.bounds()
    offered = scoped(
        select(func.count(Playlist.id)).where(
            Playlist.status == "published", Playlist.published_at < end
        )
    )
    started = enrolments(PlaylistEnrolment.user_id.distinct()).where(
        PlaylistEnrolment.started_at >= start, PlaylistEnrolment.started_at < end
    )
    completed = enrolments(PlaylistEnrolment.id).where(
        PlaylistEnrolment.completed_at >= start, PlaylistEnrolment.completed_at < end
    )
    t, db = request.localizer.translate, request.dbsession
    return [
        Metric(
            "playlists.offered",
            t(_("Playlists offered")),
            db.scalar(offered),
            people=False,
            order=55,
            public=True,
        ),
        Metric(
            "playlists.learners",
            t(_("Learners who started a playlist")),
            db.scalar(started),
            order=56,
            public=True,
        ),
        Metric(
            "playlists.completions",
            t(_("Playlists completed")),
            db.scalar(completed),
            order=57,
            public=True,
        ),
    ]


@hookimpl
def col_account_export(request, user) -> dict[str, bytes]:
    """The playlists the person follows in every city: items completed and badges earned."""
    import json

    from col_core.activities.models import Activity
    from col_core.tenancy.models import Tenant
    from col_core.tenancy.scoping import cross_tenant
    from plugins.playlists.models import ItemCompletion, PlaylistItem

    session = request.dbsession

    def completed(enrolment) -> list[dict]:
        return [
            {"activity_id": activity_id, "activity": title, "completed_at": at.isoformat()}
            for at, activity_id, title in session.execute(
                # Read across cities: naming the city in each join and in the filter keeps the
                # query on the enrolment's city alone (one shard, with Citus).
                select(ItemCompletion.completed_at, Activity.id, Activity.title)
                .join(
                    PlaylistItem,
                    (PlaylistItem.tenant_id == ItemCompletion.tenant_id)
                    & (PlaylistItem.id == ItemCompletion.item_id),
                )
                .join(
                    Activity,
                    (Activity.tenant_id == PlaylistItem.tenant_id)
                    & (Activity.id == PlaylistItem.activity_id),
                )
                .where(
                    ItemCompletion.tenant_id == enrolment.tenant_id,
                    ItemCompletion.enrolment_id == enrolment.id,
                )
                .order_by(ItemCompletion.completed_at)
            )
        ]

    # An account spans cities, so its export deliberately reads across tenants.
    with cross_tenant(session):
        cities = dict(session.execute(select(Tenant.id, Tenant.slug)).all())
        enrolments = [
            {
                "city": cities.get(enrolment.tenant_id),
                "playlist_id": enrolment.playlist_id,
                "playlist": enrolment.playlist.title,
                "started_at": enrolment.started_at.isoformat(),
                "completed_at": enrolment.completed_at and enrolment.completed_at.isoformat(),
                "items_completed": completed(enrolment),
                "awards": [
                    {
                        "milestone": award.badge.threshold or "completion",
                        "status": award.status,
                        "badge": award.assertion_uid or None,
                    }
                    for award in enrolment.awards
                ],
            }
            for enrolment in session.scalars(
                select(PlaylistEnrolment)
                .where(PlaylistEnrolment.user_id == user.id)
                .order_by(PlaylistEnrolment.started_at)
            )
        ]
    return {
        "playlists/enrolments.json": json.dumps(enrolments, indent=2, ensure_ascii=False).encode()
    }
