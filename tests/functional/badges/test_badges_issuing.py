"""Issuing through IBadgeIssuer: emails, prerequisites, expiry, duplicates, the awarded hook."""

from __future__ import annotations

import datetime as dt

import pytest

from plugins.badges.services import IssueError


def test_issue_emails_the_recipient_with_share_and_claim_links(badges, outbox):
    uid = badges.issue(badges.badge_class(), "Ana@Example.org ")
    [message] = outbox.messages()
    assert message["To"] == "ana@example.org"
    assert "Bike repair" in message["Subject"]
    body = message.get_content()
    assert f"/badges/share/{uid}" in body
    token = badges.assertion(uid).accept_token
    assert token and f"/badges/accept/{token}" in body


def test_email_is_in_the_recipients_language(badges, outbox, registry):
    from pyramid.i18n import TranslationString, make_localizer
    from pyramid.interfaces import ITranslationDirectories

    badges.user("ona@example.org", preferred_locale="lt")
    badges.issue(badges.badge_class(), "ona@example.org")
    [message] = outbox.messages()
    lithuanian = make_localizer("lt", registry.queryUtility(ITranslationDirectories))
    subject = lithuanian.translate(
        TranslationString(
            "Your new badge: ${badge}", domain="col_badges", mapping={"badge": "Bike repair"}
        )
    )
    assert subject != "Your new badge: Bike repair"  # the catalog has it
    assert message["Subject"] == subject
    # A known account needs no "create your account" link.
    assert "/badges/accept/" not in message.get_content()


def test_issuing_twice_returns_the_same_assertion(badges):
    class_id = badges.badge_class()
    assert badges.issue(class_id) == badges.issue(class_id, "ANA@example.org")


def test_invalid_email_is_refused(badges):
    with pytest.raises(IssueError):
        badges.issue(badges.badge_class(), "not-an-address")


def test_prerequisites_must_be_held_first(badges):
    basics = badges.badge_class(name="Basics")
    advanced = badges.badge_class(name="Advanced", prerequisites=[basics])
    with pytest.raises(IssueError) as refused:
        badges.issue(advanced)
    assert "Basics" in refused.value.args[0].interpolate()
    badges.issue(basics)
    assert badges.issue(advanced)


def test_expiry_rule_sets_expiry_and_expired_badges_show_expired(badges, city):
    uid = badges.issue(badges.badge_class(expires_after_days=30))
    assertion = badges.assertion(uid)
    expires = assertion.expires_at.replace(tzinfo=dt.UTC)
    assert dt.timedelta(days=29) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(days=30)
    doc = city.get(f"/badges/assertions/{uid}.json").json
    assert doc["expires"].startswith(expires.date().isoformat())
    badges.update(uid, expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert "Expired on" in city.get(f"/badges/share/{uid}")


def test_awarded_hook_is_called(badges, registry):
    calls = []

    class Listener:
        from col_core.hookspecs import hookimpl

        @hookimpl
        def col_badge_awarded(self, request, assertion):
            calls.append(assertion.uid)

    manager = registry["col.plugins"].manager
    listener = Listener()
    manager.register(listener)
    try:
        uid = badges.issue(badges.badge_class())
    finally:
        manager.unregister(listener)
    assert calls == [uid]
