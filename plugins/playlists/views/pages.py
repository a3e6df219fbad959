"""Pages: the city's playlists, a playlist with the learner's progress, the builder, consent."""

from __future__ import annotations

import zoneinfo

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.i18n import TranslationStringFactory
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import or_, select

from col_core.activities.interfaces import ValidationFailed
from col_core.activities.models import Activity
from col_core.pictures.forms import PictureRejected, read_cover
from col_core.security.validation import record_id
from col_core.skills import SkillsRefused, has_picker, picker_context, posted_uris, read_picks
from col_core.web.public import city_tiles
from plugins.playlists import awarding
from plugins.playlists.interfaces import IPlaylistBuilder, IPlaylistProgress, IPlaylistTemplates
from plugins.playlists.models import Playlist
from plugins.playlists.resources import is_organiser
from plugins.playlists.search import KIND
from plugins.playlists.views.forms import form_values, read_form

_ = TranslationStringFactory("col_playlists")
T = "plugins.playlists:templates/"
MAP_PLUGIN = "map"


def _flash_back(request, playlist, message, route="playlists.page") -> HTTPSeeOther:
    request.session.flash(request.localizer.translate(message))
    return HTTPSeeOther(request.route_url(route, id=playlist.id))


@view_config(route_name="playlists.list", renderer=T + "list.jinja2", permission="view")
def list_page(request):
    playlists = request.dbsession.scalars(
        select(Playlist)
        .where(Playlist.status == "published", Playlist.visibility == "public")
        .order_by(Playlist.published_at.desc())
    ).all()
    return {"playlists": playlists}


def map_of(request, playlist) -> dict | None:
    """The small map's data, drawn with the map plugin's Leaflet (its static view of the XStatic
    package) when that plugin serves this city; None means the list alone."""
    if MAP_PLUGIN not in request.registry[
        "col.plugins"
    ].plugins or not request.tenant.plugin_enabled(MAP_PLUGIN):
        return None
    import xstatic.pkg.leaflet
    import xstatic.pkg.leaflet_markercluster

    points = [
        {
            "number": number,
            "title": item.activity.title,
            "lat": item.activity.latitude,
            "lon": item.activity.longitude,
            "url": request.route_url("activity", id=item.activity_id),
        }
        for number, item in enumerate(playlist.items, start=1)
        if item.activity.latitude is not None and item.activity.longitude is not None
    ]
    tile_url, attribution = city_tiles(request)
    return {
        "leaflet": xstatic.pkg.leaflet.BASE_DIR,
        # Markers close together are grouped, as on the map page: no target hides another.
        "cluster": xstatic.pkg.leaflet_markercluster.BASE_DIR,
        "points": points,
        # The city map showing only this playlist (the col_map_group hook resolves it).
        "url": request.route_url("map", _query={"group": f"{KIND}:{playlist.id}"}),
        "tile_url": tile_url,
        "attribution": attribution,
    }


@view_config(route_name="playlists.page", renderer=T + "page.jinja2", permission="view")
def playlist_page(context, request):
    playlist = context.playlist
    service = request.find_service(IPlaylistProgress)
    enrolment = context.enrolment
    progress = service.progress(enrolment) if enrolment else None
    return {
        "playlist": playlist,
        "enrolment": enrolment,
        "progress": progress,
        "organiser": is_organiser(request, playlist),
        "awards": enrolment.awards if enrolment else [],
        "map": map_of(request, playlist),
        "badges": awarding.badges_section(request, playlist),
    }


@view_config(route_name="playlists.start", request_method="POST", permission="learner")
def start(context, request):
    try:
        request.find_service(IPlaylistProgress).start(context.playlist, request.user)
    except ValidationFailed as error:
        return _flash_back(request, context.playlist, error.message)
    return _flash_back(request, context.playlist, _("You started this playlist. Good luck!"))


@view_config(route_name="playlists.new", request_method="POST", permission="org.member")
def new(context, request):
    playlist, _errors = request.find_service(IPlaylistBuilder).create(
        context.organisation, request.user, {"title": request.POST.get("title", "")}
    )
    return HTTPSeeOther(request.route_url("playlists.edit", id=playlist.id))


def _choices(request, playlist) -> list:
    """Activities the organiser may add: this city's published ones and their own drafts."""
    return request.dbsession.scalars(
        select(Activity)
        .where(
            Activity.status != "archived",
            or_(
                Activity.status == "published", Activity.organisation_id == playlist.organisation_id
            ),
        )
        .order_by(Activity.title)
    ).all()


def form_skills(playlist, values) -> list[str]:
    """The skills to show: those posted (when the form had the picker), those of the form's
    values, else the playlist's own."""
    if hasattr(values, "getall"):
        if has_picker(values):
            return posted_uris(values)
    elif "skills" in values:
        return values["skills"]
    return [skill["uri"] for skill in playlist.skills or ()]


def _editor(request, playlist, values, rows, errors, notice=None) -> dict:
    builder = request.find_service(IPlaylistBuilder)
    translate = request.localizer.translate
    activities = {a.id: a for a in _choices(request, playlist)}
    activities.update({item.activity_id: item.activity for item in playlist.items})
    return {
        "playlist": playlist,
        "values": values,
        "rows": rows,
        "activities": activities,
        "errors": {name: translate(text) for name, text in errors.items()},
        "problems": {name: translate(text) for name, text in builder.problems(playlist).items()},
        "acceptance": {item.activity_id: item.acceptance for item in playlist.items},
        "notice": notice,
        "skills": picker_context(
            request,
            form_skills(playlist, values),
            {skill["uri"]: skill.get("label", "") for skill in playlist.skills or ()},
        ),
    }


