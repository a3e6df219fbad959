"""Cross-tenant attacks: every tenant-owned route, given city A's ids, answers 404 in city B.

The attacker is as strong as possible: the owner of city A's organisation and an administrator
of both cities, signed in on city B's site.  Each route is tried with GET and POST (API routes
with their own method), with a valid CSRF token, and must answer 404 without any of city A's
data in the body.

EXTENDING (one line per route; ``test_every_placeholder_route_is_covered`` fails until you do):
  * a tenant-owned route:   ATTACKS["my_route"] = {"placeholder": "<key of the world below>"}
    (add the object to ``world`` if yours is a new kind, with "Secret" in its visible name);
  * a route that is deliberately the same in every city:   GLOBAL["my_route"] = "why".
Static asset views (route names starting with "__") are global automatically.
"""

from __future__ import annotations

import re

import pytest
from pyramid.interfaces import IRoutesMapper
from sqlalchemy import select

from col_core.db.meta import utcnow
from col_core.organisations.models import Invitation, Membership, Organisation
from col_core.security.models import CityAdmin, User
from col_core.security.passwords import hash_password
from col_core.security.tokens import digest
from col_core.tenancy.scoping import get_city_row
from col_core.testing.people import accept_terms

PASSWORD = "correct horse battery"
INVITATION_SECRET = "invitation-secret-of-city-a"

