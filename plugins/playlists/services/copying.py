"""IPlaylistTemplates: playlists published as templates, copied by other cities.

This module is the only reader of other cities' playlists.  It lifts tenant filtering in one
small, explicit block and turns what it read into plain dicts of the template's own text and
structure before anything else sees it, so no ORM object of another city escapes.
"""

from __future__ import annotations

from pyramid.i18n import TranslationStringFactory
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from zope.interface import implementer

from col_core.activities.interfaces import ValidationFailed
from col_core.security.validation import record_id
from col_core.tenancy.models import Tenant
from col_core.tenancy.scoping import cross_tenant
from plugins.playlists.interfaces import IPlaylistBuilder, IPlaylistTemplates
from plugins.playlists.models import Playlist, PlaylistItem

_ = TranslationStringFactory("col_playlists")


def _template_dict(playlist: Playlist, city: Tenant, locale) -> dict:
    # Keyed by optional ids too, so an item without unlock_after_id looks up None.
    positions: dict[int | None, int] = {
        item.id: number for number, item in enumerate(playlist.items)
    }
    return {
        "id": playlist.id,
        "title": playlist.title,
        "description": playlist.description,
        "city": city.display_name(locale),
        "languages": list(playlist.languages or ()),
        "min_optional": playlist.min_optional,
        "groups": dict(playlist.groups or {}),
        "milestones": [b.threshold for b in playlist.badges if b.threshold],
        "items": [
            {
                "id": item.id,
                "note": item.note,
                "mandatory": item.mandatory,
                "group": item.group,
                "position": positions[item.id],
                "unlock_after": positions.get(item.unlock_after_id),
            }
            for item in playlist.items
        ],
    }


@implementer(IPlaylistTemplates)
class PlaylistTemplates:
    def __init__(self, request):
        self.request = request
        self.db = request.dbsession

    def _read(self, template_id=None) -> list[dict]:
        query = (
            select(Playlist, Tenant)
            .join(Tenant, Tenant.id == Playlist.tenant_id)
            .where(
                Playlist.is_template.is_(True),
                Playlist.status == "published",
                Playlist.tenant_id != self.request.tenant.id,
            )
            .options(
                selectinload(Playlist.items).load_only(
                    PlaylistItem.id,
                    PlaylistItem.note,
                    PlaylistItem.mandatory,
                    PlaylistItem.group,
                    PlaylistItem.unlock_after_id,
                    PlaylistItem.position,
                ),
                selectinload(Playlist.badges),
            )
            .order_by(Playlist.published_at.desc())
        )
        if template_id is not None:
            query = query.where(Playlist.id == template_id)
        locale = self.request.locale_name
        # Deliberate: templates are the one thing a city shares with every other city.
        with cross_tenant(self.db):
            rows = self.db.execute(query).all()
            found = [_template_dict(playlist, city, locale) for playlist, city in rows]
            for playlist, _city in rows:
                # Out of the identity map, so no later get() can hand this city's row out.
                self.db.expunge(playlist)
        return found

    def templates(self):
        return self._read()

    def copy(self, template_id, organisation, author, mapping, title=None, description=None):
        found = self._read(record_id(template_id)) if record_id(template_id) else []
        if not found:
            raise ValidationFailed(
                _("There is no such template."),
                {"template_id": _("Choose one of the templates shared by other cities.")},
            )
        template = found[0]
        mapping = (
            {str(key): value for key, value in mapping.items()} if isinstance(mapping, dict) else {}
        )
        errors = {
            f"mapping.{item['id']}": _("Choose one of your activities for this item.")
            for item in template["items"]
            if not mapping.get(str(item["id"]))
        }
        if errors:
            raise ValidationFailed(_("Map every item of the template to an activity."), errors)
        builder = self.request.find_service(IPlaylistBuilder)
        playlist, field_errors = builder.create(
            organisation,
            author,
            {
                "title": title or template["title"],
                "description": description or template["description"],
                "languages": template["languages"],
                "min_optional": template["min_optional"],
                "groups": template["groups"],
                "milestones": template["milestones"],
            },
        )
        if field_errors:
            raise ValidationFailed(_("Check the highlighted fields."), field_errors)
        playlist.source_template_id = template["id"]
        chosen = [mapping[str(item["id"])] for item in template["items"]]
        rows = [
            {
                "activity_id": chosen[item["position"]],
                "mandatory": item["mandatory"],
                "group": item["group"],
                "note": item["note"],
                "unlock_after": None
                if item["unlock_after"] is None
                else chosen[item["unlock_after"]],
            }
            for item in template["items"]
        ]
        try:
            builder.set_items(playlist, rows)
        except ValidationFailed as failure:
            by_position = {
                f"items.{item['position']}": f"mapping.{item['id']}" for item in template["items"]
            }
            raise ValidationFailed(
                failure.message,
                {
                    by_position.get(name.rsplit(".", 1)[0], name): message
                    for name, message in failure.fields.items()
                },
            ) from failure
        return playlist


def templates_factory(context, request) -> PlaylistTemplates:
    return PlaylistTemplates(request)
