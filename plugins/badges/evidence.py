"""Evidence for a badge's tasks, its review (self, organiser or N peers), and the award.

A learner's new submission for a task supersedes their earlier one, which stays (with its
reviews) as history.  When every task of the badge has an approved submission, the badge is
issued through IBadgeIssuer with the submissions as Open Badges ``evidence``; evidence the
learner keeps private appears only as the task's name.
"""

from __future__ import annotations

from sqlalchemy import select

from col_core.files.interfaces import IStoredFiles
from col_core.notifications import INotifications
from col_core.organisations.models import Membership
from col_core.security.models import User
from plugins.badges.interfaces import IBadgeIssuer
from plugins.badges.models import Assertion, EvidenceReview, EvidenceSubmission
from plugins.badges.services import IssueError, _
from plugins.badges.urls import urls_for

# How many of a peer-reviewed badge's holders hear of each submission (its newest holders).
PEERS_TOLD = 20


def submissions(dbsession, badge, user) -> list[EvidenceSubmission]:
    """Every submission of ``user`` for ``badge``, newest first (the history)."""
    return list(
        dbsession.scalars(
            select(EvidenceSubmission)
            .where(
                EvidenceSubmission.badge_class_id == badge.id, EvidenceSubmission.user_id == user.id
            )
            .order_by(EvidenceSubmission.id.desc())
        )
    )


def submit(request, badge, user, task: int, *, text="", url="", file=None, public=False):
    if badge.earning != "evidence" or not 0 <= task < len(badge.tasks):
        raise IssueError(_("This badge has no such task."))
    if not (text.strip() or url.strip() or file):
        raise IssueError(_("Describe what you did, add a link or a file."))
    if url and not url.startswith(("https://", "http://")):
        raise IssueError(_("The link must be a web address (https://...)."))
    for earlier in submissions(request.dbsession, badge, user):
        if earlier.task == task and earlier.status == "submitted":
            earlier.status = "superseded"
    submission = EvidenceSubmission(
        badge_class=badge,
        user=user,
        task=task,
        text=text.strip(),
        url=url.strip(),
        file=file,
        public=public,
    )
    request.dbsession.add(submission)
    request.dbsession.flush()
    if badge.review == "self":
        _decide(request, submission, "approved")
    else:
        _tell_reviewers(request, submission)
    return submission


def _mapping(submission) -> dict:
    badge = submission.badge_class
    return {
        "badge": badge.name,
        "task": badge.tasks[submission.task],
        "name": submission.user.display_name,
    }


def reviewers(dbsession, submission) -> list:
    """Who is told that ``submission`` waits for review: the issuing organisation's members
    and, for peer review, the badge's newest holders (``PEERS_TOLD``) and whoever reviewed the learner's earlier
    evidence for the task (so a peer who sent it back hears of the new version).  Anyone
    else who may review a peer's evidence finds it on the review list."""
    badge = submission.badge_class
    members = select(Membership.user_id).where(
        Membership.organisation_id == badge.issuer.organisation_id
    )
    ids = set(dbsession.scalars(members))
    if badge.review == "peer":
        ids |= set(dbsession.scalars(_holders(badge))) | set(
            dbsession.scalars(_earlier_reviewers(submission))
        )
    ids.discard(submission.user_id)
    return [dbsession.get(User, i) for i in sorted(ids)]


def _holders(badge):
    """The newest holders only: a popular badge's every holder would hear of every submission."""
    return (
        select(Assertion.user_id)
        .where(
            Assertion.badge_class_id == badge.id,
            Assertion.user_id.is_not(None),
            Assertion.revoked_at.is_(None),
        )
        .order_by(Assertion.id.desc())
        .limit(PEERS_TOLD)
    )


def _earlier_reviewers(submission):
    return (
        select(EvidenceReview.reviewer_id)
        .join(EvidenceSubmission)
        .where(
            EvidenceSubmission.badge_class_id == submission.badge_class_id,
            EvidenceSubmission.user_id == submission.user_id,
            EvidenceSubmission.task == submission.task,
            EvidenceReview.reviewer_id.is_not(None),
        )
    )


def _tell_reviewers(request, submission) -> None:
    notifications = request.find_service(INotifications)
    # The review list, at this submission's form (its own address answers only a POST).
    url = request.route_url("badges.reviews", _anchor=f"review-{submission.id}")
    message = _(
        "${name} sent evidence for “${task}” of the badge “${badge}”: it waits for your review.",
        mapping=_mapping(submission),
    )
    for reviewer in reviewers(request.dbsession, submission):
        notifications.notify(reviewer, "evidence_review", message, url=url)


def _tell_learner(request, submission, message) -> None:
    request.find_service(INotifications).notify(
        submission.user,
        "evidence_decision",
        message,
        url=request.route_url("badges.earn", badge=submission.badge_class_id),
    )


def may_review(dbsession, submission, reviewer) -> bool:
    badge = submission.badge_class
    if reviewer is None or submission.status != "submitted":
        return False
    if badge.review == "organiser":
        return (
            dbsession.scalar(
                select(Membership.id).where(
                    Membership.user_id == reviewer.id,
                    Membership.organisation_id == badge.issuer.organisation_id,
                )
            )
            is not None
        )
    if badge.review == "peer":
        already = any(r.reviewer_id == reviewer.id for r in submission.reviews)
        return reviewer.id != submission.user_id and not already
    return False


def review(request, submission, reviewer, decision: str, comment: str = ""):
    """Record one reviewer's ``approve`` or ``improve``; decide when enough have spoken."""
    if decision not in ("approve", "improve"):
        raise IssueError(_("Choose approve or ask to improve."))
    if decision == "improve" and not comment.strip():
        raise IssueError(_("Say what to improve, so the learner knows what to do."))
    if not may_review(request.dbsession, submission, reviewer):
        raise IssueError(_("You cannot review this evidence."))
    submission.reviews.append(
        EvidenceReview(reviewer_id=reviewer.id, decision=decision, comment=comment.strip())
    )
    request.dbsession.flush()
    if decision == "improve":
        submission.status = "improve"
        mapping = {**_mapping(submission), "comment": comment.strip()}
        _tell_learner(
            request,
            submission,
            _("Your evidence for “${task}” (${badge}) needs more: ${comment}", mapping=mapping),
        )
        return
    badge = submission.badge_class
    needed = badge.peer_reviews_required if badge.review == "peer" else 1
    if sum(r.decision == "approve" for r in submission.reviews) >= needed:
        _tell_learner(
            request,
            submission,
            _(
                "Your evidence for “${task}” (${badge}) is approved.",
                mapping=_mapping(submission),
            ),
        )
        _decide(request, submission, "approved")


def _decide(request, submission, status: str) -> None:
    submission.status = status
    badge, user = submission.badge_class, submission.user
    approved = {
        s.task: s for s in submissions(request.dbsession, badge, user) if s.status == "approved"
    }
    if len(approved) < len(badge.tasks):
        return
    evidence = []
    for task, item in sorted(approved.items()):
        name = badge.tasks[task]
        if item.public:
            if item.file:  # the learner chose to show it with the badge: verifiers fetch it
                request.find_service(IStoredFiles).publish(item.file, user)
            url = item.url or (urls_for(request).file(item.file) if item.file else "")
            evidence.append({"name": name, "narrative": item.text, "url": url})
        else:
            evidence.append({"name": name, "narrative": "Reviewed by the issuer; kept private."})
    # A missing prerequisite holds the badge back; it is issued when the prerequisite is earned.
    request.find_service(IBadgeIssuer).award(badge, user, evidence=evidence, source="evidence")
