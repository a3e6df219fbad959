"""Issuing a badge into a wallet app: the learner's offer, and OpenID4VCI's endpoints.

The wallet's endpoints (token, nonce, credential) are called by apps, not browsers: they take no
cookie and no CSRF token, and authenticate by the secret they carry (the pre-authorized code,
then the access token).  Their errors are the specification's JSON, never a page.
"""

from __future__ import annotations

import orjson
from markupsafe import Markup
from pyramid.httpexceptions import HTTPBadRequest, HTTPNotFound
from pyramid.response import Response
from pyramid.view import view_config
from segno import make as make_qr

from plugins.badges import claims
from plugins.badges.interfaces import IWalletOffers
from plugins.badges.oid4vci import OID4VCIError
from plugins.badges.services import _

PUBLIC = {"permission": "view"}
WALLET_CALL = {"permission": "view", "request_method": "POST", "require_csrf": False}


def _json(body: dict, status: int = 200, cache: bool = True) -> Response:
    response = Response(
        body=orjson.dumps(body), status=status, content_type="application/json", charset="utf-8"
    )
    # Web wallets read the metadata from their own origin; nothing here rides on cookies.
    response.headers["Access-Control-Allow-Origin"] = "*"
    if not cache:
        response.headers["Cache-Control"] = "no-store"
    return response


def _refusal(error: OID4VCIError) -> Response:
    response = _json(error.body(), error.status, cache=False)
    if error.status == 401:
        response.headers["WWW-Authenticate"] = f'Bearer error="{error.error}"'
    return response


@view_config(
    route_name="badges.wallet_offer",
    request_method="POST",
    permission="learner",
    renderer="plugins.badges:templates/wallet_offer.jinja2",
)
def create_offer(context, request):
    offers = request.find_service(IWalletOffers)
    if context.assertion.is_revoked:
        raise HTTPBadRequest(request.localizer.translate(_("A revoked badge cannot be offered.")))
    offer = offers.create(context.assertion)
    qr_code = make_qr(offer.link, error="l").svg_inline(
        scale=4, title=request.localizer.translate(_("QR code for your wallet app"))
    )
    request.response.headers["Cache-Control"] = "no-store"  # the code is shown once
    return {
        "assertion": context.assertion,
        "badge": context.assertion.badge_class,
        "offer": offer,
        "qr_code": Markup(qr_code),  # segno's own SVG; its title is our translated text
    }


@view_config(route_name="badges.wallet_offer_qr", request_method="GET", **PUBLIC)
def offer_qr(request):
    """The QR code an award e-mail links to: whoever holds the code may see it, as long as the
    offer is live."""
    link = request.find_service(IWalletOffers).live(request.matchdict["code"])
    if link is None:
        raise HTTPNotFound(
            request.localizer.translate(_("This offer has expired or has been used."))
        )
    response = Response(body=claims.qr_svg(link), content_type="image/svg+xml")
    response.headers["Cache-Control"] = "no-store"
    return response


@view_config(route_name="badges.oid4vci_issuer", request_method="GET", **PUBLIC)
def issuer_metadata(request):
    return _json(request.find_service(IWalletOffers).issuer_metadata())


@view_config(route_name="badges.oid4vci_server", request_method="GET", **PUBLIC)
def authorization_server_metadata(request):
    return _json(request.find_service(IWalletOffers).authorization_server_metadata())


@view_config(route_name="badges.oid4vci_token", **WALLET_CALL)
def token(request):
    try:
        answer = request.find_service(IWalletOffers).redeem(
            request.POST.get("grant_type"), request.POST.get("pre-authorized_code")
        )
    except OID4VCIError as error:
        return _refusal(error)
    return _json(answer, cache=False)


@view_config(route_name="badges.oid4vci_nonce", **WALLET_CALL)
def nonce(request):
    return _json({"c_nonce": request.find_service(IWalletOffers).nonce()}, cache=False)


@view_config(route_name="badges.oid4vci_credential", **WALLET_CALL)
def credential(request):
    authorization = request.authorization
    access_token = None
    if authorization and authorization.authtype.lower() == "bearer":
        access_token = str(authorization.params or "") or None
    try:
        body = orjson.loads(request.body) if request.body else None
    except orjson.JSONDecodeError:
        body = None
    try:
        answer = request.find_service(IWalletOffers).credential(access_token, body)
    except OID4VCIError as error:
        return _refusal(error)
    return _json(answer, cache=False)
