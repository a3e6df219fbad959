"""Sharing a badge: LinkedIn's add-to-profile link and what link previews read.

LinkedIn's "Add licence or certification" form is pre-filled from query parameters of
``https://www.linkedin.com/profile/add`` (``startTask=CERTIFICATION_NAME``); the verification
URL we give it is the badge's share page, which LinkedIn shows as "Show credential".
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


def linkedin_url(
    name: str,
    organisation: str,
    issued_on: dt.datetime,
    cert_url: str,
    cert_id: str,
    expires_at: dt.datetime | None = None,
) -> str:
    """The add-certification URL for one badge (name, issuer, date, verification URL, id)."""
    params: dict[str, str | int] = {
        "startTask": "CERTIFICATION_NAME",
        "name": name,
        "organizationName": organisation,
        "issueYear": issued_on.year,
        "issueMonth": issued_on.month,
    }
    if expires_at is not None:
        params.update(expirationYear=expires_at.year, expirationMonth=expires_at.month)
    params.update(certUrl=cert_url, certId=cert_id)
    return f"{LINKEDIN_ADD}?{urlencode(params)}"


def recipient_name(assertion) -> str | None:
    """The name the share page shows: only when the learner chose so and has a display name."""
    user = assertion.user
    if not assertion.show_name or user is None:
        return None
    return user.display_name.strip() or None