ORG = {"slug": "org_slug"}
ACTIVITY = {"id": "activity_id"}
ATTACKS: dict[str, dict[str, str]] = {
    # people and organisations
    "organisation": ORG,
    "organisation_edit": ORG,
    "organisation_members": ORG,
    "organisation_invite": ORG,
    "organisation_verify": ORG,
    "organisation_suspend": ORG,
    "organisation_member_remove": {"slug": "org_slug", "id": "membership_id"},
    "organisation_member_role": {"slug": "org_slug", "id": "membership_id"},
    "organisation_invitation_revoke": {"slug": "org_slug", "id": "invitation_id"},
    "invitation": {"token": "invitation_secret"},
    "api.get.organisations.{slug}": ORG,
    "api.patch.organisations.{slug}": ORG,
    # activities
    "org_activities": ORG,
    "activity_new": ORG,
    "api.get.organisations.{slug}.activities": ORG,
    "activity": ACTIVITY,
    "activity.ics": ACTIVITY,
    "activity_join": ACTIVITY,
    "activity_leave": ACTIVITY,
    "activity_edit": ACTIVITY,
    "activity_archive": ACTIVITY,
    "activity_duplicate": ACTIVITY,
    "activity_participants": ACTIVITY,
    "activity_feedback": ACTIVITY,
    "api.get.activities.{id}": ACTIVITY,
    "api.patch.activities.{id}": ACTIVITY,
    "api.put.activities.{id}.draft": ACTIVITY,
    "api.post.activities.{id}.publish": ACTIVITY,
    "api.post.activities.{id}.archive": ACTIVITY,
    "api.post.activities.{id}.duplicate": ACTIVITY,
    "api.post.activities.{id}.participation": ACTIVITY,
    "api.delete.activities.{id}.participation": ACTIVITY,
    "api.get.activities.{id}.participants": ACTIVITY,
    "api.post.activities.{id}.attendance": ACTIVITY,
    "api.post.activities.{id}.completion": ACTIVITY,
    "activity_session_qr": {"id": "activity_id", "session": "session_id"},
    "api.get.activities.{id}.places": ACTIVITY,
    # analytics, esco, badges, playlists (organisation- and activity-scoped pages)
    "analytics_organisation": ORG,
    "analytics_organisation_csv": {"slug": "org_slug", "table": "csv_table"},
    "analytics_activity": ACTIVITY,
    "analytics_activity_csv": {"id": "activity_id", "table": "csv_table"},
    "api.get.analytics.organisations.{slug}": ORG,
    "esco.activity_skills": ACTIVITY,
    "badges.manage_new": {"org": "org_id"},
    **{
        name: {"issuer": "issuer_id"}
        for name in (
            "badges.issuer_profile",
            "badges.issuer_jwks",
            "badges.revocations",
            "badges.status_list",
            "badges.did_document",
            "badges.did_status_list",
            "badges.endorsement_status",
            "badges.did_endorsement_status",
        )
    },
    "badges.endorsement": {"endorsement": "endorsement_id", "ext": "json_ext"},
    "badges.endorsement_credential": {"endorsement": "endorsement_id"},
    "badges.endorse_org": {"org": "org_id"},
    "badges.withdraw_org": {"org": "org_id", "endorsement": "endorsement_id"},
    "badges.withdraw_city": {"endorsement": "endorsement_id"},
    "badges.issuer": {"issuer": "issuer_id", "ext": "json_ext"},
    "badges.issuer_key": {"issuer": "issuer_id", "key": "key_id"},
    **{
        name: {"badge": "badge_id"}
        for name in (
            "badges.class_image",
            "badges.class_image_png",
            "badges.earn",
            "badges.manage_edit",
            "badges.manage_issue",
            "badges.manage_codes",
            r"api.post.badges.classes.{badge:\d+}.assertions",
        )
    },
    "badges.class": {"badge": "badge_id", "ext": "json_ext"},
    **{
        name: {"uid": "assertion_uid"}
        for name in ("badges.signed", "badges.credential", "badges.share")
    },
    "badges.assertion": {"uid": "assertion_uid", "ext": "json_ext"},
    "badges.baked": {"uid": "assertion_uid", "version": "ob_version", "ext": "png_ext"},
    "badges.manage_revoke": {"badge": "badge_id", "uid": "assertion_uid"},
    "badges.claim": {"code": "claim_code"},
    "badges.claim_qr": {"code": "claim_code"},
    "badges.accept": {"token": "accept_token"},
    "badges.review": {"submission": "submission_id"},
    "badges.wallet_offer": {"uid": "assertion_uid"},
    "badges.wallet_offer_qr": {"code": "wallet_offer_code"},
    "playlists.new": ORG,
    "api.get.organisations.{slug}.playlists": ORG,
    "api.post.organisations.{slug}.playlists": ORG,
    "api.get.organisations.{slug}.playlist-templates": ORG,
    **{
        name: {"id": "playlist_id"}
        for name in (
            "playlists.page",
            "playlists.start",
            "playlists.edit",
            "playlists.publish",
            "api.get.playlists.{id}",
            "api.patch.playlists.{id}",
            "api.put.playlists.{id}.items",
            "api.post.playlists.{id}.publish",
            "api.post.playlists.{id}.archive",
            "api.post.playlists.{id}.enrolment",
            "api.get.playlists.{id}.enrolment",
        )
    },
    "playlists.analytics": {"id": "playlist_id"},
    "playlists.analytics_csv": {"id": "playlist_id", "table": "csv_table"},
    "playlists.consent": {"item": "playlist_item_id"},
    "api.post.playlist-items.{item}.consent": {"item": "playlist_item_id"},
    "api.post.organisations.{slug}.playlist-templates.{template}.copy": {
        "slug": "org_slug",
        "template": "playlist_id",
    },
    "playlists.templates": ORG,
    "playlists.copy": {"slug": "org_slug", "template": "playlist_id"},
    # webhooks: the city's subscriptions and the organisation's ("delete", the worst action)
    "cityadmin.webhook": {"id": "city_webhook_id"},
    "cityadmin.webhook_action": {"id": "city_webhook_id", "action": "webhook_action"},
    "organisation_webhooks": ORG,
    "organisation_webhook": {"slug": "org_slug", "id": "org_webhook_id"},
    "organisation_webhook_action": {
        "slug": "org_slug",
        "id": "org_webhook_id",
        "action": "webhook_action",
    },
    "api.get.organisations.{slug}.webhooks": ORG,
    "api.post.organisations.{slug}.webhooks": ORG,
    r"api.get.webhooks.{id:\d+}": {"id": "city_webhook_id"},
    r"api.get.organisations.{slug}.webhooks.{id:\d+}": {"slug": "org_slug", "id": "org_webhook_id"},
}

# Visible names of city A's objects; none may appear in a response to city B.
SECRETS = {
    "Secret Org A",
    "Secret Activity A",
    "Secret Playlist A",
    "Secret Badge A",
    "Bike Kitchen",
}

