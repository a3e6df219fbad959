"""Webhooks as their receivers see them: a real HTTP endpoint on 127.0.0.1 checks every
delivery with the reference Standard Webhooks library, answers 500 or 200 as the test says,
and the pages and the job queue do the rest.

The suite's job queue is "immediate": an attempt runs right after the commit that wrote it, and
a failed one is left for the queue's retry after its wait.  ``retry`` runs those due attempts
through the queue's own task, as a worker would when the wait is over.
"""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select, update

from col_core.jobs.models import Job
from col_core.tenancy import cross_tenant
from col_core.webhooks.models import WebhookAttempt, WebhookSubscription

pytest.importorskip("standardwebhooks")

from col_core.testing.webhooks import (  # noqa: E402,F401
    Receiver,
    allow_loopback,
    button,
    receiver,
    secret_of,
    subscribe,
)


@pytest.fixture
def city(factories):
    return factories.tenant("vilnius")


@pytest.fixture
def org(people, city):
    return people.organisation(city, name="Bike Kitchen")


@pytest.fixture
def other_org(people, city):
    return people.organisation(city, name="Chess Club")


def join(people, city, activity):
    learner = people.user()
    joined = (
        people.client(city, learner)
        .post(f"/api/v1/activities/{activity.id}/participation", status=201)
        .json
    )
    return {**joined, "learner_id": learner.id}


def retry(registry):
    """Run every pending attempt now, as the queue does when its wait is over."""
    runner = registry["col.jobs"]
    with registry["col.session_factory"]() as session, cross_tenant(session):
        due = session.execute(select(Job.tenant_id, Job.id).where(Job.status == "pending")).all()
    for tenant_id, job_id in due:
        try:
            runner.run(tenant_id, job_id)
        except Exception:
            pass  # failed again: the queue would wait and retry


def attempts(registry, **where):
    with registry["col.session_factory"]() as session, cross_tenant(session):
        return session.scalars(
            select(WebhookAttempt).filter_by(**where).order_by(WebhookAttempt.id)
        ).all()


def test_an_organisation_receives_signed_events_of_its_own_activities_only(
    people, city, org, other_org, receiver, allow_loopback, openapi
):
    owner = people.member(city, org)
    app = people.client(city, owner)
    created = subscribe(
        app,
        f"/organisations/{org.slug}/webhooks",
        receiver.url,
        {"participation.joined", "participation.completed"},
    )
    receiver.secret = secret_of(created)
    assert "shown only now" in created.text
    # The secret is shown once: the list and the subscription's page never show it again.
    assert receiver.secret not in app.get(f"/organisations/{org.slug}/webhooks").text

    own = people.activity(city, org, title="Repair café")
    theirs = people.activity(city, other_org, title="Chess night")
    joined = join(people, city, own)
    join(people, city, theirs)  # another organisation's event is never delivered here
    assert receiver.refused == []
    assert receiver.types() == ["participation.joined"]
    message = receiver.received[0]
    assert message["data"]["activity"]["id"] == own.id
    assert message["data"]["participation"] == {
        "id": joined["id"],
        "status": "joined",
        "learner_id": joined["learner_id"],
    }
    # The body has the shape the OpenAPI document promises.
    import jsonschema

    schema = openapi.spec["webhooks"]["participation.joined"]["post"]["requestBody"]["content"][
        "application/json"
    ]["schema"]
    jsonschema.validate(message, schema)

    app.post_json(f"/api/v1/activities/{own.id}/completion", {"participation_ids": [joined["id"]]})
    assert receiver.types() == ["participation.joined", "participation.completed"]
    subscription_id = attempts(people.factories.registry)[0].subscription_id
    log = app.get(f"/organisations/{org.slug}/webhooks/{subscription_id}")
    assert "participation.completed" in log.text and "200" in log.text


