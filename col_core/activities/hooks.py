"""The activities domain's own hook implementations (registered by ``includeme``)."""

from __future__ import annotations

from col_core.hookspecs import hookimpl


@hookimpl
def col_seed_demo(request, tenant):
    from col_core.activities.demo import seed_activities

    return seed_activities(request, tenant)


@hookimpl
def col_dashboard_sections(request, organisation):
    """The organisation's page shows its organisers a way to their activities."""
    from markupsafe import Markup, escape
    from pyramid.i18n import TranslationStringFactory

    from col_core.activities.interfaces import IActivityService
    from col_core.hookspecs import Section

    _ = TranslationStringFactory("col")
    translate = request.localizer.translate
    activities = request.find_service(IActivityService).for_organisation(organisation)
    items = "".join(
        f'<li><a href="{escape(request.route_url("activity", id=a.id))}">'
        f"{escape(a.title or translate(_('Untitled activity')))}</a></li>"
        for a in activities[:5]
    )
    link = escape(request.route_url("org_activities", slug=organisation.slug))
    html = Markup(
        f'<ul>{items}</ul><p><a href="{link}">'
        f"{escape(translate(_('Create and manage activities')))}</a></p>"
    )
    return [Section(title=translate(_("Activities")), html=html, order=10, id="activities")]


@hookimpl
def col_account_export(request, user) -> dict[str, bytes]:
    from col_core.activities.privacy import participations_export

    return participations_export(request, user)


@hookimpl
def col_account_deleted(request, user) -> None:
    """A deleted account gives its places back, so the waitlists move on."""
    from col_core.activities.privacy import leave_every_activity

    leave_every_activity(request, user)
