"""Verifying what a person hands us (URL, pasted JSON/JWS, baked image) and wallet imports."""

from __future__ import annotations

import base64

from sqlalchemy import select

from col_core.db.meta import utcnow
from plugins.badges.fetch import FetchRefused, make_own_fetch
from plugins.badges.models import ImportedBadge
from plugins.badges.ob import verify
from plugins.badges.services import IssueError, _, verified_emails

MAX_UPLOAD = 5 * 1024 * 1024


def check(
    request, data: bytes | str, email: str | list[str] | None = None
) -> verify.VerificationResult:
    fetch = make_own_fetch(request.registry)

    def guarded(url):
        try:
            return fetch(url)
        except FetchRefused as refused:
            raise ValueError(str(refused)) from refused

    return verify.verify(data, guarded, email=email or None)


def import_badge(request, user, data: bytes | str) -> ImportedBadge:
    """Verify and keep a badge from elsewhere; raises IssueError when it does not verify or
    was not awarded to one of the person's confirmed addresses."""
    addresses = verified_emails(user)
    result = check(request, data, addresses)
    if result.recipient_matches is not False and result.status in ("invalid", "revoked"):
        raise IssueError(
            _(
                "This badge could not be verified: ${reasons}",
                mapping={"reasons": "; ".join(result.reasons)},
            )
        )
    if not result.recipient_matches:
        raise IssueError(
            _(
                "This badge was awarded to someone else: its recipient is not your "
                "confirmed email address (${email}). Only badges issued to you can "
                "be added to your wallet.",
                mapping={"email": ", ".join(addresses)},
            )
        )
    stored = data if isinstance(data, str) else "base64:" + base64.b64encode(data).decode()
    # Adding the same badge again refreshes its entry (and checks an unchecked one).
    badge = request.dbsession.scalar(
        select(ImportedBadge).where(ImportedBadge.user_id == user.id, ImportedBadge.data == stored)
    )
    if badge is None:
        badge = ImportedBadge(user_id=user.id, data=stored)
        request.dbsession.add(badge)
    badge.format, badge.status, badge.verified_at = result.format, result.status, utcnow()
    badge.badge_name = (result.badge_name or "")[:300]
    badge.issuer_name = (result.issuer_name or "")[:300]
    badge.issued_on = str(result.issued_on or "")[:40]
    request.dbsession.flush()
    return badge