@view_config(
    route_name="playlists.edit",
    request_method="GET",
    renderer=T + "edit.jinja2",
    permission="org.member",
)
def edit_form(context, request):
    tz = zoneinfo.ZoneInfo(request.tenant.timezone or "UTC")
    values, rows = form_values(context.playlist, tz)
    return _editor(request, context.playlist, values, rows, {})


@view_config(
    route_name="playlists.edit",
    request_method="POST",
    renderer=T + "edit.jinja2",
    permission="org.member",
)
def edit(context, request):
    playlist = context.playlist
    builder = request.find_service(IPlaylistBuilder)
    values, rows = read_form(request.POST)
    try:
        picked = read_picks(request, request.POST, list(playlist.skills or ()))
    except SkillsRefused as error:
        request.response.status = 400
        return _editor(
            request,
            playlist,
            request.POST,
            rows,
            {"skills": error.message},
            _("Some fields need your attention."),
        )
    if picked is not None:
        values["skills"] = picked
    try:
        cover = read_cover(request, request.POST)
    except PictureRejected as error:
        request.response.status = 422
        return _editor(
            request,
            playlist,
            request.POST,
            rows,
            {"cover": error.message},
            _("Some fields need your attention."),
        )
    if cover.changed:
        values["cover"] = cover.key
        if cover.key is None:
            values["cover_alt"] = ""
    if request.POST.get("action") == "autosave":
        # The page's script saves a draft's fields as they are typed; items change on Save.
        if playlist.status != "draft":
            return Response(status=409)
        return Response(status=422 if builder.autosave(playlist, values) else 204)
    try:
        errors = builder.autosave(playlist, values)
        builder.set_items(playlist, rows)
    except ValidationFailed as error:
        # A live playlist changes all or nothing; a draft keeps its valid fields.
        if playlist.status != "draft":
            request.tm.doom()
        request.response.status = 422
        return _editor(request, playlist, request.POST, rows, error.fields, error.message)
    if errors:
        request.response.status = 422
        return _editor(
            request,
            playlist,
            request.POST,
            rows,
            errors,
            _("Saved, except the fields marked below."),
        )
    return _flash_back(request, playlist, _("Saved."), route="playlists.edit")


@view_config(
    route_name="playlists.publish",
    request_method="POST",
    renderer=T + "edit.jinja2",
    permission="org.publish",
)
def publish(context, request):
    playlist = context.playlist
    try:
        request.find_service(IPlaylistBuilder).publish(playlist)
    except ValidationFailed as error:
        request.response.status = 422
        values, rows = form_values(playlist, zoneinfo.ZoneInfo(request.tenant.timezone or "UTC"))
        return _editor(request, playlist, values, rows, error.fields, error.message)
    return _flash_back(request, playlist, _("Published: learners can start the playlist now."))


@view_config(
    route_name="playlists.consent",
    request_method="GET",
    renderer=T + "consent.jinja2",
    permission="org.member",
)
def consent_form(context, request):
    return {"item": context.item}


@view_config(
    route_name="playlists.consent",
    request_method="POST",
    renderer=T + "consent.jinja2",
    permission="org.member",
)
def consent(context, request):
    accept = request.POST.get("answer") == "accept"
    request.find_service(IPlaylistBuilder).answer(context.item, accept)
    request.session.flash(
        request.localizer.translate(
            _("Thank you: your activity stays in the playlist.")
            if accept
            else _("Your activity was taken out of the playlist's rule; its organisers were told.")
        )
    )
    return HTTPSeeOther(request.route_url("playlists.consent", item=context.item.id))


def _templates_page(request, organisation, errors=None, chosen=None) -> dict:
    own = request.dbsession.scalars(
        select(Activity)
        .where(Activity.organisation_id == organisation.id, Activity.status != "archived")
        .order_by(Activity.title)
    ).all()
    return {
        "organisation": organisation,
        "activities": own,
        "templates": request.find_service(IPlaylistTemplates).templates(),
        "errors": {k: request.localizer.translate(v) for k, v in (errors or {}).items()},
        "chosen": chosen,
    }


@view_config(
    route_name="playlists.templates", renderer=T + "templates.jinja2", permission="org.member"
)
def templates_page(context, request):
    return _templates_page(request, context.organisation)


@view_config(
    route_name="playlists.copy",
    request_method="POST",
    renderer=T + "templates.jinja2",
    permission="org.member",
)
def copy_template(context, request):
    template = request.matchdict["template"]
    mapping = {
        key.removeprefix("map-"): value
        for key, value in request.POST.items()
        if key.startswith("map-") and value
    }
    try:
        playlist = request.find_service(IPlaylistTemplates).copy(
            template,
            context.organisation,
            request.user,
            mapping,
            title=request.POST.get("title") or None,
            description=request.POST.get("description") or None,
        )
    except ValidationFailed as error:
        request.response.status = 422
        return _templates_page(
            request,
            context.organisation,
            error.fields,
            {"template": record_id(template), "form": request.POST},
        )
    return _flash_back(
        request, playlist, _("Copied: check the playlist and publish it."), route="playlists.edit"
    )


def includeme(config):
    config.add_static_assets("assets", "plugins.playlists:static")
    config.scan(__name__)
