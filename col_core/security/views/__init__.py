"""Sign-up, sign-in, sign-out, email verification and password reset pages."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.view import view_config

from col_core.db.meta import utcnow
from col_core.i18n import _
from col_core.security import validation as v
from col_core.security.forms import blank, invalid, kept, safe_next
from col_core.security.interfaces import IAccountService
from col_core.security.passwords import hash_password, needs_rehash, password_problem
from col_core.security.policy import login, logout
from col_core.security.services import age_thresholds
from col_core.security.throttle import Throttle
from col_core.security.views.sso import forms_may_go_to_hub, signed_in_everywhere

T = "col_core.security:templates/"

SIGNUP_RULES = {
    "display_name": v.text(120),
    "email": v.email(),
    "password": v.password,
    "birth_date": v.date(),
    "guardian_email": v.email(required=False),
    "accept": v.must_accept,
}


@view_config(
    route_name="signup", request_method="GET", renderer=T + "signup.jinja2", permission="view"
)
def signup_form(request):
    return blank(thresholds=age_thresholds(request.tenant))


@view_config(
    route_name="signup", request_method="POST", renderer=T + "signup.jinja2", permission="view"
)
def signup(request):
    values, errors = v.validate(request.POST, SIGNUP_RULES)
    accounts = request.find_service(IAccountService)
    if "password" in values:
        if problem := password_problem(values["password"], values.get("email", "")):
            errors["password"] = problem
    if values.get("birth_date"):
        too_young, needs_guardian = accounts.needs_guardian(values["birth_date"])
        minimum, _consent = age_thresholds(request.tenant)
        if too_young:
            errors["birth_date"] = _(
                "You need to be at least ${age} years old to join.", mapping={"age": minimum}
            )
        elif needs_guardian and not values.get("guardian_email"):
            errors["guardian_email"] = _(
                "Because of your age, we need the email address of a parent or guardian."
            )
        elif (
            needs_guardian
            and values.get("guardian_email", "").lower() == values.get("email", "").lower()
        ):
            errors["guardian_email"] = _("Enter your parent's or guardian's own address.")
        elif not needs_guardian:
            values["guardian_email"] = ""
    if errors:
        return invalid(request, kept(request), errors, thresholds=age_thresholds(request.tenant))
    refused = Throttle(request, "signup", city=True).admit()
    if refused is not None:
        request.response.headers.update(refused.headers())
        message = (
            _(
                "Many people are signing up in this city right now. Please try again in "
                "${minutes} minutes.",
                mapping={"minutes": refused.minutes},
            )
            if refused.subject == "city"
            else _(
                "Too many accounts were created from your network in a short time. Please try "
                "again in ${minutes} minutes.",
                mapping={"minutes": refused.minutes},
            )
        )
        return invalid(
            request,
            kept(request),
            {"_form": message},
            status=429,
            thresholds=age_thresholds(request.tenant),
        )
    accounts.register(values)
    return HTTPSeeOther(request.route_url("signup_done"))


@view_config(route_name="signup_done", renderer=T + "message.jinja2", permission="view")
def signup_done(request):
    return {
        "title": _("Check your email"),
        "message": _(
            "We sent you a link to confirm your address. Open it to finish signing up. "
            "No email after a few minutes? Look in your spam folder."
        ),
    }


@view_config(
    route_name="signin", request_method="GET", renderer=T + "signin.jinja2", permission="view"
)
def signin_form(request):
    forms_may_go_to_hub(request)
    return blank(next=request.params.get("next", ""))


@view_config(
    route_name="signin", request_method="POST", renderer=T + "signin.jinja2", permission="view"
)
def signin(request):
    forms_may_go_to_hub(request)
    values, errors = v.validate(request.POST, {"email": v.email(), "password": v.password})
    shown = {"email": request.POST.get("email", "")}
    next_url = request.POST.get("next", "")
    if errors:
        return invalid(request, shown, errors, next=next_url)
    throttle = Throttle(request, "login", account=values["email"])
    refused = throttle.admit()
    if refused is not None:
        # Same answer whether or not the account exists, and whether or not the password is right.
        request.response.headers.update(refused.headers())
        return invalid(
            request,
            shown,
            {
                "_form": _(
                    "Too many sign-in attempts. For your security, please wait ${minutes} minutes "
                    "and try again, or reset your password.",
                    mapping={"minutes": refused.minutes},
                )
            },
            status=429,
            next=next_url,
        )
    accounts = request.find_service(IAccountService)
    user = accounts.authenticate(values["email"], values["password"])
    if user is None:
        return invalid(
            request, shown, {"_form": _("The email address or password is wrong.")}, next=next_url
        )
    throttle.forgive()
    if user.email_verified_at is None:
        accounts.send_verification(user)
        return invalid(
            request,
            shown,
            {"_form": _("Please confirm your email address first. We have sent you a new link.")},
            status=403,
            next=next_url,
        )
    if user.guardian_email and user.guardian_consent_at is None:
        return invalid(
            request,
            shown,
            {
                "_form": _(
                    "We are waiting for your parent or guardian to give their consent by email."
                )
            },
            status=403,
            next=next_url,
        )
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(values["password"])
    login(request, user)
    return signed_in_everywhere(request, safe_next(request, next_url))


@view_config(route_name="signout", request_method="POST", permission="view")
def signout(request):
    logout(request)
    request.session.flash(
        request.localizer.translate(_("You are signed out, here and on the network's other sites."))
    )
    return HTTPSeeOther(request.route_url("home"))


def link_token(request, purpose: str, consume: bool = False):
    """The emailed link's token (used up when ``consume``), or None if it no longer works."""
    accounts = request.find_service(IAccountService)
    return (accounts.consume_token if consume else accounts.peek_token)(
        purpose, request.matchdict["token"]
    )


