"""The badges plugin's hook implementations."""

from __future__ import annotations

from pathlib import Path

import nh3

from col_core.hookspecs import hookimpl
from plugins.badges.interfaces import IBadgeIssuer


@hookimpl
def col_settings_defaults() -> dict[str, str]:
    # Let verification fetch private/loopback addresses (tests, intranet issuers) only if set.
    return {"badges.fetch_private": "false"}


@hookimpl
def col_migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def col_cli_commands() -> list:
    from plugins.badges.cli import badges

    return [badges]


def activity_badge(request, activity):
    """The default badge of ``activity``, made from its title, description and skills."""
    return request.find_service(IBadgeIssuer).badge_for_subject(
        "activity", activity.id, activity.organisation, name=activity.title,
        # The activity's description is sanitised HTML; a badge description is plain text.
        description=nh3.clean(activity.description or "", tags=set()).strip(),
        skills=[{"uri": s.concept_uri, "label": s.label} for s in activity.skills])


@hookimpl
def col_activity_published(request, activity) -> None:
    activity_badge(request, activity)


@hookimpl
def col_activity_completed(request, activity, participation) -> None:
    request.find_service(IBadgeIssuer).issue(
        activity_badge(request, activity), participation.user.email, user=participation.user,
        source="completion")


@hookimpl
def col_seed_demo(request, tenant) -> list[str] | None:
    from plugins.badges.demo import seed

    return seed(request, tenant)
