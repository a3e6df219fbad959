"""The signed-in person's own pages: profile, email change, guardian consent, public profile."""

from __future__ import annotations

import datetime as dt

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import select

from col_core.db.meta import utcnow
from col_core.files.interfaces import IStoredFiles
from col_core.i18n import PLATFORM_LOCALES, _
from col_core.i18n.negotiation import tenant_locales
from col_core.security import sessions
from col_core.security import validation as v
from col_core.security.forms import kept
from col_core.security.interfaces import IAccountService
from col_core.security.models import User, UserSession
from col_core.security.passwords import verify_password
from col_core.security.policy import logout
from col_core.security.services import age_thresholds
from col_core.security.views import T, bad_link, link_token
from col_core.security.views.consent import consents_of
from col_core.storage import UploadRejected
from col_core.tenancy import account_lookup
from col_core.tenancy.models import Tenant


def cities(request) -> list[Tenant]:
    return request.dbsession.scalars(
        select(Tenant).where(Tenant.active, Tenant.kind != "global").order_by(Tenant.name)
    ).all()


def offered_locales(request) -> list[str]:
    """The platform's languages and any the city added with a catalog of its own (e.g. "it")."""
    return list(dict.fromkeys([*PLATFORM_LOCALES, *tenant_locales(request.tenant)]))


def profile_rules(request) -> dict:
    rules = {
        "display_name": v.text(120),
        "preferred_locale": v.choice(offered_locales(request), required=False),
        "home_city": v.choice([t.slug for t in cities(request)], required=False),
        "profile_public": v.checkbox,
    }
    if request.user.birth_date is None:
        # Accounts made before birth dates were asked for may add one (activities with ages
        # need it); once given it is not changed here.
        rules["birth_date"] = v.date(required=False)
    return rules


def _birth_date_problem(request, birth_date):
    """Why this birth date cannot be added here (too young, or a guardian must agree)."""
    too_young, needs_guardian = request.find_service(IAccountService).needs_guardian(birth_date)
    if too_young:
        minimum, _consent = age_thresholds(request.tenant)
        return _("You need to be at least ${age} years old to join.", mapping={"age": minimum})
    if needs_guardian:
        return _(
            "At your age a parent or guardian must agree first: ask the city's team to "
            "add your date of birth with them."
        )
    return None


def _profile_values(request) -> dict:
    user = request.user
    home = request.dbsession.get(Tenant, user.home_tenant_id) if user.home_tenant_id else None
    return {
        "display_name": user.display_name,
        "preferred_locale": user.preferred_locale or "",
        "home_city": home.slug if home else "",
        "profile_public": user.profile_public,
    }


def _page(request, values, errors, status=200):
    request.response.status = status
    return {
        "values": values,
        "errors": v.translate_errors(request, errors),
        "cities": cities(request),
        "locales": offered_locales(request),
        "consents": consents_of(request.dbsession, request.user),
        "sessions": sessions.of(request.dbsession, request.user),
        "this_session": request.col_identity.session,
    }


@view_config(
    route_name="account", request_method="GET", renderer=T + "account.jinja2", permission="learner"
)
def account_form(request):
    return _page(request, _profile_values(request), {})


@view_config(
    route_name="account",
    request_method="POST",
    renderer=T + "account.jinja2",
    permission="learner",
    city_consent=False,
)
def account(request):
    values, errors = v.validate(request.POST, profile_rules(request))
    upload = request.POST.get("picture")
    picture = None
    if getattr(upload, "file", None) is not None:
        try:
            picture = request.find_service(IStoredFiles).put(
                upload.file.read(), {"image"}, purpose="picture", visibility="public"
            )
        except UploadRejected as error:
            errors["picture"] = str(error)
    if values.get("birth_date"):
        if problem := _birth_date_problem(request, values["birth_date"]):
            errors["birth_date"] = problem
    if errors:
        return _page(request, kept(request, "picture"), errors, status=400)
    user = request.user
    if values.get("birth_date"):
        user.birth_date = values["birth_date"]
    user.display_name = values["display_name"]
    user.preferred_locale = values["preferred_locale"] or None
    home = [t for t in cities(request) if t.slug == values["home_city"]]
    user.home_tenant_id = home[0].id if home else None
    user.profile_public = values["profile_public"]
    if picture:
        user.picture = picture
    request.session.flash(request.localizer.translate(_("Your profile is saved.")))
    return HTTPSeeOther(request.route_url("account"))


