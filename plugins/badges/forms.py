"""Parsing and checking what organisers type: badge classes and lists of recipients.

Each parser returns ``(values, errors)``; errors are TranslationStrings keyed by field (or by
row number for recipient lists), for the view to translate and show next to the input.
"""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from plugins.badges.artwork import ICON_CHOICES
from plugins.badges.models import EARNING, REVIEWS, BadgeClass
from plugins.badges.services import _, valid_email

MAX_ROWS = 20000


def _int(text: str, low: int, high: int) -> int | None:
    try:
        value = int(text)
    except ValueError:
        return None
    return value if low <= value <= high else None


def parse_badge_class(post, dbsession, badge_id: int | None = None):
    """Fields of the badge class form -> ``(values, cleaned, prerequisites, errors)``; the
    skills are read by the view with the core's skill picker."""
    values = {
        name: (post.get(name) or "").strip()
        for name in (
            "name",
            "description",
            "criteria",
            "icon",
            "expires_after_days",
            "earning",
            "review",
            "peer_reviews_required",
            "tasks",
        )
    }
    values["prerequisites"] = [p for p in post.getall("prerequisites") if p]
    values["activity"] = (post.get("activity") or "").strip()
    errors = {}
    if not values["name"]:
        errors["name"] = _("Give the badge a name.")
    elif len(values["name"]) > 200:
        errors["name"] = _("Keep the name under 200 characters.")
    if values["icon"] and values["icon"] not in ICON_CHOICES:
        errors["icon"] = _("Choose one of the icons.")
    days = values["expires_after_days"]
    if days and _int(days, 1, 36500) is None:
        errors["expires_after_days"] = _("Enter a number of days (1 or more), or leave empty.")
    if values["earning"] not in EARNING:
        errors["earning"] = _("Choose how the badge is earned.")
    if values["review"] and values["review"] not in REVIEWS:
        errors["review"] = _("Choose who reviews the evidence.")
    peers = values["peer_reviews_required"] or "1"
    if _int(peers, 1, 10) is None:
        errors["peer_reviews_required"] = _("Between 1 and 10 peers.")
    wanted = {_int(p, 1, 2**31) for p in values["prerequisites"]}
    required = (
        list(
            dbsession.scalars(
                select(BadgeClass).where(
                    BadgeClass.id.in_([w for w in wanted if w and w != badge_id])
                )
            )
        )
        if wanted
        else []
    )
    if len(required) != len(wanted - {badge_id}):
        errors["prerequisites"] = _("Choose prerequisites among this city's badges.")
    cleaned = {
        "name": values["name"],
        "description": values["description"],
        "criteria": values["criteria"],
        "icon": values["icon"] or "star",
        "expires_after_days": _int(days, 1, 36500) if days else None,
        "earning": values["earning"],
        "review": values["review"] or "organiser",
        "peer_reviews_required": _int(peers, 1, 10) or 1,
        "tasks": [t.strip() for t in values["tasks"].splitlines() if t.strip()],
    }
    if cleaned["earning"] == "evidence" and not cleaned["tasks"]:
        errors["tasks"] = _("A badge earned with evidence needs at least one task.")
    return values, cleaned, required, errors


def parse_recipients(text: str):
    """Recipients, one a line or as CSV (``email[,evidence URL[,narrative]]``, header optional).

    Returns ``(rows, errors)``: rows are ``{"line", "email", "evidence"}``; errors map a line
    number to a message.  Duplicate addresses are errors, so nobody is counted twice.
    """
    rows: list[dict] = []
    errors: dict[int, str] = {}
    seen: set[str] = set()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    for line, record in enumerate(reader, start=1):
        cells = [cell.strip() for cell in record]
        if not any(cells):
            continue
        # Missing cells are empty; cells past the narrative are ignored.
        address, url, narrative, *_rest = [*cells, "", ""]
        if line == 1 and address.lower() in ("email", "e-mail", "mail"):
            continue  # a header
        if len(rows) + len(errors) >= MAX_ROWS:
            errors[line] = _("At most ${max} rows at a time.", mapping={"max": MAX_ROWS})
            break
        email = address.lower()
        problem = _recipient_problem(address, email, url, seen)
        if problem is not None:
            errors[line] = problem
            continue
        seen.add(email)
        evidence = [{"url": url, "narrative": narrative}] if (url or narrative) else []
        rows.append({"line": line, "email": email, "evidence": evidence})
    return rows, errors


def _recipient_problem(address: str, email: str, url: str, seen: set[str]):
    """What is wrong with a recipient's row, or None."""
    if not valid_email(email):
        return _("“${value}” is not an email address.", mapping={"value": address})
    if email in seen:
        return _("${email} is listed twice.", mapping={"email": email})
    if url and not url.startswith(("http://", "https://")):
        return _("The evidence must be a web address (https://...).")
    return None
