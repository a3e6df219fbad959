"""The builder page's form, read into the same data the JSON API takes (and back)."""

from __future__ import annotations

import zoneinfo

from col_core.activities.schedule import as_utc
from col_core.security.validation import whole_number


def _lines_to_groups(text: str) -> dict | str:
    """``"code: 2"`` lines into {"code": 2}; the raw text when a line cannot be read."""
    groups = {}
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        name, sep, needed = line.rpartition(":")
        if not sep or whole_number(needed, 0) is None or not name.strip():
            return text  # the field parser refuses it with a message
        groups[name.strip()] = whole_number(needed, 0)
    return groups


def _milestones(text: str) -> list | str:
    parts = [p.strip() for p in (text or "").replace(";", ",").split(",") if p.strip()]
    numbers = [whole_number(part, 0) for part in parts]
    return text if None in numbers else numbers


TEXT_FIELDS = ("title", "description", "cover_alt", "category", "visibility", "min_optional")


def read_form(params) -> tuple[dict, list[dict]]:
    """(playlist fields, item rows in the chosen order) from the builder's POST."""
    fields = {name: params.get(name, "") for name in TEXT_FIELDS}
    fields["groups"] = _lines_to_groups(params.get("groups", ""))
    fields["milestones"] = _milestones(params.get("milestones", ""))
    fields["is_template"] = params.get("is_template") == "1"
    count = whole_number(params.get("item_count", ""), 0, 99) or 0
    rows = []
    for number in range(count):
        row = _item_row(params, number)
        if row is not None:
            rows.append(row)
    added = params.get("add_activity")
    if added:
        # The activity just added goes at the end of the list.
        rows.append({"activity_id": added, "mandatory": True, "_order": (1000, 0)})
    rows.sort(key=lambda row: row.pop("_order"))
    return fields, rows


def _item_row(params, number: int) -> dict | None:
    """Item row ``number`` of the builder, or None when it is removed or names no activity."""

    def given(field: str, default: str = "") -> str:
        return params.get(f"item-{number}-{field}", default)

    if given("remove") == "1" or not given("activity"):
        return None
    position = whole_number(given("position"), 0) or 999
    return {
        "activity_id": given("activity"),
        "mandatory": given("kind", "mandatory") == "mandatory",
        "group": given("group"),
        "unlock_after": given("unlock") or None,
        "opens_at": given("opens") or None,
        "closes_at": given("closes") or None,
        "note": given("note"),
        "_order": (position, number),
    }


def _local(moment, tz) -> str:
    return as_utc(moment).astimezone(tz).strftime("%Y-%m-%dT%H:%M") if moment else ""


def form_values(playlist, tz: zoneinfo.ZoneInfo) -> tuple[dict, list[dict]]:
    """The builder form's values for a saved playlist."""
    values = {
        "title": playlist.title,
        "description": playlist.description,
        "cover_alt": playlist.cover_alt,
        "category": playlist.category,
        "visibility": playlist.visibility,
        "min_optional": playlist.min_optional,
        "is_template": playlist.is_template,
        "groups": "\n".join(f"{k}: {v}" for k, v in (playlist.groups or {}).items()),
        "milestones": ", ".join(str(b.threshold) for b in playlist.badges if b.threshold),
        "skills": [skill["uri"] for skill in playlist.skills or ()],
    }
    by_id = {item.id: item.activity_id for item in playlist.items}
    rows = [
        {
            "activity_id": item.activity_id,
            "mandatory": item.mandatory,
            "group": item.group,
            "unlock_after": by_id.get(item.unlock_after_id),
            "note": item.note,
            "opens_at": _local(item.opens_at, tz),
            "closes_at": _local(item.closes_at, tz),
        }
        for item in playlist.items
    ]
    return values, rows