GLOBAL: dict[str, str] = {
    "file": "each city serves only its own files (account pictures: every city); "
    "tests/functional/core/test_files.py sends that attack",
    "person": "accounts are platform-wide; minors' profiles are minimal",
    "verify_email": "account links: accounts are platform-wide",
    "reset_password": "account links: accounts are platform-wide",
    "confirm_email": "account links: accounts are platform-wide",
    "guardian_consent": "account links: accounts are platform-wide",
    "api.delete.tokens.{id}": "API tokens belong to the account, which is platform-wide",
    "api_token_revoke": "API tokens belong to the account, which is platform-wide",
    "session_end": "sessions belong to the account, which is platform-wide; others' are 404",
    "admin_revoke": "{id} is an account (platform-wide); the role it ends is the request city's",
    "legal": "{page} names one of the request's own city's texts, not an object",
    "analytics_city_csv": "{table} names a table of the request's own city's dashboard",
    "activity_attend": "{token} is signed with its city's id; another city's token is refused "
    "(tests/functional/activities/test_attendance_qr.py)",
    "badges.record": "{token} is a learner's record across cities, shared by its owner on purpose "
    "(platform-wide); unknown or revoked tokens 404/410 (tests/functional/badges/test_badges_clr.py)",
    "api.get.map.tile": "{z}/{x}/{y} name a Web-Mercator tile, not a row: a tile holds the "
    "request city's activities only (tests/functional/map/test_map_tiles.py; its URLs are in "
    "DISCOVERY below)",
    "badges.record_jwt": "the same record as badges.record, as a VC-JWT (platform-wide, shared on "
    "purpose; tests/functional/badges/test_badges_clr.py)",
    "badges.record_link_revoke": "{link} is the account's own share link (platform-wide); "
    "another person's is 404 (tests/functional/badges/test_badges_clr.py)",
}

# Routes whose owners have not yet added an attack line.  Owners: move each to ATTACKS.
AWAITING_OWNERS: dict[str, str] = {}


def placeholder_routes(registry):
    mapper = registry.getUtility(IRoutesMapper)
    return {
        route.name: route
        for route in mapper.get_routes()
        if ("{" in route.pattern or "*" in route.pattern) and not route.name.startswith("__")
    }


def test_every_placeholder_route_is_covered(registry):
    routes = placeholder_routes(registry)
    uncovered = sorted(set(routes) - set(ATTACKS) - set(GLOBAL) - set(AWAITING_OWNERS))
    assert not uncovered, (
        "Routes with placeholders need a cross-tenant attack line in "
        f"tests/functional/core/test_cross_tenant.py (ATTACKS or GLOBAL): {uncovered}"
    )


@pytest.fixture
def world(factories, registry):
    """City A's objects; the attacker signs in on city B."""
    city_a = factories.tenant("alpha")
    city_b = factories.tenant("beta")
    attacker = factories.save(
        User(
            email="owner@alpha.example",
            display_name="Owner",
            password_hash=hash_password(PASSWORD),
            email_verified_at=utcnow(),
        )
    )
    values = {}
    with factories.within(city_a):
        organisation = Organisation(name="Secret Org A", slug="secret-org-a")
        organisation.memberships.append(Membership(user_id=attacker.id, role="owner"))
        factories.save(organisation, CityAdmin(user_id=attacker.id))
        invitation = factories.save(
            Invitation(
                organisation_id=organisation.id,
                role="member",
                token_hash=digest(INVITATION_SECRET),
                expires_at=utcnow().replace(year=utcnow().year + 1),
            )
        )
        membership = factories.session.scalar(select(Membership))
        values.update(
            org_slug=organisation.slug,
            org_id=organisation.id,
            membership_id=membership.id,
            invitation_id=invitation.id,
            invitation_secret=INVITATION_SECRET,
            csv_table="trend",
        )
        from col_core.webhooks.models import WebhookSubscription

        for key, owner in (("city_webhook_id", None), ("org_webhook_id", organisation.id)):
            subscription = factories.save(
                WebhookSubscription(
                    organisation_id=owner,
                    url="https://hooks.example.org/secret-org-a",
                    events=["activity.published"],
                    secret="whsec_c2VjcmV0LW9mLWNpdHktYQ==",
                )
            )
            values[key] = subscription.id
        values["webhook_action"] = "delete"
        try:
            from col_core.activities.models import Activity
        except ImportError:  # pragma: no cover - activities not installed
            Activity = None
        if Activity is not None:
            activity = factories.save(
                Activity(
                    organisation_id=organisation.id,
                    title="Secret Activity A",
                    status="published",
                    published_at=utcnow(),
                )
            )
            values["activity_id"] = activity.id
            from col_core.activities.models import ActivitySession

            session = factories.save(
                ActivitySession(activity_id=activity.id, starts_at=utcnow(), ends_at=utcnow())
            )
            values["session_id"] = session.id
            try:
                from plugins.playlists.models import Playlist, PlaylistItem
            except ImportError:  # pragma: no cover - playlists not installed
                Playlist = None
            if Playlist is not None:
                playlist = Playlist(
                    organisation_id=organisation.id,
                    title="Secret Playlist A",
                    status="published",
                    is_template=True,
                    items=[PlaylistItem(activity_id=activity.id)],
                )
                factories.save(playlist)
                values.update(playlist_id=playlist.id, playlist_item_id=playlist.items[0].id)
    values.update(_badges_world(registry, factories, city_a, attacker))
    with factories.within(city_b):
        factories.save(CityAdmin(user_id=attacker.id))
    return {"a": city_a, "b": city_b, "values": values}


