"""Every problem in a tenant folder is reported with file, field and what is expected, and a
failed launch changes nothing."""

import pytest
from sqlalchemy import select

from col_core.cli.tenant import tenant as tenant_group
from col_core.tenancy.launch import LaunchError, read_folder
from col_core.tenancy.models import Tenant, TenantHost

PLUGINS = {"map", "badges", "esco", "playlists"}


def replace(relative, old, new):
    def edit(folder):
        path = folder / relative
        text = path.read_text()
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1))

    return edit


def write(relative, content):
    def edit(folder):
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)

    return edit


def remove(relative):
    return lambda folder: (folder / relative).unlink()


CASES = {
    "not toml": (write("tenant.toml", "slug = "), "tenant.toml: not valid TOML"),
    "unknown field": (
        replace("tenant.toml", "kind =", 'colour = "red"\nkind ='),
        "tenant.toml: colour: unknown field; expected one of",
    ),
    "moved field": (
        replace("tenant.toml", "kind =", '[names]\nlt = "x"\n\n[x]\nkind ='),
        "tenant.toml: names: moved to texts/<lang>.toml (site_title)",
    ),
    "slug": (
        replace("tenant.toml", 'slug = "vilnius"', 'slug = "Vilnius City"'),
        "tenant.toml: slug: lower-case letters",
    ),
    "kind": (
        replace("tenant.toml", 'kind = "city"', 'kind = "village"'),
        "tenant.toml: kind: one of city, region, global",
    ),
    "name": (
        replace("tenant.toml", 'name = "Vilnius Learning City"', 'name = " "'),
        "tenant.toml: name: the tenant's name",
    ),
    "country": (
        replace("tenant.toml", 'country = "LT"', 'country = "Lithuania"'),
        "tenant.toml: country: an ISO 3166 two-letter country code",
    ),
    "timezone": (
        replace("tenant.toml", '"Europe/Vilnius"', '"Europe/Atlantis"'),
        "tenant.toml: timezone: an IANA time zone",
    ),
    "locales": (
        replace("tenant.toml", 'locales = ["lt", "en"]', 'locales = ["lt", "zz-top"]'),
        "tenant.toml: locales: a list of language codes",
    ),
    "default locale": (
        replace("tenant.toml", 'default_locale = "lt"', 'default_locale = "de"'),
        "tenant.toml: default_locale: one of the listed locales",
    ),
    "hostname": (
        replace("tenant.toml", "hostnames = []", 'hostnames = ["not a host"]'),
        "tenant.toml: hostnames: 'not a host' is not a host name",
    ),
    "plugin": (
        replace("tenant.toml", 'enabled_plugins = ["badges"', 'enabled_plugins = ["chess"'),
        "tenant.toml: enabled_plugins: a list of installed plugins",
    ),
    "map centre": (
        replace("tenant.toml", "center = [54.6872, 25.2797]", "center = [254.6, 25.2]"),
        "tenant.toml: map.center: [latitude, longitude]",
    ),
    "map centre missing": (
        replace("tenant.toml", "center = [54.6872, 25.2797]", ""),
        "tenant.toml: map.center: [latitude, longitude]",
    ),
    "zoom": (
        replace("tenant.toml", "zoom = 12", "zoom = 25"),
        "tenant.toml: map.zoom: a whole number",
    ),
    "tiles": (
        replace("tenant.toml", "{z}/{x}/{y}", "tiles"),
        "tenant.toml: map.tile_url: a tile URL template",
    ),
    "well-known place": (
        replace("tenant.toml", "latitude = 54.6903", 'latitude = "north"'),
        "tenant.toml: map.places[1]: name = ",
    ),
    "attribution": (
        replace("tenant.toml", 'attribution = "© OpenStreetMap contributors"', ""),
        "tenant.toml: map.attribution: the tile provider's required credit",
    ),
    "minimum age": (
        replace("tenant.toml", "[settings]\n", '[settings]\nminimum_age = "13"\n'),
        "tenant.toml: settings.minimum_age: a whole number of years from 0 to 25",
    ),
    "consent age": (
        replace("tenant.toml", "digital_consent_age = 14", "digital_consent_age = 18"),
        "tenant.toml: settings.digital_consent_age: a whole number of years from 13 to 16",
    ),
    "ages in order": (
        replace("tenant.toml", "[settings]\n", "[settings]\nminimum_age = 15\n"),
        "tenant.toml: settings.minimum_age: at most digital_consent_age",
    ),
    "consent age under the country's": (
        replace("tenant.toml", "digital_consent_age = 14", "digital_consent_age = 13"),
        "tenant.toml: settings.digital_consent_age: at least 14, the age of digital consent in "
        "LT (Law on the Legal Protection of Personal Data, Art. 6)",
    ),
    "publishing rule": (
        replace(
            "tenant.toml",
            "[settings]\n",
            '[settings]\nunverified_organisations_can_publish = "no"\n',
        ),
        "tenant.toml: settings.unverified_organisations_can_publish: true or false",
    ),
    "publishing wait": (
        replace(
            "tenant.toml", "[settings]\n", "[settings]\nunverified_organisations_wait_hours = -1\n"
        ),
        "tenant.toml: settings.unverified_organisations_wait_hours: a whole number of hours",
    ),
    "check-in window": (
        replace(
            "tenant.toml", "[settings]\n", '[settings]\ncheck_in_opens_minutes_before = "soon"\n'
        ),
        "tenant.toml: settings.check_in_opens_minutes_before: a whole number of minutes",
    ),
    "legal version": (
        replace("tenant.toml", "[settings]\n", "[settings]\nlegal_version = 3\n"),
        "tenant.toml: settings.legal_version: a short text",
    ),
    "video hosts": (
        replace("tenant.toml", "[settings]\n", '[settings]\npeertube_hosts = ["not a host"]\n'),
        "tenant.toml: settings.peertube_hosts: a list of host names",
    ),
    "map key": (
        replace("tenant.toml", "zoom = 12", "zoom = 12\nlayers = 3"),
        "tenant.toml: map.layers: unknown",
    ),
    "contrast": (
        replace("tenant.toml", 'primary = "#8a1538"', 'primary = "#ffdd00"'),
        "tenant.toml: branding.colours.on_primary: (#ffffff) on colours.primary (#ffdd00) "
        "has contrast 1.35:1; WCAG AA needs at least 4.5:1",
    ),
    "colour format": (
        replace("tenant.toml", 'text = "#1f2937"', 'text = "dark grey"'),
        "tenant.toml: branding.colours.text: must be a colour like #1d4ed8",
    ),
    "colour name": (
        replace("tenant.toml", 'text = "#1f2937"', 'text = "#1f2937"\nlink = "#000000"'),
        "tenant.toml: branding.colours.link: unknown",
    ),
    "asset missing": (remove("branding/logo.svg"), "tenant.toml: branding.logo: a file inside"),
    "asset outside": (
        replace("tenant.toml", '"branding/logo.svg"', '"../../etc/passwd"'),
        "tenant.toml: branding.logo: a path inside",
    ),
    "asset type": (
        write("branding/cover.svg", "just text"),
        "tenant.toml: branding.cover: branding/cover.svg: This file type is not accepted",
    ),
    "text language": (
        write("texts/de.toml", 'welcome_title = "Hallo"'),
        "texts/de.toml: language: 'de' is not one of this city's locales",
    ),
    "text key": (
        write("texts/en.toml", 'welcome = "Hi"'),
        "texts/en.toml: welcome: unknown; expected site_title, welcome_title",
    ),
    "text length": (
        write("texts/en.toml", 'footer = "' + "x" * 5001 + '"'),
        "texts/en.toml: footer: text of at most 5000 characters",
    ),
    "category name": (
        replace("categories.toml", 'en = "Sport and movement"\n', ""),
        "categories.toml: category 4.en: the category's name in 'en'",
    ),
    "category slug": (
        replace("categories.toml", 'slug = "sport"', 'slug = "arts"'),
        "categories.toml: category 4.slug: a unique lower-case identifier",
    ),
    "category language": (
        replace(
            "categories.toml",
            'en = "Sport and movement"',
            'en = "Sport and movement"\nfr = "Sport"',
        ),
        "categories.toml: category 4.fr: not one of this city's locales",
    ),
    "category icon": (
        replace("categories.toml", 'slug = "sport"', 'slug = "sport"\nicon = "unicorn"'),
        "categories.toml: category 4.icon: one of the icons ['arts'",
    ),
    "categories shape": (
        write("categories.toml", 'sport = "Sport"'),
        "categories.toml: category: [[category]] tables",
    ),
    "legal page": (
        write("legal/en/cookies.md", "# Cookies"),
        "legal/en/cookies.md: page: expected terms.md or privacy.md",
    ),
    "legal language": (
        write("legal/fr/terms.md", "# Conditions"),
        "legal/fr: language: 'fr' is not one of this city's locales",
    ),
    "legal empty": (write("legal/en/terms.md", "  \n"), "legal/en/terms.md: text: the page's text"),
    "legal default": (
        remove("legal/lt/privacy.md"),
        "legal/lt/privacy.md: page: missing: the default language 'lt' needs",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_problem_names_file_field_and_expectation(example, case):
    edit, expected = CASES[case]
    folder = example("vilnius")
    edit(folder)
    with pytest.raises(LaunchError) as raised:
        read_folder(folder, PLUGINS)
    assert any(
        problem.startswith(str(folder)) and expected in problem for problem in raised.value.problems
    ), raised.value.problems


def test_missing_folder_file(tmp_path):
    with pytest.raises(LaunchError, match="tenant.toml: missing: expected a tenant.toml file"):
        read_folder(tmp_path, PLUGINS)


def test_every_problem_is_reported_at_once(example):
    folder = example("vilnius")
    for case in ("kind", "zoom", "contrast", "text key"):
        CASES[case][0](folder)
    with pytest.raises(LaunchError) as raised:
        read_folder(folder, PLUGINS)
    assert len(raised.value.problems) >= 4


def test_failed_relaunch_changes_nothing(example, launch, run, scalar):
    folder = example("vilnius")
    launch(folder)
    replace("texts/en.toml", "Learn all over Vilnius", "Changed")(folder)
    replace("tenant.toml", "zoom = 12", "zoom = 40")(folder)
    result = run(tenant_group, "launch", folder)
    assert result.exit_code == 1
    assert "map.zoom: a whole number from 1 to 19" in result.output
    city = scalar(select(Tenant).where(Tenant.slug == "vilnius"))
    assert city.branding["texts"]["en"]["welcome_title"] == "Learn all over Vilnius"
    assert city.map["zoom"] == 12


def test_hostname_of_another_city_is_refused_and_nothing_changes(example, run, factories, scalar):
    other = factories.tenant("kaunas")
    factories.save(TenantHost(hostname="learn.kaunas.lt", tenant_id=other.id))
    folder = example("vilnius")
    replace("tenant.toml", "hostnames = []", 'hostnames = ["learn.kaunas.lt"]')(folder)
    result = run(tenant_group, "launch", folder)
    assert result.exit_code == 1
    assert "hostnames: learn.kaunas.lt already serves tenant kaunas" in result.output
    assert scalar(select(Tenant).where(Tenant.slug == "vilnius")) is None


def test_custom_domain_serves_the_city(example, launch, testapp):
    folder = example("vilnius")
    replace("tenant.toml", "hostnames = []", 'hostnames = ["mokykis.vilnius.lt"]')(folder)
    launch(folder)
    page = testapp.get(
        "/", extra_environ={"HTTP_HOST": "mokykis.vilnius.lt"}, headers={"Accept-Language": "en"}
    )
    assert "Learn all over Vilnius" in page.text
