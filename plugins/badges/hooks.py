"""The badges plugin's hook implementations."""

from __future__ import annotations

import json
from pathlib import Path

import nh3
from markupsafe import Markup
from pyramid.i18n import TranslationStringFactory
from pyramid.renderers import render
from sqlalchemy import func, select, update

from col_core.db.meta import utcnow
from col_core.hookspecs import NavItem, Section, SkillSubject, hookimpl
from col_core.tenancy.scoping import cross_tenant
from plugins.badges.interfaces import IBadgeCatalogue, IBadgeIssuer
from plugins.badges.models import (
    Assertion,
    BadgeClass,
    EvidenceSubmission,
    HeldAward,
    ImportedBadge,
    Issuer,
    IssuerKey,
    ObApiClient,
    ObApiToken,
    RecordLink,
)
from plugins.badges.ob import keys
from plugins.badges.services import verified_emails
from plugins.badges.services.keyring import key_encryption_secret
from plugins.badges.skills import esco_tags

_ = TranslationStringFactory("col_badges")


@hookimpl
def col_settings_defaults() -> dict[str, str]:
    # Let verification fetch private/loopback addresses (tests, intranet issuers) only if set.
    # did:web issuers: "auto" turns them on where the public URL is HTTPS (did:web needs it).
    return {"badges.fetch_private": "false", "badges.did_issuers": "auto"}


@hookimpl
def col_migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def col_cli_commands() -> list:
    from plugins.badges.cli import badges

    return [badges]


def activity_badge(request, activity):
    """The default badge of ``activity``, made from its title, description and skills.  An
    activity completed by evidence makes it a badge earned by evidence, with one task (the
    activity's title) until the organiser writes its tasks."""
    badge = request.find_service(IBadgeIssuer).badge_for_subject(
        "activity",
        activity.id,
        activity.organisation,
        name=activity.title,
        # The activity's description is sanitised HTML; a badge description is plain text.
        description=nh3.clean(activity.description or "", tags=set()).strip(),
        skills=[{"uri": s.concept_uri, "label": s.label} for s in activity.skills],
    )
    if activity.completion == "evidence" and badge.earning != "evidence":
        badge.earning = "evidence"
        badge.tasks = list(badge.tasks or ()) or [activity.title or badge.name]
    return badge


@hookimpl
def col_activity_published(request, activity) -> None:
    activity_badge(request, activity)


@hookimpl
def col_activity_joined(request, activity, participation) -> None:
    # The organiser may have changed how the activity is completed since it was published.
    if activity.status == "published":
        activity_badge(request, activity)


@hookimpl
def col_activity_completed(request, activity, participation) -> None:
    badge = activity_badge(request, activity)
    if badge.earning == "evidence":
        return  # issued when the learner's evidence is approved (plugins.badges.evidence)
    request.find_service(IBadgeIssuer).award(badge, participation.user, source="completion")


@hookimpl
def col_activity_sections(request, activity, participation) -> list[Section]:
    """The badges the activity leads to, how they are earned, and where to send evidence."""
    html = request.find_service(IBadgeCatalogue).subject_section(
        "activity", activity.id, completion=activity.completion
    )
    if html is None:
        return []
    return [
        Section(
            title=request.localizer.translate(_("Badges")), html=Markup(html), order=20, id="badges"
        )
    ]


@hookimpl
def col_seed_demo(request, tenant) -> list[str] | None:
    from plugins.badges.demo import seed

    return seed(request, tenant)


@hookimpl
def col_navigation(request) -> list[NavItem]:
    items = [
        NavItem(
            title=request.localizer.translate(_("Verify a badge")),
            url=request.route_url("badges.verify"),
            order=80,
        )
    ]
    if not request.tenant.is_global:
        items.append(
            NavItem(
                title=request.localizer.translate(_("Badges")),
                url=request.route_url("badges.catalogue"),
                order=35,
            )
        )
    if getattr(request, "user", None) is not None:
        items.append(
            NavItem(
                title=request.localizer.translate(_("My badges")),
                url=request.route_url("badges.wallet"),
                order=60,
            )
        )
    return items


