"""`col starterkit new` writes a city folder; `col tenant launch` validates it and applies it."""

import tomllib

from sqlalchemy import select

from col_core.cli.starterkit import starterkit
from col_core.cli.tenant import tenant as tenant_group
from col_core.organisations.models import Organisation
from col_core.tenancy.models import Tenant


def new(run, tmp_path, *extra):
    return run(
        starterkit,
        "new",
        "kaunas",
        "--name",
        "Kaunas",
        "--country",
        "lt",
        "--locales",
        "lt,en",
        "--center",
        "54.8985,23.9036",
        "--into",
        tmp_path,
        *extra,
    )


def test_new_writes_a_complete_folder(run, tmp_path):
    result = new(run, tmp_path)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "kaunas"
    config = tomllib.loads((folder / "tenant.toml").read_text())
    assert (config["slug"], config["country"], config["locales"]) == ("kaunas", "LT", ["lt", "en"])
    assert config["timezone"] == "Europe/Vilnius"
    assert config["map"]["center"] == [54.8985, 23.9036]
    # The platform's own features, listed: a plugin installed later stays off until added.
    assert config["enabled_plugins"] == ["badges", "esco", "map", "playlists"]
    assert sorted(p.name for p in (folder / "texts").iterdir()) == ["en.toml", "lt.toml"]
    assert sorted(p.name for p in (folder / "legal").iterdir()) == ["en", "lt"]
    assert "Sveiki atvykę: Kaunas" in (folder / "texts" / "lt.toml").read_text()
    categories = tomllib.loads((folder / "categories.toml").read_text())["category"]
    assert categories[0] == {"slug": "arts", "lt": "Menas ir kultūra", "en": "Arts and culture"}
    assert b"<svg" in (folder / "branding" / "logo.svg").read_bytes()
    assert "is not valid" not in result.output


def test_new_refuses_to_overwrite(run, tmp_path):
    (tmp_path / "kaunas").mkdir()
    (tmp_path / "kaunas" / "notes.txt").write_text("mine")
    result = new(run, tmp_path)
    assert result.exit_code == 1
    assert "already exists; nothing was changed" in result.output
    assert [p.name for p in (tmp_path / "kaunas").iterdir()] == ["notes.txt"]


def test_new_rejects_bad_slug_locale_and_ambiguous_timezone(run, tmp_path):
    bad_slug = run(
        starterkit,
        "new",
        "Kaunas City",
        "--name",
        "K",
        "--country",
        "LT",
        "--locales",
        "lt",
        "--into",
        tmp_path,
    )
    assert bad_slug.exit_code == 2 and "lower-case letters" in bad_slug.output
    bad_locale = run(
        starterkit,
        "new",
        "kaunas",
        "--name",
        "K",
        "--country",
        "LT",
        "--locales",
        "lt,xx-nowhere",
        "--into",
        tmp_path,
    )
    assert bad_locale.exit_code == 2 and "xx-nowhere" in bad_locale.output
    spain = run(
        starterkit,
        "new",
        "sevilla",
        "--name",
        "Sevilla",
        "--country",
        "ES",
        "--locales",
        "es",
        "--into",
        tmp_path,
    )
    assert spain.exit_code == 2 and "choose one with --timezone" in spain.output
    assert list(tmp_path.iterdir()) == []


def test_new_language_without_template_starts_in_english(run, tmp_path):
    result = run(
        starterkit,
        "new",
        "torino",
        "--name",
        "Torino",
        "--country",
        "IT",
        "--locales",
        "it,en",
        "--center",
        "45.07,7.69",
        "--into",
        tmp_path,
    )
    assert result.exit_code == 0, result.output
    assert "texts/it.toml, legal/it/ and the category names in 'it' are in English" in result.output
    assert "Welcome to Torino" in (tmp_path / "torino" / "texts" / "it.toml").read_text()


def test_launch_notes_a_language_the_platform_does_not_speak_yet(run, tmp_path):
    run(
        starterkit,
        "new",
        "torino",
        "--name",
        "Torino",
        "--country",
        "IT",
        "--locales",
        "it,en",
        "--center",
        "45.07,7.69",
        "--into",
        tmp_path,
    )
    result = run(tenant_group, "launch", tmp_path / "torino")
    assert "Created tenant torino" in result.output
    assert "not translated into 'it' yet" in result.output
    assert "'en'" not in result.output


def test_new_without_map_centre_says_what_to_fill_in(run, tmp_path):
    result = run(
        starterkit,
        "new",
        "kaunas",
        "--name",
        "Kaunas",
        "--country",
        "LT",
        "--locales",
        "lt",
        "--into",
        tmp_path,
    )
    assert result.exit_code == 0
    assert "map.center: [latitude, longitude]" in result.output


def test_new_then_launch_serves_the_city(run, tmp_path, scalar, testapp):
    new(run, tmp_path)
    result = run(tenant_group, "launch", tmp_path / "kaunas")
    assert result.exit_code == 0, result.output
    assert "Created tenant kaunas" in result.output
    city = scalar(select(Tenant).where(Tenant.slug == "kaunas"))
    assert city.names == {"lt": "Kaunas", "en": "Kaunas"}
    assert city.plugins == ["badges", "esco", "map", "playlists"]
    assert [c["slug"] for c in city.settings["categories"]][:2] == ["arts", "digital"]
    page = testapp.for_tenant(city).get("/", headers={"Accept-Language": "lt"})
    assert "Sveiki atvykę: Kaunas" in page.text
    assert 'href="http://kaunas.example.test/legal/terms"' in page.text


