"""Small pieces of the shell that tie features together."""


def test_city_admins_find_the_branding_page_in_the_navigation(people, factories):
    city = factories.tenant("vilnius", locales=["en"])
    admin = people.client(city, people.city_admin(city))
    assert 'href="http://vilnius.example.test/admin/branding"' in admin.get("/").text


def test_learners_do_not_see_the_branding_link(people, factories):
    city = factories.tenant("vilnius", locales=["en"])
    learner = people.client(city, people.user())
    assert "/admin/branding" not in learner.get("/").text


def test_account_page_offers_a_language_the_city_added(people, factories):
    city = factories.tenant("roma", locales=["it", "en"], default_locale="it")
    learner = people.client(city, people.user())
    page = learner.get("/account", headers={"Accept-Language": "en"})
    choices = [
        option.get("value")
        for option in page.html.find("select", attrs={"name": "preferred_locale"}).find_all(
            "option"
        )
    ]
    assert "it" in choices and "lt" in choices