def _badges_world(registry, factories, city, owner) -> dict:
    """A badge class, an assertion, a claim code and evidence of city A, when badges is installed."""
    try:
        from plugins.badges import claims
        from plugins.badges.interfaces import IWalletOffers
        from plugins.badges.models import Assertion, BadgeClass, EvidenceSubmission
        from plugins.badges.testing import Badges
    except ImportError:  # pragma: no cover - badges not installed
        return {}
    badges = Badges(registry, factories, city)
    badges.member(owner, "owner")
    class_id = badges.badge_class(
        name="Secret Badge A", earning="evidence", review="organiser", tasks=["Do it"]
    )
    uid = badges.issue(class_id, "someone@example.org")
    endorsement_id = badges.endorse(None, f"class:{class_id}", "Secret praise of city A")
    with badges.request() as request:
        badge = request.dbsession.get(BadgeClass, class_id)
        submission = EvidenceSubmission(
            badge_class=badge,
            task=0,
            text="Secret evidence",
            user=request.dbsession.get(User, owner.id),
        )
        request.dbsession.add(submission)
        request.dbsession.flush()
        assertion = request.dbsession.scalar(select(Assertion).where(Assertion.uid == uid))
        offer = request.find_service(IWalletOffers).create(assertion)
        return {
            "badge_id": class_id,
            "issuer_id": badge.issuer_id,
            "key_id": badge.issuer.keys[0].id,
            "assertion_uid": uid,
            "claim_code": claims.new_code(request.dbsession, badge).code,
            "accept_token": assertion.accept_token,
            "submission_id": submission.id,
            "endorsement_id": endorsement_id,
            "wallet_offer_code": offer.qr_url.rsplit("/", 2)[-2],  # .../offers/<code>/qr.svg
            "json_ext": ".json",
            "png_ext": "png",
            "ob_version": "2",
        }


def _attempts(name: str):
    if name.startswith("api."):
        return [name.split(".")[1].upper()]
    return ["GET", "POST"]


def _signed_in(testapp, tenant):
    app = testapp.for_tenant(tenant)
    form = [f for f in app.get("/signin").forms.values() if "password" in f.fields][0]
    form["email"], form["password"] = "owner@alpha.example", PASSWORD
    form.submit(status=303)
    accept_terms(app)  # the attacker has an account in good standing here, too
    token = re.search(r'name="csrf_token" value="([^"]+)"', app.get("/signin").text).group(1)
    return app, token


def _send(app, token, method, path):
    send = getattr(app, method.lower())
    headers = {"X-CSRF-Token": token}
    if method == "GET":
        return send(path, headers=headers, status="*")
    return send(path, params={"csrf_token": token}, headers=headers, status="*")


def _path(registry, world, name):
    route = placeholder_routes(registry)[name]
    path = route.generate(
        {key: str(world["values"][source]) for key, source in ATTACKS[name].items()}
    )
    return path if path.startswith("/") else "/" + path


