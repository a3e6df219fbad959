"""Claim codes: a printable QR code and link with which people award themselves a badge."""

from __future__ import annotations

import io
import secrets

import segno
from sqlalchemy import select, update

from plugins.badges.interfaces import IBadgeIssuer
from plugins.badges.models import ClaimCode
from plugins.badges.services import IssueError, _

# No 0/O or 1/I/l: codes are also typed from paper.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_code(dbsession, badge_class, *, max_uses=None, expires_at=None) -> ClaimCode:
    code = ClaimCode(
        badge_class=badge_class,
        max_uses=max_uses,
        expires_at=expires_at,
        code="".join(secrets.choice(ALPHABET) for _i in range(10)),
    )
    dbsession.add(code)
    dbsession.flush()
    return code


def find_code(dbsession, text: str) -> ClaimCode | None:
    return dbsession.scalar(select(ClaimCode).where(ClaimCode.code == text.strip().upper()))


def redeem(request, code: ClaimCode, email: str, user=None):
    """Award the code's badge to ``email``/``user``; raises IssueError when the code is spent."""
    if code.is_expired:
        raise IssueError(_("This code has expired."))
    issuer = request.find_service(IBadgeIssuer)
    before = issuer.held(code.badge_class_id, (email or "").strip().lower(), user)
    if before is not None:
        return before
    # A savepoint: a refused award (prerequisites, bad address) must not spend a use.
    with request.dbsession.begin_nested():
        # One UPDATE, so that two people cannot both take a code's last use.
        taken = request.dbsession.execute(
            update(ClaimCode)
            .where(
                ClaimCode.id == code.id,
                (ClaimCode.max_uses.is_(None)) | (ClaimCode.uses < ClaimCode.max_uses),
            )
            .values(uses=ClaimCode.uses + 1)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:
            raise IssueError(_("This code has been used as many times as it may be."))
        assertion = issuer.issue(code.badge_class, email, user=user, source="claim")
    request.dbsession.expire(code, ["uses"])
    return assertion


def qr_svg(url: str) -> bytes:
    """A stand-alone SVG document: ``svg_inline`` omits the namespace (fine inside HTML, where
    the parser supplies it), and a browser shows an ``image/svg+xml`` file without it as
    nothing at all."""
    out = io.BytesIO()
    segno.make(url, error="m").save(
        out, kind="svg", scale=8, border=2, xmldecl=True, svgns=True, title="QR code"
    )
    return out.getvalue()