@hookimpl
def col_skill_subjects(request, uris) -> list[SkillSubject]:
    tags = esco_tags(request)
    ids = list(tags.subjects("badge_class", uris)) if tags is not None else []
    if not ids:
        return []
    found = request.dbsession.scalars(
        select(BadgeClass)
        .where(BadgeClass.id.in_(ids), BadgeClass.archived_at.is_(None))
        .order_by(BadgeClass.name)
    ).all()
    kind = request.localizer.translate(_("Badge"))
    return [
        SkillSubject(kind, b.name, request.route_path("badges.class", badge=b.id, ext=""))
        for b in found
    ]


@hookimpl
def col_profile_sections(request, user) -> list[Section]:
    """The person's public badges, from every city (the only badges a profile shows)."""
    from plugins.badges.views.wallet import own_assertions

    public = [
        (a, urls)
        for a, urls in own_assertions(request, user)
        if a.visibility == "public" and not a.is_revoked
    ]
    if not public:
        return []
    html = render("plugins.badges:templates/_profile.jinja2", {"badges": public}, request=request)
    return [
        Section(
            title=request.localizer.translate(_("Badges")), html=Markup(html), order=30, id="badges"
        )
    ]


@hookimpl
def col_dashboard_sections(request, organisation) -> list[Section]:
    badges = request.dbsession.scalars(
        select(BadgeClass)
        .join(BadgeClass.issuer)
        .where(Issuer.organisation_id == organisation.id, BadgeClass.archived_at.is_(None))
        .order_by(BadgeClass.name)
    ).all()
    waiting = request.dbsession.scalar(
        select(func.count(EvidenceSubmission.id))
        .join(BadgeClass, BadgeClass.id == EvidenceSubmission.badge_class_id)
        .join(Issuer, Issuer.id == BadgeClass.issuer_id)
        .where(Issuer.organisation_id == organisation.id, EvidenceSubmission.status == "submitted")
    )
    html = render(
        "plugins.badges:templates/_dashboard.jinja2",
        {"badges": badges, "organisation": organisation, "waiting": waiting},
        request=request,
    )
    return [
        Section(
            title=request.localizer.translate(_("Badges")), html=Markup(html), order=35, id="badges"
        )
    ]