def test_control_the_same_requests_work_in_city_a(testapp, registry, world):
    """Without this, a harness that always missed the city would pass every attack."""
    app, token = _signed_in(testapp, world["a"])
    members = _send(app, token, "GET", _path(registry, world, "organisation_members"))
    assert members.status_int == 200 and "Secret Org A" in members.text
    api = _send(app, token, "GET", _path(registry, world, "api.get.organisations.{slug}"))
    assert api.status_int == 200 and api.json["name"] == "Secret Org A"
    if "badges.class" in placeholder_routes(registry):
        badge = _send(app, token, "GET", _path(registry, world, "badges.class"))
        assert badge.status_int == 200 and badge.json["name"] == "Secret Badge A"


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_city_a_objects_are_not_found_from_city_b(testapp, registry, world, name):
    if name not in placeholder_routes(registry):
        pytest.skip(f"{name} is not installed")
    app, token = _signed_in(testapp, world["b"])
    path = _path(registry, world, name)
    for method in _attempts(name):
        response = _send(app, token, method, path)
        assert response.status_int == 404, f"{method} {path} answered {response.status}"
        # (The path itself may be echoed, e.g. by the language switcher; names must not be.)
        assert not SECRETS.intersection(re.findall(r"Secret \w+ A|Bike Kitchen", response.text))


def test_row_level_security_hides_city_a_from_raw_sql(registry, world):
    """PostgreSQL only: even SQL that bypasses the ORM filter sees only its own city's rows."""
    from sqlalchemy import text

    from col_core.tenancy.scoping import set_tenant

    if registry["col.engine"].dialect.name != "postgresql":
        pytest.skip("row-level security is a PostgreSQL feature")
    # Past the ORM wall on purpose: row-level security is what is under test.
    raw = {"filters_tenant_itself": "a test of row-level security"}
    session = registry["col.session_factory"]()
    try:
        set_tenant(session, world["b"].id)
        assert (
            session.execute(text("SELECT name FROM organisations"), execution_options=raw).all()
            == []
        )
        assert (
            session.execute(text("SELECT id FROM memberships"), execution_options=raw).all() == []
        )
        session.rollback()
        set_tenant(session, world["a"].id)  # the control: the same SQL sees city A's rows
        names = set(
            session.execute(text("SELECT name FROM organisations"), execution_options=raw).scalars()
        )
        assert "Secret Org A" in names and names <= SECRETS
    finally:
        session.rollback()
        session.close()


DISCOVERY = [
    "/api/v1/search?q=secret",
    "/api/v1/activities.geojson?q=secret",
    "/api/v1/map/tiles/0/0/0.geojson?q=secret",
    "/api/v1/map/tiles/10/583/325.geojson?q=secret",
    "/map/?q=secret",
    "/map/activities.ics?q=secret",
]


def test_discovery_in_city_b_shows_nothing_of_city_a(testapp, registry, world):
    """Search, map, GeoJSON and iCal feeds take no ids: they must simply never show city A."""
    from col_core.activities.models import Activity
    from col_core.tenancy.scoping import tenant_context

    session = registry["col.session_factory"]()
    with session.begin():  # give the secret activity a place, so the map feeds would carry it
        with tenant_context(session, world["a"]):
            activity = get_city_row(session, Activity, world["values"]["activity_id"])
            activity.latitude, activity.longitude = 54.68, 25.28
    session.close()
    control = testapp.for_tenant(world["a"]).get("/api/v1/search?q=secret")
    assert [item["title"] for item in control.json["items"]] == ["Secret Activity A"]
    app = testapp.for_tenant(world["b"])
    for path in DISCOVERY:
        if path.startswith("/map") and not registry["col.plugins"].plugins.get("map"):
            continue
        response = app.get(path, status="*")
        assert response.status_int in (200, 404), f"{path} answered {response.status}"
        assert "Secret Activity A" not in response.text, path


def test_the_network_search_shows_no_city_a_data_to_city_b_nor_its_private_data_anywhere(
    testapp, registry, world, factories
):
    """The global site's network search (``city=`` names a city) is the one cross-city read of
    discovery: on city B's host ``city=alpha`` reaches nothing of city A, and on the global
    site only city A's public, published activities show, never a draft or a private one."""
    from col_core.activities.models import Activity

    organisation_id = world["values"]["org_id"]
    with factories.within(world["a"]):
        for title, fields in (
            ("Secret Private A", {"status": "published", "visibility": "private"}),
            ("Secret Draft A", {"status": "draft"}),
        ):
            factories.save(
                Activity(organisation_id=organisation_id, title=title, latitude=54.7, **fields)
            )
    networked = [f"{path}&city=alpha&bbox=-180,-90,180,90" for path in DISCOVERY]
    app = testapp.for_tenant(world["b"])
    for path in networked:
        response = app.get(path, status="*")
        assert response.status_int in (200, 404), f"{path} answered {response.status}"
        assert "Secret" not in response.text, path
    network = testapp.for_tenant(factories.global_site())
    found = network.get("/api/v1/search?q=secret&city=alpha").json["items"]
    assert [(item["title"], item["city"]) for item in found] == [("Secret Activity A", "Alpha")]
    for path in networked:
        response = network.get(path)
        assert "Secret Private A" not in response.text and "Secret Draft A" not in response.text


