"""Reviewers hear of evidence to review, learners of its approval or of what to improve, of
their new badge and of a revocation with its reason: in the site, and by e-mail in their own
language unless they turned that kind off."""

from __future__ import annotations

from sqlalchemy import select

from plugins.badges.models import EvidenceSubmission

from ..notifications.notifications_testing import bell, body, mail_to, rows, translated

TASKS = ["Fix a puncture"]


def _latest_submission(badges) -> int:
    badges.factories.session.expire_all()
    with badges.factories.within(badges.tenant):
        return badges.factories.session.scalar(
            select(EvidenceSubmission.id).order_by(EvidenceSubmission.id.desc())
        )


def _client(testapp, badges, user):
    app = testapp.for_tenant(badges.tenant)
    badges.sign_in(app, user.email)
    return app


def _token(app, path) -> str:
    return next(
        f["csrf_token"].value for f in app.get(path).forms.values() if "csrf_token" in f.fields
    )


def _send_evidence(app, class_id, text):
    token = _token(app, f"/badges/classes/{class_id}/evidence")
    app.post(
        f"/badges/classes/{class_id}/evidence",
        {"csrf_token": token, "task": "0", "text": text},
        status=303,
    )


def _review(app, submission_id, decision, comment=""):
    token = _token(app, "/badges/reviews")
    app.post(
        f"/badges/reviews/{submission_id}",
        {"csrf_token": token, "decision": decision, "comment": comment},
        status=303,
    )


def test_evidence_reaches_reviewers_and_the_decision_reaches_the_learner(
    testapp, badges, outbox, registry
):
    learner = badges.user("ana@example.org", preferred_locale="lt")
    organiser = badges.user("org@example.org")
    badges.member(organiser, role="member")
    class_id = badges.badge_class(earning="evidence", review="organiser", tasks=TASKS)
    ana, org = _client(testapp, badges, learner), _client(testapp, badges, organiser)
    _send_evidence(ana, class_id, "I fixed it")
    [waiting] = rows(badges.factories, badges.tenant, organiser)
    first = _latest_submission(badges)
    assert waiting.kind == "evidence_review"
    assert waiting.url.endswith(f"/badges/reviews#review-{first}")  # the list, at its form
    assert (
        bell(org) == 1
        and "Ana sent evidence for “Fix a puncture”" in org.get("/notifications").text
    )
    [to_review] = mail_to(outbox, organiser)
    assert "Bike repair" in to_review["Subject"]
    opened = _token(org, "/notifications")
    notification = org.post("/notifications/read", {"csrf_token": opened, "id": str(waiting.id)})
    assert f'id="review-{first}"' in notification.follow().text  # "Open" leads to the form

    _review(org, first, "improve", "Show a photo of the tyre")
    [improve] = rows(badges.factories, badges.tenant, learner)
    assert improve.kind == "evidence_decision" and improve.url.endswith(
        f"/badges/classes/{class_id}/evidence"
    )
    [told] = mail_to(outbox, learner)
    expected = translated(
        registry,
        "lt",
        "Your evidence for “${task}” (${badge}) needs more: ${comment}",
        domain="col_badges",
        task="Fix a puncture",
        badge="Bike repair",
        comment="Show a photo of the tyre",
    )
    assert told["Subject"] == expected and not expected.startswith("Your evidence")

    _send_evidence(ana, class_id, "With a photo")
    _review(org, _latest_submission(badges), "approve")
    kinds = [r.kind for r in rows(badges.factories, badges.tenant, learner)]
    assert kinds == ["evidence_decision", "evidence_decision", "badge_issued"]
    assert bell(ana) == 3
    badge_mail = mail_to(outbox, learner)[-1]
    assert "/badges/share/" in body(badge_mail)
    assert badge_mail["Subject"] == translated(
        registry, "lt", "Your new badge: ${badge}", domain="col_badges", badge="Bike repair"
    )


def test_a_learner_who_turned_badge_emails_off_still_sees_the_badge_in_the_list(
    testapp, badges, outbox
):
    learner = badges.user("ana@example.org")
    ana = _client(testapp, badges, learner)
    token = _token(ana, "/account")
    kept = ["evidence_review", "evidence_decision", "badge_revoked"]
    ana.post("/notifications/emails", {"csrf_token": token, "email": kept}, status=303)
    badges.issue(badges.badge_class(), user=learner)
    assert mail_to(outbox, learner) == []
    [issued] = rows(badges.factories, badges.tenant, learner)
    assert issued.kind == "badge_issued" and "Bike repair" in ana.get("/notifications").text


