"""The notification list, its bell, marking read by POST, each person's choice of e-mails, the
export, and e-mails that outlive a dead mail server (with the waitlist as the event)."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO

import pytest
from sqlalchemy import select

from col_core.jobs.models import Job
from col_core.security.models import User
from col_core.testing.servers import free_port

from .notifications_testing import bell, body, mail_to, offer_a_place, rows, translated


@pytest.fixture
def city(factories):
    return factories.tenant("vilnius", locales=["en", "lt"])


@pytest.fixture
def organisation(people, city):
    return people.organisation(city)


def test_a_waitlist_place_is_notified_and_emailed_in_the_learners_language(
    people, city, organisation, outbox, registry, factories
):
    learner = people.user(preferred_locale="lt")
    client = people.client(city, learner)
    assert bell(client) == 0
    activity = offer_a_place(people, city, organisation, learner)
    [row] = rows(factories, city, learner)
    assert (row.kind, row.read_at, row.mapping) == ("waitlist", None, {"title": "Pottery"})
    assert row.url.endswith(f"/activities/{activity.id}")
    assert bell(client) == 1
    page = client.get("/notifications")
    assert "Pottery" in page.text and "Mark as read" not in page.text  # it opens the activity
    [message] = mail_to(outbox, learner)
    subject = translated(registry, "lt", "You have a place: ${title}", title="Pottery")
    assert message["Subject"] == subject != "You have a place: Pottery"
    assert f"/activities/{activity.id}" in body(message)


def test_looking_reads_nothing_and_posting_marks_read(people, city, organisation, factories):
    learner = people.user()
    client = people.client(city, learner)
    activity = offer_a_place(people, city, organisation, learner)
    offer_a_place(people, city, organisation, learner, title="Choir")
    client.get("/notifications")
    client.get("/")
    assert bell(client) == 2  # a GET never marks anything read
    first, second = rows(factories, city, learner)
    opened = client.post("/notifications/read", {"id": str(first.id)}, status=303)
    assert opened.location.endswith(f"/activities/{activity.id}")
    assert bell(client) == 1
    client.post("/notifications/read", status=303)
    assert bell(client) == 0 and all(r.read_at for r in rows(factories, city, learner))
    assert "Mark all as read" not in client.get("/notifications").text


def test_marking_read_refuses_bad_and_other_peoples_ids(people, city, organisation, factories):
    learner, other = people.user(), people.user()
    offer_a_place(people, city, organisation, learner)
    [theirs] = rows(factories, city, learner)
    client = people.client(city, other)
    page = client.post("/notifications/read", {"id": "latest"}, status=400)
    assert "Choose a notification from your list" in page.text
    client.post("/notifications/read", {"id": str(theirs.id)}, status=404)
    # Nor from another city, with the same account.
    kaunas = people.client(people.factories.tenant("kaunas"), learner)
    kaunas.post("/notifications/read", {"id": str(theirs.id)}, status=404)
    assert rows(factories, city, learner)[0].read_at is None


def test_visitors_see_no_bell_and_must_sign_in(testapp, city):
    app = testapp.for_tenant(city)
    assert 'class="bell"' not in app.get("/").text
    assert "/signin" in app.get("/notifications", status=303).location


def test_a_person_turns_an_email_off_and_keeps_the_notification(
    people, city, organisation, outbox, factories
):
    learner = people.user()
    client = people.client(city, learner)
    account = client.get("/account")
    assert 'name="email" type="checkbox" value="waitlist" checked' in account.text
    assert "A place for you on an activity" in account.text
    client.post("/notifications/emails", {"email": ["organisation"]}, status=303)
    offer_a_place(people, city, organisation, learner)
    assert mail_to(outbox, learner) == []
    assert [r.kind for r in rows(factories, city, learner)] == ["waitlist"]
    account = client.get("/account")
    assert 'value="waitlist">' in account.text and 'value="organisation" checked' in account.text
    # Ticked again, the next one comes by e-mail as well.
    client.post("/notifications/emails", {"email": ["waitlist", "organisation"]}, status=303)
    offer_a_place(people, city, organisation, learner, title="Choir")
    assert [m["Subject"] for m in mail_to(outbox, learner)] == ["You have a place: Choir"]


def _opt_outs(factories, user) -> list[str]:
    factories.session.expire_all()
    return factories.session.get(User, user.id).email_opt_outs or []


def test_a_city_offers_only_the_emails_of_its_plugins_and_keeps_other_choices(
    people, city, factories
):
    learner = people.user()
    client = people.client(city, learner)
    client.post("/notifications/emails", {"email": ["waitlist", "organisation"]}, status=303)
    assert "badge_issued" in _opt_outs(factories, learner)
    kaunas = factories.tenant("kaunas", plugins=["map"])  # no badges there
    elsewhere = people.client(kaunas, learner)
    account = elsewhere.get("/account")
    assert 'value="waitlist"' in account.text and 'value="badge_issued"' not in account.text
    elsewhere.post("/notifications/emails", {"email": ["organisation"]}, status=303)
    # Kaunas changed what it offers; the choice made in Vilnius about badges stays.
    assert set(_opt_outs(factories, learner)) >= {"waitlist", "badge_issued"}
    elsewhere.post("/notifications/emails", {"email": ["badge_issued"]}, status=400)


def test_an_unknown_kind_of_email_is_refused(people, city):
    client = people.client(city, people.user())
    page = client.post("/notifications/emails", {"email": ["spam"]}, status=400)
    assert "There is no kind of e-mail called “spam”" in page.text


def test_the_export_carries_notifications_and_the_choice_of_emails(
    people, city, organisation, factories
):
    learner = people.user()
    client = people.client(city, learner)
    client.post("/notifications/emails", {"email": ["organisation"]}, status=303)
    offer_a_place(people, city, organisation, learner)
    archive = client.post("/account/export", status=200)
    with zipfile.ZipFile(BytesIO(archive.body)) as zipped:
        data = json.loads(zipped.read("notifications.json"))
    assert "waitlist" in data["emails_turned_off"]
    [exported] = data["notifications"]
    assert exported["city"] == "vilnius" and "Pottery" in exported["text"]


def test_a_dead_mail_server_keeps_the_email_for_retry(
    people, city, organisation, make_testapp, factories, outbox, run_col
):
    smtp = make_testapp(
        **{
            "col.mailer": "col_core.mail.SMTPMailer",
            "col.smtp_host": "127.0.0.1",
            "col.smtp_port": str(free_port()),  # nothing listens: the server is down
            "col.smtp_connect_timeout": "2",
        }
    )
    learner = people.user()
    activity = people.activity(city, organisation, title="Pottery", capacity=1)
    first = people.client(city, people.user())
    url = f"/api/v1/activities/{activity.id}/participation"
    first.post(url, status=201)
    people.client(city, learner).post(url, status=201)
    # The first learner leaves through the app whose mail server is down.
    name, value = first.session_cookie
    leaving = smtp.for_tenant(city)
    leaving.set_cookie(name, value)
    leaving.delete(url, headers={"X-CSRF-Token": first.extra_environ["HTTP_X_CSRF_TOKEN"]})
    assert [r.kind for r in rows(factories, city, learner)] == ["waitlist"]
    with factories.within(city):
        [job] = factories.session.scalars(select(Job).where(Job.kind == "mail")).all()
    assert (job.status, job.attempts) == ("pending", 1) and job.last_error
    assert job.payload["to"] == learner.email and "Pottery" in job.payload["subject"]
    assert mail_to(outbox, learner) == []
    run_col("jobs", "retry", str(job.id))  # the server is back (the outbox): sent once
    [message] = mail_to(outbox, learner)
    assert message["Subject"] == "You have a place: Pottery"