def test_map_group_of_city_a_is_not_found_from_city_b(testapp, registry, world):
    """``?group=playlist:<id>`` takes an id through the query string: city A's playlist, asked
    for on city B's map and feeds by its own organiser, is a 404 like any route's id."""
    plugins = registry["col.plugins"].plugins
    if "playlist_id" not in world["values"] or not plugins.get("map"):
        pytest.skip("the map and playlists plugins are not both installed")
    group = f"group=playlist:{world['values']['playlist_id']}"
    paths = [
        f"/map/?{group}",
        f"/api/v1/activities.geojson?{group}",
        f"/map/activities.ics?{group}",
        f"/api/v1/map/tiles/10/583/325.geojson?{group}",
    ]
    control, token = _signed_in(testapp, world["a"])
    assert _send(control, token, "GET", paths[1]).status_int == 200
    app, token = _signed_in(testapp, world["b"])
    for path in paths:
        response = _send(app, token, "GET", path)
        assert response.status_int == 404, f"{path} answered {response.status}"
        assert not SECRETS.intersection(re.findall(r"Secret \w+ A|Bike Kitchen", response.text))


# -- city A's ids inside bodies and forms, sent to the attacker's own objects in city B ----------
#
# The attacker owns an organisation, an activity, a playlist and a badge class in city B too, so
# every route below is one they may use; only the ids in the body are city A's.  Each attack must
# be refused with a 4xx, and afterwards city B's objects must hold nothing of city A's.


@pytest.fixture
def own_world(world, factories, registry):
    """The attacker's own objects in city B, and a participation in city A to aim at."""
    from col_core.activities.models import Activity, Participation

    city_b, values = world["b"], world["values"]
    attacker = factories.session.scalar(select(User).where(User.email == "owner@alpha.example"))
    own = {}
    with factories.within(city_b):
        organisation = Organisation(name="Attacker Org B", slug="attacker-org-b")
        organisation.memberships.append(Membership(user_id=attacker.id, role="owner"))
        factories.save(organisation)
        activity = factories.save(
            Activity(
                organisation_id=organisation.id,
                title="Own Activity B",
                status="published",
                published_at=utcnow(),
            )
        )
        own.update(org_slug=organisation.slug, activity_id=activity.id)
    learner = factories.save(
        User(email="learner@alpha.example", display_name="Learner A", email_verified_at=utcnow())
    )
    with factories.within(world["a"]):
        participation = factories.save(
            Participation(activity_id=values["activity_id"], user_id=learner.id, status="joined")
        )
        own["a_participation_id"] = participation.id
    try:
        from plugins.playlists.models import Playlist
    except ImportError:  # pragma: no cover - playlists not installed
        Playlist = None
    if Playlist is not None:
        with factories.within(city_b):
            own["playlist_id"] = factories.save(
                Playlist(organisation_id=organisation.id, title="Own Playlist B")
            ).id
    try:
        from plugins.badges.testing import Badges
    except ImportError:  # pragma: no cover - badges not installed
        Badges = None
    if Badges is not None:
        badges = Badges(registry, factories, city_b)
        with factories.within(city_b):  # its name would read as city A's "Bike Kitchen"
            kitchen = get_city_row(factories.session, Organisation, badges.organisation.id)
            kitchen.name = "Own Kitchen B"
            factories.session.commit()
        badges.member(attacker, "owner")
        own["badge_id"] = badges.badge_class(name="Own Badge B")
    return own


def _route(registry, name, **parts):
    route = registry.getUtility(IRoutesMapper).get_route(name)
    path = route.generate({key: str(value) for key, value in parts.items()})
    return path if path.startswith("/") else "/" + path


def _refused(response):
    assert 400 <= response.status_int < 500, f"answered {response.status}"
    assert not SECRETS.intersection(re.findall(r"Secret \w+ A|Bike Kitchen", response.text))


