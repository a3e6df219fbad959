"""Learners submit evidence for a badge's tasks; organisers and peers review it."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPForbidden, HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import select

from col_core.files.interfaces import IStoredFiles
from col_core.storage import UploadRejected
from plugins.badges import evidence
from plugins.badges.interfaces import IBadgeIssuer
from plugins.badges.models import BadgeClass, EvidenceSubmission
from plugins.badges.services import IssueError
from plugins.badges.views.common import current_user, get_badge_class

T = "plugins.badges:templates/"


def _signed_in(request):
    user = current_user(request)
    if user is None:
        raise HTTPForbidden()
    return user


def _earn_context(request, badge, user, **extra) -> dict:
    history = evidence.submissions(request.dbsession, badge, user)
    issuer = request.find_service(IBadgeIssuer)
    held = issuer.held(badge.id, user.email, user)
    context = {"badge": badge, "history": history, "errors": {}, "values": {}, "held": held}
    context.update(extra)
    return context


@view_config(
    route_name="badges.earn", request_method="GET", renderer=T + "earn.jinja2", permission="learner"
)
def earn_page(request):
    badge = get_badge_class(request)
    if badge.earning != "evidence":
        raise HTTPNotFound()
    return _earn_context(request, badge, _signed_in(request))


@view_config(
    route_name="badges.earn",
    request_method="POST",
    renderer=T + "earn.jinja2",
    permission="learner",
)
def submit(request):
    badge = get_badge_class(request)
    user = _signed_in(request)
    post = request.POST
    values = {
        "task": post.get("task", ""),
        "text": post.get("text", ""),
        "url": post.get("url", ""),
        "public": post.get("public") == "on",
    }
    try:
        upload = post.get("file")
        key = None
        if getattr(upload, "file", None) is not None:
            # Private: the learner, those who may review it and the city's admins see it.
            key = request.find_service(IStoredFiles).put(
                upload.file.read(), {"image", "pdf"}, purpose="evidence", visibility="private"
            )
        task = int(values["task"]) if values["task"].isdigit() else -1
        evidence.submit(
            request,
            badge,
            user,
            task,
            text=values["text"],
            url=values["url"],
            file=key,
            public=values["public"],
        )
    except (IssueError, UploadRejected) as error:
        message = error.args[0]
        request.response.status = 400
        return _earn_context(
            request,
            badge,
            user,
            values=values,
            errors={
                "text": request.localizer.translate(message)
                if not isinstance(message, str)
                else message
            },
        )
    return HTTPSeeOther(request.route_url("badges.earn", badge=badge.id))


def _reviews_context(request, user, error: str = "") -> dict:
    pending = request.dbsession.scalars(
        select(EvidenceSubmission)
        .join(BadgeClass)
        .where(EvidenceSubmission.status == "submitted")
        .order_by(EvidenceSubmission.id)
    )
    return {
        "pending": [s for s in pending if evidence.may_review(request.dbsession, s, user)],
        "error": error,
    }


@view_config(
    route_name="badges.reviews",
    request_method="GET",
    renderer=T + "reviews.jinja2",
    permission="learner",
)
def reviews(request):
    """Evidence waiting for this person's review: as an organiser, or as a peer."""
    return _reviews_context(request, _signed_in(request))


@view_config(
    route_name="badges.review",
    request_method="POST",
    renderer=T + "reviews.jinja2",
    permission="learner",
)
def review(request):
    user = _signed_in(request)
    submission = request.dbsession.scalar(
        select(EvidenceSubmission).where(
            EvidenceSubmission.id == int(request.matchdict["submission"])
        )
    )
    if submission is None:
        raise HTTPNotFound()
    try:
        evidence.review(
            request,
            submission,
            user,
            request.POST.get("decision", ""),
            request.POST.get("comment", ""),
        )
    except IssueError as error:
        request.response.status = 400
        return _reviews_context(request, user, request.localizer.translate(error.args[0]))
    return HTTPSeeOther(request.route_url("badges.reviews"))