def test_a_city_subscription_hears_every_organisation(
    people, city, org, other_org, receiver, allow_loopback
):
    admin = people.city_admin(city)
    app = people.client(city, admin)
    receiver.secret = secret_of(
        subscribe(app, "/admin/webhooks", receiver.url, {"participation.joined"})
    )
    join(people, city, people.activity(city, org))
    join(people, city, people.activity(city, other_org))
    assert receiver.types() == ["participation.joined", "participation.joined"]
    assert receiver.refused == []


def test_a_failed_delivery_is_retried_with_the_same_id(
    people, city, org, receiver, allow_loopback, registry
):
    app = people.client(city, people.member(city, org))
    receiver.secret = secret_of(
        subscribe(
            app, f"/organisations/{org.slug}/webhooks", receiver.url, {"participation.joined"}
        )
    )
    receiver.answers = [500, 200]
    join(people, city, people.activity(city, org))
    assert len(receiver.received) == 1
    retry(registry)
    assert len(receiver.received) == 2
    first, second = receiver.received
    assert first["id"] == second["id"]  # receivers deduplicate on webhook-id
    log = attempts(registry)
    assert [(row.attempt, row.status_code, row.ok) for row in log] == [
        (1, 500, False),
        (2, 200, True),
    ]
    assert "500" in log[0].error
    retry(registry)
    assert len(receiver.received) == 2  # done: never sent again


def test_a_subscription_failing_again_and_again_is_turned_off_until_turned_on(
    people, city, org, receiver, allow_loopback, registry, monkeypatch
):
    monkeypatch.setitem(registry.settings, "col.webhooks_disable_after", "3")
    app = people.client(city, people.member(city, org))
    receiver.secret = secret_of(
        subscribe(
            app, f"/organisations/{org.slug}/webhooks", receiver.url, {"participation.joined"}
        )
    )
    receiver.answers = [503]
    activity = people.activity(city, org)
    join(people, city, activity)
    retry(registry)
    retry(registry)
    retry(registry)  # turned off by now: the pending retry is dropped, not sent
    assert len(receiver.received) == 3
    with registry["col.session_factory"]() as session, cross_tenant(session):
        subscription = session.scalars(select(WebhookSubscription)).one()
    assert not subscription.enabled and "503" in subscription.disabled_reason
    path = f"/organisations/{org.slug}/webhooks/{subscription.id}"
    page = app.get(path)
    assert "Turned off after 3 failed attempts" in page.text and "503" in page.text
    join(people, city, activity)
    assert len(receiver.received) == 3  # nothing is sent while it is off

    receiver.answers = [200]
    button(page, "enable").submit(status=303)  # "Turn on again"
    button(app.get(path), "test").submit(status=303)  # "Send test event"
    assert receiver.types()[-1] == "webhook.test"
    assert receiver.refused == []
    assert "Turned off" not in app.get(path).text


def test_the_test_button_sends_a_signed_test_event(people, city, receiver, allow_loopback):
    app = people.client(city, people.city_admin(city))
    created = subscribe(app, "/admin/webhooks", receiver.url, {"activity.published"})
    receiver.secret = secret_of(created)
    show = app.get(created.html.find("a", href=re.compile(r"/admin/webhooks/\d+"))["href"])
    button(show, "test").submit(status=303)
    assert receiver.types() == ["webhook.test"] and receiver.refused == []


def test_bad_endpoints_and_events_are_refused(people, city, org, registry):
    app = people.client(city, people.member(city, org))
    path = f"/organisations/{org.slug}/webhooks"
    # Production settings: only https, and never a private or loopback address.
    refused = subscribe(app, path, "http://hooks.example.org/x", {"activity.published"}, 400)
    assert "https" in refused.text
    refused = subscribe(app, path, "https://127.0.0.1/hooks", {"activity.published"}, 400)
    assert "private address" in refused.text
    refused = subscribe(app, path, "https://localhost/hooks", {"activity.published"}, 400)
    assert "private address" in refused.text
    refused = subscribe(app, path, "https://hooks.example.org/x", set(), 400)
    assert "Choose at least one event" in refused.text
    page = app.get(path)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    forged = app.post(
        path,
        {
            "url": "https://hooks.example.org/x",
            "events": "secrets.leaked",
            **({"csrf_token": token[1]} if token else {}),
        },
        status=400,
    )
    assert "Unknown events: secrets.leaked" in forged.text
    with registry["col.session_factory"]() as session, cross_tenant(session):
        assert session.scalars(select(WebhookSubscription)).all() == []


