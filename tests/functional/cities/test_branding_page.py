"""City admins edit branding and texts in a settings page; legal pages in the visitor's language."""

import pytest
from sqlalchemy import select
from webtest import Upload

from col_core.tenancy.models import Tenant

from .conftest import sign_in


@pytest.fixture
def vilnius(example, launch):
    return launch(example("vilnius"))


@pytest.fixture
def admin_app(testapp, vilnius, city_admin):
    app = testapp.for_tenant(vilnius)
    sign_in(app, city_admin(vilnius))
    return app


def branding_form(app):
    page = app.get("/admin/branding?lang=en")
    return next(form for form in page.forms.values() if "colour.primary" in form.fields)


@pytest.fixture
def stored(scalar):
    return lambda: scalar(select(Tenant).where(Tenant.slug == "vilnius"))


def test_anonymous_visitor_cannot_open_the_page(testapp, vilnius):
    response = testapp.for_tenant(vilnius).get("/admin/branding", expect_errors=True)
    assert response.status_int in (302, 303, 403)
    assert "colour.primary" not in response.text


def test_admin_of_another_city_is_refused(testapp, vilnius, factories, city_admin):
    kaunas = factories.tenant("kaunas")
    app = testapp.for_tenant(vilnius)
    sign_in(app, city_admin(kaunas))
    assert app.get("/admin/branding", status=403)


def test_form_shows_current_branding_and_texts(admin_app):
    form = branding_form(admin_app)
    assert form["colour.primary"].value == "#8a1538"
    assert form["text.lt.site_title"].value == "Vilniaus mokymosi miestas"
    assert form["text.en.welcome_title"].value == "Learn all over Vilnius"
    assert form["legal.lt.terms"].value.startswith("# Naudojimosi taisyklės")


def test_saving_changes_what_visitors_see(admin_app, stored):
    form = branding_form(admin_app)
    form["colour.primary"] = "#005a32"
    form["text.en.welcome_title"] = "Vilnius learns together"
    form["text.lt.footer"] = "Sukurta Vilniuje"
    form["legal.en.terms"] = "# Our rules\n\nBe kind."
    form.submit(status=303)
    home = admin_app.get("/?lang=en")
    assert "Vilnius learns together" in home.text
    assert "--col-primary:#005a32" in home.text
    assert "Sukurta Vilniuje" in admin_app.get("/?lang=lt").text
    terms = admin_app.get("/legal/terms?lang=en")
    assert "<h1>Our rules</h1>" in terms.text
    assert stored().branding["texts"]["en"]["welcome_title"] == "Vilnius learns together"


def test_low_contrast_is_refused_naming_the_pair_and_keeping_input(admin_app, stored):
    form = branding_form(admin_app)
    form["colour.primary"] = "#ffdd00"
    form["text.en.welcome_title"] = "Kept while I fix the colour"
    page = form.submit(status=400)  # in the city's default language, Lithuanian
    assert "on_primary ant primary sunku perskaityti (kontrastas 1.35:1)" in page.text
    assert "Kept while I fix the colour" in page.text
    assert stored().branding["colours"]["primary"] == "#8a1538"


def test_a_focus_ring_that_hardly_shows_is_refused(admin_app, stored):
    form = branding_form(admin_app)
    form["colour.accent"] = "#f5f5f5"  # a pale grey ring on a white page
    page = form.submit(status=400)
    assert "(kontrastas 1.09:1)" in page.text and "bent 3:1" in page.text
    assert stored().branding["colours"].get("accent") != "#f5f5f5"


def test_malformed_colour_is_refused(admin_app):
    form = branding_form(admin_app)
    form["colour.text"] = "black"
    page = form.submit(status=400)
    assert "Pasirink spalvą, užrašytą taip: #1d4ed8." in page.text


def test_logo_upload_replaces_the_logo_and_rejects_other_files(admin_app, stored):
    form = branding_form(admin_app)
    form["logo"] = Upload(
        "logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', "image/svg+xml"
    )
    form.submit(status=303)
    logo = stored().branding["logo"]
    assert admin_app.get(f"/files/{logo}").body.startswith(b"<svg")
    form = branding_form(admin_app)
    form["cover"] = Upload("cover.txt", b"not a picture", "text/plain")
    page = form.submit(status=400)
    assert "This file type is not accepted" in page.text


def test_saving_without_csrf_token_is_refused(admin_app, stored):
    form = branding_form(admin_app)
    form["csrf_token"] = "forged"
    form["colour.primary"] = "#005a32"
    form.submit(expect_errors=True)
    assert stored().branding["colours"]["primary"] == "#8a1538"


def test_legal_page_in_the_visitors_language(testapp, vilnius):
    app = testapp.for_tenant(vilnius)
    assert "<h1>Naudojimosi taisyklės</h1>" in app.get("/legal/terms?lang=lt").text
    assert "<h1>Privacy notice</h1>" in app.get("/legal/privacy?lang=en").text


def test_legal_page_falls_back_to_the_default_language(testapp, example, launch):
    folder = example("vilnius")
    (folder / "legal" / "en" / "terms.md").unlink()
    city = launch(folder)
    page = testapp.for_tenant(city).get("/legal/terms?lang=en")
    assert "<h1>Naudojimosi taisyklės</h1>" in page.text
    assert "shown in Lietuvių" in page.text


def test_unknown_legal_page_is_404(testapp, vilnius):
    testapp.for_tenant(vilnius).get("/legal/cookies", status=404)


def test_markdown_cannot_inject_script(admin_app):
    form = branding_form(admin_app)
    form["legal.en.privacy"] = "# Privacy\n\n<script>alert(1)</script> [x](javascript:alert(1))"
    form.submit(status=303)
    page = admin_app.get("/legal/privacy?lang=en")
    assert "<script>alert(1)" not in page.text
    assert 'href="javascript:' not in page.text
