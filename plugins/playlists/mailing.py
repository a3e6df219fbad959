"""E-mails of the playlists plugin, each in its recipient's language."""

from __future__ import annotations

from pyramid.i18n import TranslationString, make_localizer
from pyramid.interfaces import ITranslationDirectories
from sqlalchemy import select

from col_core.mail import queue_mail
from col_core.organisations.models import Membership
from col_core.tenancy.hosts import tenant_url


def send(request, address: str, locale: str | None, subject, lines) -> None:
    """Translate ``subject`` and ``lines`` (TranslationStrings or text) and queue the e-mail."""
    directories = request.registry.queryUtility(ITranslationDirectories) or []
    locale = locale or request.tenant.default_locale or "en"
    localizer = make_localizer(locale, directories)

    def text(value) -> str:
        if isinstance(value, TranslationString):
            return localizer.translate(value)
        return str(value)

    body = "\n".join(text(line) for line in lines)
    queue_mail(request, address, text(subject), body)


def organisers(request, organisation) -> list:
    """Owners and admins of ``organisation`` (or its contact address when it has none)."""
    members = request.dbsession.scalars(
        select(Membership).where(
            Membership.organisation_id == organisation.id, Membership.role.in_(("owner", "admin"))
        )
    ).all()
    people = [(m.user.email, m.user.preferred_locale) for m in members if m.user.is_active]
    if not people and organisation.contact_email:
        people = [(organisation.contact_email, organisation.primary_locale)]
    return people


def tell_organisers(request, organisation, subject, lines) -> None:
    for address, locale in organisers(request, organisation):
        send(request, address, locale, subject, lines)


def tell_playlist_organisers(request, playlist, subject, line) -> None:
    """E-mail the playlist's organisers ``line`` with a link to its builder page."""
    tell_organisers(
        request,
        playlist.organisation,
        subject,
        [line, city_link(request, f"/playlists/{playlist.id}/edit")],
    )


def city_link(request, path: str) -> str:
    """An absolute link into the request's city (works from commands too)."""
    return tenant_url(request, request.tenant).rstrip("/") + path
