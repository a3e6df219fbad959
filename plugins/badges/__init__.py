"""The badges plugin: issuers, badge classes, assertions, Open Badges 2.0 and 3.0.

Routes live under ``/badges`` (the plugin's prefix).  The hosted documents' URL shapes are
also built by :mod:`plugins.badges.urls`; keep the two in step.
"""

from pyramid.i18n import TranslationStringFactory

from plugins.badges import webhooks
from plugins.badges.interfaces import (
    IBadgeCatalogue,
    IBadgeIssuer,
    IEndorsements,
    IIssuerKeys,
    ILearnerRecord,
    IOpenBadgesApi,
    IWalletOffers,
)
from plugins.badges.urls import check_did_setting

JSON_SUFFIX = r"{ext:(\.json)?}"
# The Open Badges 3.0 API's base URL is the city's /api (its service description says so).
OB_API_ROUTES = {
    "badges.ob_discovery": "/api/ims/ob/v3p0/discovery",
    "badges.ob_credentials": "/api/ims/ob/v3p0/credentials",
    "badges.ob_profile": "/api/ims/ob/v3p0/profile",
    "badges.ob_register": "/api/ims/ob/v3p0/oauth/register",
    "badges.ob_token": "/api/ims/ob/v3p0/oauth/token",
    "badges.ob_revoke": "/api/ims/ob/v3p0/oauth/revoke",
}
_ = TranslationStringFactory("col_badges")


