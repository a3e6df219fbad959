"""The verification page (anyone) and importing badges from elsewhere (learners)."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from plugins.badges import verification
from plugins.badges.services import IssueError, _
from plugins.badges.views.common import current_user

T = "plugins.badges:templates/"


def _submitted(request) -> bytes | str | None:
    """The uploaded file's bytes, else the pasted URL/JSON/JWS, else None."""
    upload = request.POST.get("file")
    if getattr(upload, "file", None) is not None:
        return upload.file.read(verification.MAX_UPLOAD + 1)
    return request.POST.get("badge", "").strip() or None


@view_config(
    route_name="badges.verify",
    request_method="GET",
    renderer=T + "verify.jinja2",
    permission="view",
)
def verify_form(request):
    return {"result": None, "error": None, "values": {}}


@view_config(
    route_name="badges.verify",
    request_method="POST",
    renderer=T + "verify.jinja2",
    permission="view",
)
def verify(request):
    data = _submitted(request)
    values = {"badge": request.POST.get("badge", ""), "email": request.POST.get("email", "")}
    if not data or len(data) > verification.MAX_UPLOAD:
        request.response.status = 400
        return {
            "result": None,
            "values": values,
            "error": request.localizer.translate(
                _("Paste a badge URL or its JSON, or upload a baked image (at most 5 MB).")
            ),
        }
    result = verification.check(request, data, values["email"].strip())
    return {"result": result, "error": None, "values": values}


@view_config(
    route_name="badges.wallet_import",
    request_method="POST",
    renderer=T + "verify.jinja2",
    permission="learner",
)
def import_badge(request):
    data = _submitted(request)
    values = {"badge": request.POST.get("badge", "")}
    try:
        if not data or len(data) > verification.MAX_UPLOAD:
            raise IssueError(
                _("Paste a badge URL or its JSON, or upload a baked image (at most 5 MB).")
            )
        verification.import_badge(request, current_user(request), data)
    except IssueError as error:
        request.response.status = 400
        return {
            "result": None,
            "values": values,
            "importing": True,
            "error": request.localizer.translate(error.args[0]),
        }
    return HTTPSeeOther(request.route_url("badges.wallet"))