def test_activity_co_organised_with_another_citys_organisation(
    testapp, registry, world, own_world, factories
):
    from col_core.activities.models import Activity

    app, token = _signed_in(testapp, world["b"])
    path = f"/api/v1/activities/{own_world['activity_id']}"
    _refused(
        app.patch_json(
            path,
            {"co_organisers": [world["values"]["org_id"]]},
            headers={"X-CSRF-Token": token},
            status="*",
        )
    )
    edit = app.get(_route(registry, "activity_edit", id=own_world["activity_id"]))
    form = [f for f in edit.forms.values() if "title" in f.fields][0]
    fields = [(name, value) for name, value in form.submit_fields() if name != "co_organisers"]
    _refused(
        app.post(
            edit.request.path,
            fields + [("co_organisers", str(world["values"]["org_id"]))],
            status="*",
        )
    )
    with factories.within(world["b"]):
        activity = get_city_row(factories.session, Activity, own_world["activity_id"])
        assert activity.co_organisers == []


def test_attendance_and_completion_with_another_citys_ids(testapp, world, own_world, factories):
    from col_core.activities.models import Participation

    app, token = _signed_in(testapp, world["b"])
    headers = {"X-CSRF-Token": token}
    base = f"/api/v1/activities/{own_world['activity_id']}"
    a_participation = own_world["a_participation_id"]
    _refused(
        app.post_json(
            f"{base}/attendance",
            {"session_id": world["values"]["session_id"], "participation_ids": [a_participation]},
            headers=headers,
            status="*",
        )
    )
    completed = app.post_json(
        f"{base}/completion", {"participation_ids": [a_participation]}, headers=headers, status="*"
    )
    assert completed.status_int >= 400 or completed.json["completed"] == []
    with factories.within(world["a"]):
        participation = get_city_row(factories.session, Participation, a_participation)
        assert participation.status == "joined" and participation.completed_at is None


def test_playlist_items_from_another_city(testapp, registry, world, own_world, factories):
    if "playlist_id" not in own_world:
        pytest.skip("playlists is not installed")
    from plugins.playlists.models import PlaylistItem

    app, token = _signed_in(testapp, world["b"])
    _refused(
        app.put_json(
            f"/api/v1/playlists/{own_world['playlist_id']}/items",
            {"items": [{"activity_id": world["values"]["activity_id"]}]},
            headers={"X-CSRF-Token": token},
            status="*",
        )
    )
    with factories.within(world["b"]):
        assert factories.session.scalars(select(PlaylistItem)).all() == []


def test_badge_prerequisite_from_another_city(testapp, registry, world, own_world, factories):
    if "badge_id" not in own_world:
        pytest.skip("badges is not installed")
    from plugins.badges.models import BadgeClass

    app, token = _signed_in(testapp, world["b"])
    page = app.get(_route(registry, "badges.manage_edit", badge=own_world["badge_id"]))
    form = [f for f in page.forms.values() if "name" in f.fields][0]
    fields = [(name, value) for name, value in form.submit_fields() if name != "prerequisites"]
    _refused(
        app.post(
            page.request.path,
            fields + [("prerequisites", str(world["values"]["badge_id"]))],
            status="*",
        )
    )
    with factories.within(world["b"]):
        badge = factories.session.get(BadgeClass, own_world["badge_id"])
        assert badge.prerequisites == []


def test_working_as_another_citys_organisation(testapp, registry, world, own_world):
    app, token = _signed_in(testapp, world["b"])
    _refused(
        app.post(
            _route(registry, "organisation_switch"),
            {"csrf_token": token, "slug": world["values"]["org_slug"]},
            status="*",
        )
    )
    assert "Secret Org A" not in app.get(_route(registry, "organisations_mine")).text


def test_removing_another_citys_member_through_an_own_organisation(
    testapp, registry, world, own_world, factories
):
    app, token = _signed_in(testapp, world["b"])
    path = _route(
        registry,
        "organisation_member_remove",
        slug=own_world["org_slug"],
        id=world["values"]["membership_id"],
    )
    _refused(app.post(path, {"csrf_token": token}, status="*"))
    with factories.within(world["a"]):
        assert (
            get_city_row(factories.session, Membership, world["values"]["membership_id"])
            is not None
        )