def test_a_private_address_is_refused_at_delivery_too(
    people, city, org, receiver, registry, allow_loopback, monkeypatch
):
    app = people.client(city, people.member(city, org))
    receiver.secret = secret_of(
        subscribe(
            app, f"/organisations/{org.slug}/webhooks", receiver.url, {"participation.joined"}
        )
    )
    # An https address that resolves to a loopback one, as a DNS record changed after the
    # subscription was made would; production settings again.
    with registry["col.session_factory"]() as session, cross_tenant(session):
        session.execute(
            update(WebhookSubscription).values(
                url=receiver.url.replace("http://127.0.0.1", "https://localhost")
            )
        )
        session.commit()
    monkeypatch.setitem(registry.settings, "col.webhooks_allow_private", "false")
    join(people, city, people.activity(city, org))
    assert receiver.received == []
    assert attempts(registry)[0].error == "localhost is a private address"


def test_organisation_members_who_are_not_admins_cannot_manage_webhooks(people, city, org):
    member = people.member(city, org, role="member")
    people.client(city, member).get(f"/organisations/{org.slug}/webhooks", status=403)
    learner = people.client(city, people.user())
    learner.get("/admin/webhooks", status=403)


def test_another_organisations_subscription_is_not_found(
    people, city, org, other_org, receiver, allow_loopback
):
    owner = people.client(city, people.member(city, org))
    subscribe(owner, f"/organisations/{org.slug}/webhooks", receiver.url, {"participation.joined"})
    stranger = people.client(city, people.member(city, other_org))
    with people.factories.registry["col.session_factory"]() as session, cross_tenant(session):
        subscription_id = session.scalars(select(WebhookSubscription.id)).one()
    stranger.get(f"/organisations/{other_org.slug}/webhooks/{subscription_id}", status=404)
    stranger.post(f"/organisations/{other_org.slug}/webhooks/{subscription_id}/delete", status=404)
    # Nor is an organisation's subscription one of the city's.
    admin = people.client(city, people.city_admin(city))
    admin.get(f"/admin/webhooks/{subscription_id}", status=404)


def test_the_openapi_document_describes_every_event_as_openapi_3_1(people, city, testapp):
    validator = pytest.importorskip("openapi_spec_validator")
    document = testapp.for_tenant(city).get("/api/openapi.json").json
    validator.validate(document)
    assert {
        "activity.published",
        "activity.changed",
        "participation.joined",
        "participation.completed",
        "badge.issued",
        "badge.revoked",
        "playlist.completed",
        "webhook.test",
    } <= set(document["webhooks"])
    signature = [p["name"] for p in document["webhooks"]["badge.issued"]["post"]["parameters"]]
    assert signature == ["webhook-id", "webhook-timestamp", "webhook-signature"]


def test_a_city_without_the_badges_plugin_offers_no_badge_events(factories, people, testapp):
    city = factories.tenant("kaunas", plugins=["map"])
    app = people.client(city, people.city_admin(city))
    page = app.get("/admin/webhooks")
    assert "badge.issued" not in page.text and "participation.joined" in page.text
    assert "badge.issued" not in testapp.for_tenant(city).get("/api/openapi.json").json["webhooks"]


