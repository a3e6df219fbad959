"""Finding 2 of issue #14, as the attack was made: a city admin on /admin/people.

On SQLite the central tenant filter missed joined and counted tables: Vilnius's admin saw
Kaunas's administrators (names, emails) and organisers, and the "never the last admin" guard
counted every city's admins, so Vilnius's only admin removed themselves.  Row-level security
hid both on PostgreSQL; these tests run on both databases.
"""

from __future__ import annotations

from sqlalchemy import select

from col_core.security.models import CityAdmin


def _two_cities(factories, people):
    vilnius, kaunas = factories.tenant("vilnius", name="Vilnius"), factories.tenant("kaunas")
    admin = people.user("only-admin@vilnius.example", display_name="Vilnius Admin")
    people.city_admin(vilnius, admin)
    people.organisation(
        vilnius, owner=people.user("organiser@vilnius.example", display_name="Vilnius Organiser")
    )
    for number in (1, 2):
        people.city_admin(
            kaunas,
            people.user(f"admin{number}@kaunas.example", display_name=f"Kaunas Admin {number}"),
        )
    people.organisation(
        kaunas,
        owner=people.user("organiser@kaunas.example", display_name="Kaunas Organiser"),
        name="Kaunas Secret Club",
    )
    return vilnius, kaunas, admin


def test_a_city_admin_sees_only_this_citys_admins_and_organisers(
    testapp, factories, people, helpers
):
    vilnius, _, admin = _two_cities(factories, people)
    app = testapp.for_tenant(vilnius)
    helpers.sign_in(app, admin.email)
    page = app.get("/admin/people").text
    assert "Vilnius Admin" in page and "Vilnius Organiser" in page  # the control
    for leaked in ("Kaunas", "kaunas.example"):
        assert leaked not in page


def test_the_only_admin_cannot_remove_themselves(testapp, factories, people, helpers):
    vilnius, kaunas, admin = _two_cities(factories, people)
    app = testapp.for_tenant(vilnius)
    helpers.sign_in(app, admin.email)
    token = helpers.csrf_token(app, "/account")
    refused = app.post(f"/admin/people/{admin.id}/revoke", {"csrf_token": token}, status=409)
    assert "only administrator" in refused.text and "Add another administrator" in refused.text
    with factories.within(vilnius):
        assert factories.session.scalars(select(CityAdmin.user_id)).all() == [admin.id]
    # Another city's admin is not this city's to remove: not found, and still there.
    with factories.within(kaunas):
        kaunas_admin = factories.session.scalars(select(CityAdmin.user_id)).first()
    app.post(f"/admin/people/{kaunas_admin}/revoke", {"csrf_token": token}, status=404)
    with factories.within(kaunas):
        assert len(factories.session.scalars(select(CityAdmin)).all()) == 2


def test_with_a_second_admin_either_may_leave(testapp, factories, people, helpers):
    vilnius, _, admin = _two_cities(factories, people)
    app = testapp.for_tenant(vilnius)
    helpers.sign_in(app, admin.email)
    form = helpers.form_with(app.get("/admin/people"), "email")
    form["email"] = "organiser@vilnius.example"
    form.submit(status=303)
    token = helpers.csrf_token(app, "/account")
    app.post(f"/admin/people/{admin.id}/revoke", {"csrf_token": token}, status=303)
    with factories.within(vilnius):
        remaining = factories.session.scalars(select(CityAdmin.user_id)).all()
    assert remaining != [admin.id] and len(remaining) == 1
