"""Verifying what a person hands us (URL, pasted JSON/JWS, baked image) and wallet imports."""

from __future__ import annotations

import base64

from plugins.badges.fetch import FetchRefused, make_fetch
from plugins.badges.models import ImportedBadge
from plugins.badges.ob import verify
from plugins.badges.services import IssueError, _

MAX_UPLOAD = 5 * 1024 * 1024


def check(request, data: bytes | str, email: str | None = None) -> verify.VerificationResult:
    fetch = make_fetch(request.registry.settings)

    def guarded(url):
        try:
            return fetch(url)
        except FetchRefused as refused:
            raise ValueError(str(refused)) from refused

    return verify.verify(data, guarded, email=email or None)


def import_badge(request, user, data: bytes | str) -> ImportedBadge:
    """Verify and keep a badge from elsewhere; raises IssueError when it does not verify."""
    result = check(request, data)
    if result.status in ("invalid", "revoked"):
        raise IssueError(_("This badge could not be verified: ${reasons}",
                           mapping={"reasons": "; ".join(result.reasons)}))
    stored = data if isinstance(data, str) else "base64:" + base64.b64encode(data).decode()
    badge = ImportedBadge(user_id=user.id, data=stored, format=result.format,
                          status=result.status, badge_name=(result.badge_name or "")[:300],
                          issuer_name=(result.issuer_name or "")[:300],
                          issued_on=str(result.issued_on or "")[:40])
    request.dbsession.add(badge)
    request.dbsession.flush()
    return badge