def test_badges_issued_and_revoked_reach_the_city_and_the_issuing_organisation(
    registry, factories, people, receiver, allow_loopback
):
    from plugins.badges.testing import Badges

    city = factories.tenant("riga")
    badges = Badges(registry, factories, city)
    bystander = people.organisation(city, name="Chess Club")
    issuing = people.client(city, people.member(city, badges.organisation))
    receiver.secret = secret_of(
        subscribe(
            issuing,
            f"/organisations/{badges.organisation.slug}/webhooks",
            receiver.url,
            {"badge.issued", "badge.revoked"},
        )
    )
    other = Receiver()
    try:
        other.secret = secret_of(
            subscribe(
                people.client(city, people.member(city, bystander)),
                f"/organisations/{bystander.slug}/webhooks",
                other.url,
                {"badge.issued", "badge.revoked"},
            )
        )
        uid = badges.issue(badges.badge_class(name="Bike repair"), "ana@example.org")
        badges.revoke(uid, "issued by mistake")
        assert other.received == []  # the bystander organisation hears nothing
    finally:
        other.close()
    assert receiver.types() == ["badge.issued", "badge.revoked"] and receiver.refused == []
    issued, revoked = (message["data"] for message in receiver.received)
    assert issued["badge"]["name"] == "Bike repair" and issued["assertion"]["uid"] == uid
    assert "ana@example.org" not in json.dumps(receiver.received)  # no address is sent
    assert revoked["assertion"]["revocation_reason"] == "issued by mistake"


def test_a_changed_published_activity_is_announced(people, city, org, receiver, allow_loopback):
    owner = people.member(city, org)
    app = people.client(city, owner)
    receiver.secret = secret_of(
        subscribe(app, f"/organisations/{org.slug}/webhooks", receiver.url, {"activity.changed"})
    )
    activity = people.activity(
        city,
        org,
        title="Repair café",
        description="<p>Bring a bike.</p>",
        contact_email="cafe@example.org",
        address="Town hall",
        latitude=54.68,
        longitude=25.28,
    )
    app.patch_json(f"/api/v1/activities/{activity.id}", {"title": "Repair café+"}, status=200)
    assert receiver.types() == ["activity.changed"] and receiver.refused == []
    changed = receiver.received[0]["data"]["activity"]
    assert changed["title"] == "Repair café+" and changed["organisation"]["slug"] == org.slug


def test_the_json_api_subscribes_lists_and_shows_the_log(
    people, city, org, receiver, allow_loopback, openapi
):
    app = people.client(city, people.member(city, org))
    base = f"/api/v1/organisations/{org.slug}/webhooks"
    made = openapi(
        app.post_json(base, {"url": receiver.url, "events": ["participation.joined"]}, status=201)
    ).json
    receiver.secret = made["secret"]
    join(people, city, people.activity(city, org))
    listed = openapi(app.get(base)).json["items"]
    assert [found["id"] for found in listed] == [made["id"]] and "secret" not in listed[0]
    shown = openapi(app.get(f"{base}/{made['id']}")).json
    assert [(a["event"], a["status_code"], a["ok"]) for a in shown["attempts"]] == [
        ("participation.joined", 200, True)
    ]
    assert receiver.refused == [] and receiver.types() == ["participation.joined"]


def test_the_json_api_refuses_bad_input_clearly(people, city, org, openapi):
    app = people.client(city, people.member(city, org))
    base = f"/api/v1/organisations/{org.slug}/webhooks"
    plain = openapi(
        app.post_json(
            base, {"url": "http://hooks.example.org/", "events": ["activity.published"]}, status=422
        )
    ).json
    assert "https" in plain["fields"]["url"]
    unknown = openapi(
        app.post_json(
            base, {"url": "https://hooks.example.org/", "events": ["everything"]}, status=422
        )
    ).json
    assert "everything" in unknown["fields"]["events"]
    shape = app.post_json(base, {"url": ["x"], "events": "activity.published"}, status=400).json
    assert shape["error"]
    people.client(city, people.user()).get("/api/v1/webhooks", status=403)