def bad_link(request):
    response = render_to_response(
        T + "message.jinja2",
        {
            "title": _("This link no longer works"),
            "message": _(
                "The link has expired or was already used. Ask for a new one and use it soon."
            ),
        },
        request=request,
    )
    response.status = 400
    return response


@view_config(
    route_name="verify_email",
    request_method="GET",
    renderer=T + "confirm.jinja2",
    permission="view",
)
def verify_email_form(request):
    # Mail scanners open links; only the button press (a POST) uses the token.
    if link_token(request, "verify") is None:
        return bad_link(request)
    return {"title": _("Confirm your email address"), "button": _("Confirm")}


@view_config(
    route_name="verify_email",
    request_method="POST",
    renderer=T + "confirm.jinja2",
    permission="view",
)
def verify_email(request):
    token = link_token(request, "verify", consume=True)
    if token is None:
        return bad_link(request)
    user = token.user
    user.email_verified_at = user.email_verified_at or utcnow()
    if user.guardian_email and user.guardian_consent_at is None:
        request.session.flash(
            request.localizer.translate(
                _("Thank you! Your parent or guardian still needs to give consent by email.")
            )
        )
        return HTTPSeeOther(request.route_url("home"))
    login(request, user)
    request.session.flash(
        request.localizer.translate(_("Your email address is confirmed. Welcome!"))
    )
    return HTTPSeeOther(request.route_url("account"))


@view_config(
    route_name="forgot_password",
    request_method="GET",
    renderer=T + "forgot.jinja2",
    permission="view",
)
def forgot_form(request):
    return blank()


@view_config(
    route_name="forgot_password",
    request_method="POST",
    renderer=T + "forgot.jinja2",
    permission="view",
)
def forgot(request):
    values, errors = v.validate(request.POST, {"email": v.email()})
    if errors:
        return invalid(request, kept(request), errors)
    refused = Throttle(request, "reset", account=values["email"]).admit()
    if refused is not None:
        request.response.headers.update(refused.headers())
        return invalid(
            request,
            kept(request),
            {
                "_form": _(
                    "Too many reset requests. Please wait ${minutes} minutes and try again.",
                    mapping={"minutes": refused.minutes},
                )
            },
            status=429,
        )
    request.find_service(IAccountService).request_reset(values["email"])
    request.session.flash(
        request.localizer.translate(
            _("If an account uses this address, we have sent it a link to choose a new password.")
        )
    )
    return HTTPSeeOther(request.route_url("forgot_password"))


@view_config(
    route_name="reset_password",
    request_method="GET",
    renderer=T + "reset.jinja2",
    permission="view",
)
def reset_form(request):
    if link_token(request, "reset") is None:
        return bad_link(request)
    return blank()


@view_config(
    route_name="reset_password",
    request_method="POST",
    renderer=T + "reset.jinja2",
    permission="view",
)
def reset(request):
    accounts = request.find_service(IAccountService)
    token = accounts.peek_token("reset", request.matchdict["token"])
    if token is None:
        return bad_link(request)
    values, errors = v.validate(request.POST, {"password": v.password})
    if not errors and (problem := password_problem(values["password"], token.user.email)):
        errors["password"] = problem
    if errors:
        return invalid(request, {}, errors)
    accounts.consume_token("reset", request.matchdict["token"])
    accounts.set_password(token.user, values["password"])
    # Following the emailed link proves the address, too.
    token.user.email_verified_at = token.user.email_verified_at or utcnow()
    request.session.flash(
        request.localizer.translate(_("Your password is changed. Sign in with the new one."))
    )
    return HTTPSeeOther(request.route_url("signin"))