@view_config(
    route_name="change_email",
    request_method="POST",
    renderer=T + "account.jinja2",
    permission="learner",
    city_consent=False,
)
def change_email(request):
    values, errors = v.validate(request.POST, {"new_email": v.email(), "password": v.password})
    if not errors and not verify_password(request.user.password_hash, values["password"]):
        errors["password"] = _("This is not your current password.")
    if errors:
        return _page(request, {**_profile_values(request), **kept(request)}, errors, status=400)
    request.find_service(IAccountService).request_email_change(request.user, values["new_email"])
    request.session.flash(
        request.localizer.translate(
            _("We sent a link to the new address. Your email changes when you open it.")
        )
    )
    return HTTPSeeOther(request.route_url("account"))


@view_config(
    route_name="session_end", request_method="POST", permission="learner", city_consent=False
)
def end_session(request):
    session_id = int(request.matchdict["id"])
    record = request.dbsession.get(UserSession, session_id)
    if record is None or record.user_id != request.user.id:
        raise HTTPNotFound()  # someone else's session is none of your business, nor its existence
    if record == request.col_identity.session:
        logout(request)
        return _flash_and_go(request, _("You are signed out."), "home")
    request.dbsession.delete(record)
    return _flash_and_go(request, _("That browser is signed out."), "account")


def _flash_and_go(request, message, route_name: str) -> HTTPSeeOther:
    """Show ``message`` on the next page, the one of ``route_name``."""
    request.session.flash(request.localizer.translate(message))
    return HTTPSeeOther(request.route_url(route_name))


@view_config(
    route_name="sessions_end_others",
    request_method="POST",
    permission="learner",
    city_consent=False,
)
def end_other_sessions(request):
    ended = sessions.end_all(request.dbsession, request.user, keep=request.col_identity.session)
    request.session.flash(
        request.localizer.translate(
            _("Signed out everywhere else (${count} sessions).", mapping={"count": ended})
        )
    )
    return HTTPSeeOther(request.route_url("account"))


@view_config(
    route_name="confirm_email",
    request_method="GET",
    renderer=T + "confirm.jinja2",
    permission="view",
)
def confirm_email_form(request):
    if link_token(request, "email") is None:
        return bad_link(request)
    return {"title": _("Confirm your new email address"), "button": _("Confirm")}


@view_config(route_name="confirm_email", request_method="POST", permission="view")
def confirm_email(request):
    accounts = request.find_service(IAccountService)
    secret = request.matchdict["token"]
    token = accounts.consume_token("email", secret)
    if token is None or not accounts.confirm_email_change(token):
        return bad_link(request)
    return _flash_and_go(request, _("Your email address is changed."), "home")


@view_config(
    route_name="guardian_consent",
    request_method="GET",
    renderer=T + "confirm.jinja2",
    permission="view",
)
def guardian_form(request):
    token = link_token(request, "guardian")
    if token is None:
        return bad_link(request)
    return {
        "title": _("Consent for ${name}", mapping={"name": token.user.display_name}),
        "text": _(
            "We store their name, email address, date of birth, the activities they "
            "join and the badges they earn, to show their learning to them and to "
            "the organisers they choose. Their public profile shows only their first "
            "name. You or they can export or delete the account at any time."
        ),
        "button": _("I give my consent"),
    }


@view_config(route_name="guardian_consent", request_method="POST", permission="view")
def guardian_consent(request):
    token = link_token(request, "guardian", consume=True)
    if token is None:
        return bad_link(request)
    token.user.guardian_consent_at = utcnow()
    request.session.flash(request.localizer.translate(_("Thank you: your consent is recorded.")))
    return HTTPSeeOther(request.route_url("home"))


def is_minor(request, user: User) -> bool:
    """Minors get minimal public profiles: first name only, no picture, no sections."""
    age = user.age_on(dt.date.today())
    return user.guardian_email is not None or (
        age is not None and age < age_thresholds(request.tenant)[1]
    )


@view_config(route_name="person", renderer=T + "person.jinja2", permission="view")
def person(request):
    # Profiles are the platform's, shared in every city by their person's choice: an account
    # look-up (row-level security), whose result is shown only when shared or one's own.
    with account_lookup(request.dbsession) as session:
        user = session.get(User, int(request.matchdict["id"]))
    own = request.user is not None and user is not None and request.user.id == user.id
    # A private profile is not there for anyone else: the same 404 as no such person.
    if user is None or not user.is_active or not (own or user.profile_public):
        raise HTTPNotFound()
    minor = is_minor(request, user)
    # Others see a minor's shared profile as first name only; the person sees all of theirs.
    minimal = minor and not own
    sections = (
        []
        if minimal
        else sorted(
            (
                s
                for found in request.hooks.col_profile_sections(request=request, user=user)
                for s in found or ()
            ),
            key=lambda s: (s.order, s.title),
        )
    )
    name = (user.display_name.split() or [""])[0] if minimal else user.display_name
    return {
        "name": name,
        "picture": None if minimal else user.picture,
        "sections": sections,
        "own": own,
        "shared": user.profile_public,
        "minor": minor,
    }