def test_an_address_without_an_account_still_gets_the_email_to_keep_the_badge(badges, outbox):
    badges.issue(badges.badge_class(), email="new@example.org")
    [message] = [m for m in outbox.messages() if m["To"] == "new@example.org"]
    assert "/badges/accept/" in body(message) and "Bike repair" in message["Subject"]


def test_a_revocation_tells_the_learner_why(testapp, badges, outbox, registry):
    learner = badges.user("ana@example.org", preferred_locale="lt")
    class_id = badges.badge_class()
    uid = badges.issue(class_id, user=learner)
    org = testapp.for_tenant(badges.tenant)
    badges.organiser(org)
    token = _token(org, f"/badges/manage/{class_id}/issue")
    org.post(
        f"/badges/manage/{class_id}/revoke/{uid}",
        {"csrf_token": token, "reason": "The workshop did not take place."},
        status=303,
    )
    revoked = rows(badges.factories, badges.tenant, learner)[-1]
    assert revoked.kind == "badge_revoked" and revoked.url.endswith(f"/badges/share/{uid}")
    assert revoked.mapping["reason"] == "The workshop did not take place."
    message = mail_to(outbox, learner)[-1]
    assert message["Subject"] == translated(
        registry, "lt", "Your badge was revoked: ${badge}", domain="col_badges", badge="Bike repair"
    )
    assert "The workshop did not take place." in body(message)


def test_peer_reviewers_hear_of_evidence_and_of_its_new_version(testapp, badges, outbox):
    """Peer-reviewed evidence reaches the organisation's members, the badge's holders and
    whoever reviewed the learner's earlier version; not the learner, not everyone."""
    learner, holder, stranger = (badges.user(f"{n}@example.org") for n in ("ana", "ben", "eve"))
    organiser = badges.user("org@example.org")
    badges.member(organiser, role="member")
    class_id = badges.badge_class(
        earning="evidence", review="peer", peer_reviews_required=2, tasks=TASKS
    )
    badges.issue(class_id, user=holder)
    ana, ben = _client(testapp, badges, learner), _client(testapp, badges, holder)
    _send_evidence(ana, class_id, "I fixed it")
    for person in (organiser, holder):
        [waiting] = [
            r for r in rows(badges.factories, badges.tenant, person) if r.kind == "evidence_review"
        ]
        assert waiting.url.endswith(f"/badges/reviews#review-{_latest_submission(badges)}")
        assert "Bike repair" in mail_to(outbox, person)[-1]["Subject"]
    assert rows(badges.factories, badges.tenant, stranger) == []
    assert not [
        r for r in rows(badges.factories, badges.tenant, learner) if r.kind == "evidence_review"
    ]

    # A stranger may still review from the list; their "improve" brings them the new version.
    eve = _client(testapp, badges, stranger)
    _review(eve, _latest_submission(badges), "improve", "Show the tyre")
    _send_evidence(ana, class_id, "With a photo")
    [again] = rows(badges.factories, badges.tenant, stranger)
    assert again.kind == "evidence_review" and bell(eve) == 1
    assert (
        len(
            [
                r
                for r in rows(badges.factories, badges.tenant, holder)
                if r.kind == "evidence_review"
            ]
        )
        == 2
    )
    assert bell(ben) >= 2


def test_a_revocation_emails_an_address_without_an_account_in_the_citys_language(
    badges, outbox, registry
):
    badges.tenant.default_locale = "lt"
    badges.factories.save(badges.tenant)
    uid = badges.issue(badges.badge_class(), email="new@example.org")
    badges.revoke(uid, "The workshop did not take place.")
    message = [m for m in outbox.messages() if m["To"] == "new@example.org"][-1]
    assert message["Subject"] == translated(
        registry, "lt", "Your badge was revoked: ${badge}", domain="col_badges", badge="Bike repair"
    )
    assert "The workshop did not take place." in body(message)
    assert f"/badges/share/{uid}" in body(message)


def test_only_the_newest_holders_of_a_popular_badge_hear_of_peer_evidence(
    testapp, badges, monkeypatch
):
    monkeypatch.setattr("plugins.badges.evidence.PEERS_TOLD", 2)
    class_id = badges.badge_class(earning="evidence", review="peer", tasks=TASKS)
    holders = [badges.user(f"holder{n}@example.org") for n in range(3)]
    for holder in holders:
        badges.issue(class_id, user=holder)
    _send_evidence(_client(testapp, badges, badges.user("ana@example.org")), class_id, "Done")
    told = [
        [r.kind for r in rows(badges.factories, badges.tenant, h) if r.kind == "evidence_review"]
        for h in holders
    ]
    assert told == [[], ["evidence_review"], ["evidence_review"]]