def test_relaunch_applies_edits_and_keeps_data(run, tmp_path, launch, factories, scalar, testapp):
    new(run, tmp_path)
    folder = tmp_path / "kaunas"
    city = launch(folder)
    with factories.within(city):
        factories.save(
            Organisation(
                tenant_id=city.id, name="Kauno jaunimo centras", slug="kjc", primary_locale="lt"
            )
        )
    texts = folder / "texts" / "en.toml"
    texts.write_text(texts.read_text().replace("Welcome to Kaunas", "Hello, Kaunas learners"))
    config = folder / "tenant.toml"
    config.write_text(config.read_text().replace('primary = "#1d4ed8"', 'primary = "#005a32"'))
    result = run(tenant_group, "launch", folder)
    assert "Updated tenant kaunas" in result.output
    again = scalar(select(Tenant).where(Tenant.slug == "kaunas"))
    assert again.id == city.id
    assert again.branding["colours"]["primary"] == "#005a32"
    with factories.within(again):
        assert factories.session.scalar(select(Organisation.name)) == "Kauno jaunimo centras"
    page = testapp.for_tenant(again).get("/?lang=en")
    assert "Hello, Kaunas learners" in page.text
    assert "--col-primary:#005a32" in page.text


def test_launching_twice_changes_nothing(run, tmp_path, scalar):
    new(run, tmp_path)
    run(tenant_group, "launch", tmp_path / "kaunas")
    before = scalar(select(Tenant).where(Tenant.slug == "kaunas"))
    snapshot = (before.branding, before.settings, before.names, before.map, before.hostnames)
    run(tenant_group, "launch", tmp_path / "kaunas")
    after = scalar(select(Tenant).where(Tenant.slug == "kaunas"))
    assert (after.branding, after.settings, after.names, after.map, after.hostnames) == snapshot


def test_country_presets_its_age_of_digital_consent(run, tmp_path):
    expected = {"LT": 14, "ES": 14, "FR": 15, "BE": 13, "DE": 16, "NL": 16}
    zones = {
        "ES": "Europe/Madrid",
        "FR": "Europe/Paris",
        "DE": "Europe/Berlin",
        "NL": "Europe/Amsterdam",
    }
    for country, age in expected.items():
        slug = f"city-{country.lower()}"
        result = run(
            starterkit,
            "new",
            slug,
            "--name",
            "City",
            "--country",
            country.lower(),
            "--locales",
            "en",
            "--center",
            "50,5",
            "--into",
            tmp_path,
            *(("--timezone", zones[country]) if country in zones else ()),
        )
        assert result.exit_code == 0, result.output
        text = (tmp_path / slug / "tenant.toml").read_text()
        assert tomllib.loads(text)["settings"]["digital_consent_age"] == age, country
        assert f"Preset\n# for {country}: {age} (" in text
        assert "is not valid" not in result.output


def test_country_outside_the_eea_keeps_the_gdpr_age_and_says_so(run, tmp_path):
    result = run(
        starterkit,
        "new",
        "zurich",
        "--name",
        "Zürich",
        "--country",
        "CH",
        "--locales",
        "de",
        "--center",
        "47.37,8.54",
        "--into",
        tmp_path,
    )
    assert result.exit_code == 0, result.output
    config = tomllib.loads((tmp_path / "zurich" / "tenant.toml").read_text())
    assert config["settings"]["digital_consent_age"] == 16
    assert "CH is not an EU or EEA country we know" in result.output


def test_launch_refuses_an_age_below_the_countrys(run, tmp_path):
    new(run, tmp_path)
    config = tmp_path / "kaunas" / "tenant.toml"
    config.write_text(
        config.read_text().replace("digital_consent_age = 14", "digital_consent_age = 13")
    )
    result = run(tenant_group, "launch", tmp_path / "kaunas")
    assert result.exit_code != 0
    assert (
        "settings.digital_consent_age: at least 14, the age of digital consent in LT"
        in result.output
    )
    config.write_text(
        config.read_text().replace("digital_consent_age = 13", "digital_consent_age = 16")
    )
    assert "Created tenant kaunas" in run(tenant_group, "launch", tmp_path / "kaunas").output


def test_example_cities_have_their_countrys_age():
    from pathlib import Path

    from col_core.tenancy.consent_ages import consent_age_of

    tenants = Path(__file__).resolve().parents[3] / "tenants"
    for folder in sorted(tenants.iterdir()):
        config = tomllib.loads((folder / "tenant.toml").read_text())
        legal = consent_age_of(config.get("country"))
        if legal is not None:
            assert config["settings"]["digital_consent_age"] == legal.age, folder.name


def test_launch_notes_a_citys_words_that_differ_from_the_sites_and_still_launches(run, tmp_path):
    new(run, tmp_path)
    folder = tmp_path / "kaunas"
    for language, footer in (
        ("en", "Collect badges in Kaunas."),
        ("lt", "Rink ženkliukus Kaune."),  # the site's word for a badge is "ženklelis"
    ):
        path = folder / "texts" / f"{language}.toml"
        lines = path.read_text(encoding="utf-8").splitlines()
        kept = [line for line in lines if not line.startswith("footer =")]
        path.write_text("\n".join([*kept, f'footer = "{footer}"', ""]), encoding="utf-8")
    result = run(tenant_group, "launch", folder)
    assert result.exit_code == 0, result.output
    assert "Created tenant kaunas" in result.output
    assert "texts/lt.toml: footer says 'ženkliukus' for 'badge'" in result.output
    assert "the lt glossary word is 'ženklelis'" in result.output