@hookimpl
def col_account_export(request, user) -> dict[str, bytes]:
    """Badges held or sent to the person's address (in every city), their evidence with its
    files, the reviews they wrote of others' evidence, and badges imported from elsewhere."""
    from col_core.storage import IFileStorage
    from col_core.tenancy.models import Tenant
    from plugins.badges.models import EvidenceReview

    session = request.dbsession
    storage = request.find_service(IFileStorage)
    files = {}
    with cross_tenant(session):
        cities = dict(session.execute(select(Tenant.id, Tenant.slug)).all())
        assertions = session.scalars(
            select(Assertion)
            .where(
                (Assertion.user_id == user.id)
                | Assertion.recipient_email.in_(verified_emails(user))
            )
            .order_by(Assertion.issued_on)
        ).all()
        earned = [
            {
                "id": a.uid,
                "city": cities.get(a.tenant_id),
                "badge": a.badge_class.name,
                "issuer": a.issuer.name,
                "issued_on": str(a.issued_on),
                "expires": a.expires_at and str(a.expires_at),
                "in_wallet": a.user_id == user.id,
                "revoked": a.is_revoked,
                "revocation_reason": a.revocation_reason or None,
                "evidence": a.evidence,
                "visibility": a.visibility,
            }
            for a in assertions
        ]
        submissions = session.scalars(
            select(EvidenceSubmission)
            .where(EvidenceSubmission.user_id == user.id)
            .order_by(EvidenceSubmission.id)
        ).all()
        evidence = [
            {
                "city": cities.get(s.tenant_id),
                "badge": s.badge_class.name,
                "task": s.task,
                "text": s.text,
                "url": s.url,
                "file": s.file,
                "status": s.status,
                "public": s.public,
                "submitted_at": s.created_at.isoformat(),
                "reviews": [
                    {"decision": r.decision, "comment": r.comment, "at": r.created_at.isoformat()}
                    for r in s.reviews
                ],
            }
            for s in submissions
        ]
        for submission in submissions:
            if submission.file and storage.exists(submission.file):
                files[f"badges/evidence-files/{submission.file}"] = storage.get(submission.file)
        reviewed = [
            {
                "city": cities.get(r.tenant_id),
                "badge": r.submission.badge_class.name,
                "decision": r.decision,
                "comment": r.comment,
                "at": r.created_at.isoformat(),
            }
            for r in session.scalars(
                select(EvidenceReview)
                .where(EvidenceReview.reviewer_id == user.id)
                .order_by(EvidenceReview.id)
            )
        ]
        held_back = [
            {
                "city": cities.get(h.tenant_id),
                "badge": h.badge_class.name,
                "source": h.source,
                "evidence": h.evidence,
                "since": h.created_at.isoformat(),
            }
            for h in session.scalars(
                select(HeldAward).where(HeldAward.user_id == user.id).order_by(HeldAward.id)
            )
        ]
        # Applications the person let use the Open Badges API (never the tokens themselves).
        tokens = session.scalars(
            select(ObApiToken).where(ObApiToken.user_id == user.id).order_by(ObApiToken.issued_at)
        ).all()
        clients = select(ObApiClient).where(
            ObApiClient.client_id.in_({t.client_id for t in tokens})
        )
        apps = {(c.tenant_id, c.client_id): c.name for c in session.scalars(clients)}
        granted = [
            {
                "city": cities.get(t.tenant_id),
                "application": apps.get((t.tenant_id, t.client_id)),
                "scope": t.scope,
                "granted": t.issued_at.isoformat(),
                "revoked": t.revoked_at.isoformat() if t.revoked_at else None,
            }
            for t in tokens
        ]
    imported = [
        {"badge": i.badge_name, "issuer": i.issuer_name, "status": i.status, "data": i.data}
        for i in session.scalars(select(ImportedBadge).where(ImportedBadge.user_id == user.id))
    ]
    links = [
        {
            "url": request.route_url("badges.record", token=link.token),
            "created": link.created_at.isoformat(),
            "revoked": link.revoked_at.isoformat() if link.revoked_at else None,
        }
        for link in session.scalars(select(RecordLink).where(RecordLink.user_id == user.id))
    ]
    dump = lambda value: json.dumps(value, indent=2, ensure_ascii=False).encode()  # noqa: E731
    return {
        "badges/assertions.json": dump(earned),
        "badges/evidence.json": dump(evidence),
        "badges/reviews_given.json": dump(reviewed),
        "badges/imported.json": dump(imported),
        "badges/held_back.json": dump(held_back),
        "badges/record_links.json": dump(links),
        "badges/connected_apps.json": dump(granted),
        **files,
    }


@hookimpl
def col_file_viewer(request, stored_file, user) -> bool | None:
    """Evidence is seen by those who review it: the issuing organisation's members (organiser
    review), and for peer review whoever may still review it or has reviewed it."""
    if stored_file.purpose != "evidence":
        return None
    from col_core.organisations.models import Membership
    from plugins.badges import evidence

    session = request.dbsession
    for submission in session.scalars(
        select(EvidenceSubmission).where(EvidenceSubmission.file == stored_file.key)
    ):
        organisation_id = submission.badge_class.issuer.organisation_id
        if (
            session.scalar(
                select(Membership.id).where(
                    Membership.user_id == user.id, Membership.organisation_id == organisation_id
                )
            )
            is not None
        ):
            return True
        if evidence.may_review(session, submission, user) or any(
            review.reviewer_id == user.id for review in submission.reviews
        ):
            return True
    return None