def includeme(config):
    config.add_translation_domain(__name__, "col_badges", "plugins.badges:locale")
    check_did_setting(config.registry.settings)
    webhooks.register(config)  # badge.issued and badge.revoked (col_core.webhooks)
    # What learners and reviewers are told (col_core.notifications); each may turn e-mails off.
    config.add_notification_kind("evidence_review", _("Evidence waits for your review"))
    config.add_notification_kind("evidence_decision", _("Your evidence approved or sent back"))
    config.add_notification_kind("badge_issued", _("A badge issued to you"))
    config.add_notification_kind("badge_revoked", _("A badge of yours revoked"))
    config.register_service_factory(
        "plugins.badges.services.keyring.issuer_keys_factory", IIssuerKeys
    )
    config.register_service_factory("plugins.badges.services.badge_issuer_factory", IBadgeIssuer)
    config.register_service_factory(
        "plugins.badges.services.catalogue.badge_catalogue_factory", IBadgeCatalogue
    )
    config.register_service_factory(
        "plugins.badges.services.endorsements.endorsements_factory", IEndorsements
    )
    config.register_service_factory(
        "plugins.badges.services.learner_record.learner_record_factory", ILearnerRecord
    )
    config.register_service_factory("plugins.badges.services.ob_api.ob_api_factory", IOpenBadgesApi)
    config.register_service_factory(
        "plugins.badges.services.wallet_offers.wallet_offers_factory", IWalletOffers
    )
    config.add_route("badges.catalogue", "/")
    # Hosted Open Badges documents (see views/public.py).
    config.add_route("badges.issuer", "/issuers/{issuer:\\d+}" + JSON_SUFFIX)
    config.add_route("badges.issuer_profile", "/issuers/{issuer:\\d+}/profile")
    config.add_route("badges.issuer_key", "/issuers/{issuer:\\d+}/keys/{key:\\d+}")
    config.add_route("badges.issuer_jwks", "/issuers/{issuer:\\d+}/jwks")
    config.add_route("badges.revocations", "/issuers/{issuer:\\d+}/revocations")
    config.add_route("badges.status_list", "/issuers/{issuer:\\d+}/status")
    config.add_route("badges.did_status_list", "/issuers/{issuer:\\d+}/did-status")
    config.add_route("badges.did_document", "/issuers/{issuer:\\d+}/did.json")
    config.add_route("badges.class", "/classes/{badge:\\d+}" + JSON_SUFFIX)
    config.add_route("badges.class_image", "/classes/{badge:\\d+}/image")
    config.add_route("badges.class_image_png", "/classes/{badge:\\d+}/image.png")
    config.add_route("badges.assertion", "/assertions/{uid:[0-9a-f]+}" + JSON_SUFFIX)
    config.add_route("badges.signed", "/assertions/{uid:[0-9a-f]+}/signed")
    config.add_route(
        "badges.baked", "/assertions/{uid:[0-9a-f]+}/baked-ob{version:[23]}.{ext:(png|svg)}"
    )
    config.add_route("badges.credential", "/credentials/{uid:[0-9a-f]+}")
    config.add_route("badges.endorsement", "/endorsements/{endorsement:\\d+}" + JSON_SUFFIX)
    config.add_route("badges.endorsement_credential", "/endorsements/{endorsement:\\d+}/credential")
    config.add_route("badges.endorsement_status", "/issuers/{issuer:\\d+}/endorsement-status")
    config.add_route(
        "badges.did_endorsement_status", "/issuers/{issuer:\\d+}/did-endorsement-status"
    )
    # People's pages.
    share = "plugins.badges.resources.ShareContext"  # private: the owner only (404 for others)
    config.add_route("badges.share", "/share/{uid:[0-9a-f]+}", factory=share)
    config.add_route("badges.verify", "/verify")
    config.add_route("badges.claim", "/claim/{code}")
    config.add_route("badges.claim_qr", "/claim/{code}/qr.svg")
    config.add_route("badges.accept", "/accept/{token}")
    config.add_route("badges.earn", "/classes/{badge:\\d+}/evidence")
    config.add_route("badges.reviews", "/reviews")
    config.add_route("badges.review", "/reviews/{submission:\\d+}")
    config.add_route("badges.wallet", "/wallet")
    config.add_route("badges.wallet_export", "/wallet/export.json")
    config.add_route("badges.wallet_clr", "/wallet/clr.json")
    config.add_route("badges.wallet_clr_jwt", "/wallet/clr.jwt")
    config.add_route("badges.record_links", "/wallet/record-links")
    config.add_route("badges.record_link_revoke", "/wallet/record-links/{link:\\d+}/revoke")
    config.add_route("badges.record", "/records/{token:[A-Za-z0-9_-]{20,64}}")
    config.add_route("badges.record_jwt", "/records/{token:[A-Za-z0-9_-]{20,64}}.jwt")
    config.add_route("badges.wallet_import", "/wallet/import")
    # Issuing into wallet apps (OpenID4VCI, views/oid4vci.py): the recipient's offer, then the
    # wallet's endpoints; its metadata is at the city's root, outside the /badges prefix.
    own = "plugins.badges.resources.OwnBadgeContext"  # the recipient only (404 for others)
    config.add_route("badges.wallet_offer", "/share/{uid:[0-9a-f]+}/wallet-app", factory=own)
    config.add_route("badges.wallet_offer_qr", "/oid4vci/offers/{code:[A-Za-z0-9_-]+}/qr.svg")
    config.add_route("badges.oid4vci_token", "/oid4vci/token")
    config.add_route("badges.oid4vci_nonce", "/oid4vci/nonce")
    config.add_route("badges.oid4vci_credential", "/oid4vci/credential")
    config.add_bearer_route("badges.oid4vci_credential")  # its access token is no API token
    prefix, config.route_prefix = config.route_prefix, None
    try:
        config.add_route("badges.oid4vci_issuer", "/.well-known/openid-credential-issuer")
        config.add_route("badges.oid4vci_server", "/.well-known/oauth-authorization-server")
    finally:
        config.route_prefix = prefix
    # Organisers' pages; the context carries the organisation the permission is checked on.
    org, badge = (
        "plugins.badges.resources.OrganisationResource",
        "plugins.badges.resources.BadgeClassResource",
    )
    config.add_route("badges.manage_new", "/manage/organisations/{org:\\d+}/new", factory=org)
    config.add_route("badges.manage_edit", "/manage/{badge:\\d+}", factory=badge)
    config.add_route("badges.manage_issue", "/manage/{badge:\\d+}/issue", factory=badge)
    config.add_route("badges.manage_codes", "/manage/{badge:\\d+}/codes", factory=badge)
    config.add_route("badges.manage_revoke", "/manage/{badge:\\d+}/revoke/{uid}", factory=badge)
    # Endorsing as an organisation (its owners and admins) or as the city (its admins).
    endorsed = "/endorsements/{endorsement:\\d+}/withdraw"
    config.add_route(
        "badges.endorse_org", "/endorsers/organisations/{org:\\d+}/endorse", factory=org
    )
    config.add_route("badges.endorse_city", "/endorsers/city/endorse")
    config.add_route(
        "badges.withdraw_org", "/endorsers/organisations/{org:\\d+}" + endorsed, factory=org
    )
    config.add_route("badges.withdraw_city", "/endorsers/city" + endorsed)
    # The Open Badges 3.0 API (views/ob_api.py): the learner's consent and connected
    # applications are pages; the API itself and its OAuth endpoints are under /api, where a
    # Bearer token is read (and never a page).
    config.add_route("badges.ob_authorize", "/oauth/authorize")
    config.add_route("badges.ob_apps", "/wallet/apps")
    config.add_route("badges.ob_disconnect", "/wallet/apps/disconnect")
    saved_prefix, config.route_prefix = config.route_prefix, None
    try:
        for name, pattern in OB_API_ROUTES.items():
            config.add_route(name, pattern)
    finally:
        config.route_prefix = saved_prefix
    config.scan("plugins.badges.views")
    config.include("plugins.badges.api")
