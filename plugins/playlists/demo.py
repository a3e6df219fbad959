"""Demo playlists for ``col demo``: two per city, built from the seeded activities, with their
texts in the city's default language (``demo_texts.toml``).

Idempotent: a city that already has playlists is left alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from col_core.activities.interfaces import ValidationFailed
from col_core.activities.models import Activity
from col_core.demo_texts import demo_texts
from col_core.security.models import User
from col_core.tenancy import account_lookup
from plugins.playlists.interfaces import IPlaylistBuilder, IPlaylistProgress
from plugins.playlists.mailing import city_link
from plugins.playlists.models import Playlist

TEXTS = Path(__file__).with_name("demo_texts.toml")  # titles and descriptions, per language
# (key of the texts in TEXTS, rule, kind of each item: mandatory, optional or in the group)
PLAYLISTS: list[tuple[str, dict[str, Any], list[bool | str]]] = [
    ("starter", {"min_optional": 1, "milestones": [2]}, [True, True, False, False]),
    ("explore", {"groups": {"pick_two": 2}}, [True, "pick_two", "pick_two", "pick_two"]),
]


def _texts(tenant, key: str, rule: dict, kinds: list) -> tuple[dict, list]:
    """The playlist's title, description and rule, its group named in the city's language."""
    texts = demo_texts(TEXTS, tenant)
    title, description = texts[key]
    data = {"title": title, "description": f"<p>{description}</p>", **rule}
    if "groups" in rule:
        data["groups"] = _named_groups(rule["groups"], texts)
    named = [_named(kind, texts) for kind in kinds]
    return data, named


def _named_groups(groups: dict[str, int], texts: dict) -> dict[str, int]:
    """{group's name in the city's language: how many of it to do}."""
    return {texts[group]: count for group, count in groups.items()}


def _named(kind: bool | str, texts: dict):
    """An item's kind: True (mandatory) or False (optional) as is, a group by its name."""
    return texts[kind] if isinstance(kind, str) else kind


def _rows(activities, kinds) -> list[dict]:
    return [
        {
            "activity_id": activity.id,
            "mandatory": kind is True,
            "group": kind if isinstance(kind, str) else "",
        }
        for activity, kind in zip(activities, kinds, strict=False)
    ]


def seed(request, tenant) -> list[str]:
    db = request.dbsession
    if tenant.is_global or db.scalar(select(Playlist.id).limit(1)) is not None:
        return []
    activities = db.scalars(
        select(Activity)
        .where(Activity.is_discoverable)
        .order_by(Activity.organisation_id, Activity.id)
    ).all()
    if len(activities) < 8:
        return [f"{tenant.slug}: too few activities for demo playlists"]
    builder = request.find_service(IPlaylistBuilder)
    lines = []
    for number, (key, rule, kinds) in enumerate(PLAYLISTS):
        chosen = activities[number * 4 : number * 4 + 4]
        data, kinds = _texts(tenant, key, rule, kinds)
        playlist, _errors = builder.create(chosen[0].organisation, None, data)
        try:
            builder.set_items(playlist, _rows(chosen, kinds))
            builder.publish(playlist)
        except ValidationFailed as failure:
            lines.append(
                f"{tenant.slug}: demo playlist {data['title']!r} not published: {failure.fields}"
            )
            continue
        lines.append(f"Playlist: {city_link(request, f'/playlists/{playlist.id}')}")
    with account_lookup(db):  # found by address, as at sign-in
        learner = db.scalar(select(User).where(User.email == f"learner1@{tenant.slug}.demo"))
    first = db.scalar(select(Playlist).where(Playlist.status == "published").order_by(Playlist.id))
    if learner is not None and first is not None:
        request.find_service(IPlaylistProgress).start(first, learner)
        lines.append(
            f"{learner.email} follows “{first.title}”: mark its activities completed "
            "and the playlist badge arrives in the wallet."
        )
    return lines