@hookimpl
def col_account_deleted(request, user) -> None:
    """Issued badges stay verifiable (the salted hash is kept) but no longer name the person."""
    with cross_tenant(request.dbsession):
        for assertion in request.dbsession.scalars(
            select(Assertion).where(Assertion.user_id == user.id)
        ):
            assertion.user_id, assertion.recipient_email = None, ""
            assertion.accept_token, assertion.visibility = None, "private"
        for submission in request.dbsession.scalars(
            select(EvidenceSubmission).where(EvidenceSubmission.user_id == user.id)
        ):
            request.dbsession.delete(submission)
        for held in request.dbsession.scalars(
            select(HeldAward).where(HeldAward.user_id == user.id)
        ):
            request.dbsession.delete(held)
        # Every application the person connected, in every city, loses its access.
        request.dbsession.execute(
            update(ObApiToken)
            .where(ObApiToken.user_id == user.id, ObApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow()),
            execution_options={"synchronize_session": False},
        )
        # Flush while filtering is lifted: these rows belong to many cities.
        request.dbsession.flush()
    for imported in request.dbsession.scalars(
        select(ImportedBadge).where(ImportedBadge.user_id == user.id)
    ):
        request.dbsession.delete(imported)
    for link in request.dbsession.scalars(select(RecordLink).where(RecordLink.user_id == user.id)):
        request.dbsession.delete(link)  # a shared learner record stops at once


@hookimpl
def col_metrics(request, scope, period) -> list:
    """Badges issued and claimed with a code in the period, and evidence waiting for review.
    The city's own "Badges issued" figure comes from the core, so it is not repeated there."""
    from col_core.hookspecs import Metric
    from col_core.organisations.models import Organisation
    from col_core.tenancy.models import Tenant

    def scoped(query, badge_class_id):
        if isinstance(scope, Organisation):
            return (
                query.join(BadgeClass, BadgeClass.id == badge_class_id)
                .join(Issuer, Issuer.id == BadgeClass.issuer_id)
                .where(Issuer.organisation_id == scope.id)
            )
        if isinstance(scope, Tenant):
            return query
        return query.join(BadgeClass, BadgeClass.id == badge_class_id).where(
            BadgeClass.subject_type == "activity", BadgeClass.subject_id == scope.id
        )

    start, end = period.bounds()
    issued = scoped(select(func.count(Assertion.id)), Assertion.badge_class_id).where(
        Assertion.issued_on >= start, Assertion.issued_on < end
    )
    claimed = issued.where(Assertion.source == "claim")
    waiting = scoped(
        select(func.count(EvidenceSubmission.id)), EvidenceSubmission.badge_class_id
    ).where(EvidenceSubmission.status == "submitted")
    t, db = request.localizer.translate, request.dbsession
    figures = [
        Metric(
            "badges.claimed",
            t(_("Badges claimed with a code")),
            db.scalar(claimed),
            order=61,
            public=True,
        ),
        Metric(
            "badges.evidence_waiting",
            t(_("Evidence waiting for review")),
            db.scalar(waiting),
            # A work queue for the organisers who review it: exact, and never published.
            people=False,
            order=62,
        ),
    ]
    if not isinstance(scope, Tenant):
        figures.insert(
            0,
            Metric(
                "badges.issued", t(_("Badges issued")), db.scalar(issued), order=60, public=True
            ),
        )
    return figures


@hookimpl
def col_tenant_reseal(table: str, row: dict, old_secret: str, new_secret: str) -> dict | None:
    """An issuer's private key travels with its city, sealed with the move's passphrase."""
    if table != IssuerKey.__tablename__:
        return None
    private = keys.private_key_from_pem(
        row["private_pem"], key_encryption_secret({"col.secret": old_secret})
    )
    sealed = keys.private_key_to_pem(private, key_encryption_secret({"col.secret": new_secret}))
    return {**row, "private_pem": sealed}


@hookimpl
def col_badge_revoked(request, assertion) -> None:
    """The learner is told, with the issuer's reason: in the site and by e-mail; an address
    without an account gets the e-mail alone, in the city's language."""
    from col_core.notifications import INotifications
    from plugins.badges.services import mail_address
    from plugins.badges.urls import urls_for

    mapping = {
        "badge": assertion.badge_class.name,
        "issuer": assertion.issuer.name,
        "reason": assertion.revocation_reason or "",
    }
    message = _("${issuer} revoked your badge “${badge}”: ${reason}", mapping=mapping)
    subject = _("Your badge was revoked: ${badge}", mapping=mapping)
    url = urls_for(request).share(assertion.uid)
    if assertion.user is not None:
        request.find_service(INotifications).notify(
            assertion.user, "badge_revoked", message, url=url, subject=subject
        )
    elif assertion.recipient_email:
        mail_address(request, assertion.recipient_email, subject, [message, "", url])
