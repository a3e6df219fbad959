"""Legal pages for everyone; the branding and texts page for the city's admins."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config

from col_core.cityadmin import settings_form
from col_core.cityadmin.texts import legal_text, render_markdown
from col_core.files.interfaces import IStoredFiles
from col_core.i18n import _
from col_core.tenancy.launch import ASSET_KEYS, LEGAL_PAGES, TEXT_KEYS
from col_core.web.branding import DEFAULT_COLOURS

TITLES = {"terms": _("Terms of use"), "privacy": _("Privacy notice")}
BRANDING_TEMPLATE = "col_core.cityadmin:templates/branding.jinja2"


@view_config(
    route_name="legal",
    renderer="col_core.cityadmin:templates/legal.jinja2",
    permission="view",
    request_method="GET",
)
def legal_page(request):
    page = request.matchdict["page"]
    localizer = request.localizer
    found = legal_text(request.tenant, page, localizer.locale_name)
    if found is None:
        raise HTTPNotFound(_("This page has not been published here yet."))
    text, language = found
    title = localizer.translate(TITLES[page])
    return {"title": title, "html": render_markdown(text), "language": language}


def _form(request, values, errors):
    errors = {name: request.localizer.translate(message) for name, message in errors.items()}
    return {
        "values": values,
        "errors": errors,
        "colours": list(DEFAULT_COLOURS),
        "assets": ASSET_KEYS,
        "text_keys": TEXT_KEYS,
        "legal_pages": LEGAL_PAGES,
        "legal_titles": {
            page: request.localizer.translate(title) for page, title in TITLES.items()
        },
    }


@view_config(
    route_name="cityadmin.branding",
    renderer=BRANDING_TEMPLATE,
    permission="city.admin",
    request_method="GET",
)
def branding_form(request):
    return _form(request, settings_form.form_values(request.tenant), {})


@view_config(
    route_name="cityadmin.branding",
    renderer=BRANDING_TEMPLATE,
    permission="city.admin",
    request_method="POST",
)
def branding_save(request):
    changes, values, errors = settings_form.parse(
        request.tenant, request.POST, request.find_service(IStoredFiles)
    )
    if errors:
        request.response.status = 400
        return _form(request, values, errors)
    settings_form.apply(request.tenant, changes)
    request.session.flash(request.localizer.translate(_("Your changes are saved.")))
    return HTTPSeeOther(location=request.route_url("cityadmin.branding"))
