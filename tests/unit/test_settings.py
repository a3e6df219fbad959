"""Settings are read in one place: defaults, then ini, then COL_* environment variables."""

import pytest

from col_core import settings


def test_environment_overrides_ini(tmp_path):
    merged = settings.load(
        {"col.base_domain": "ini.example", "col.secret": "s"},
        environ={"COL_BASE_DOMAIN": "env.example", "COL_DATA_DIR": str(tmp_path)},
    )
    assert merged["col.base_domain"] == "env.example"


def test_ini_overrides_defaults_and_plugin_defaults(tmp_path):
    merged = settings.load(
        {"map.max_features": "10", "col.secret": "s", "col.data_dir": str(tmp_path)},
        environ={},
        plugin_defaults={"map.max_features": "2000", "map.other": "x"},
    )
    assert (merged["map.max_features"], merged["map.other"]) == ("10", "x")


def test_database_defaults_to_sqlite_in_the_data_dir(tmp_path):
    merged = settings.load({}, environ={"COL_DATA_DIR": str(tmp_path)})
    assert merged["col.database_url"] == f"sqlite:///{tmp_path / 'col.sqlite'}"


def test_development_secret_is_generated_once_per_data_dir(tmp_path):
    first = settings.load({}, environ={"COL_DATA_DIR": str(tmp_path)})["col.secret"]
    second = settings.load({}, environ={"COL_DATA_DIR": str(tmp_path)})["col.secret"]
    assert first == second and len(first) > 40
    assert (tmp_path / "secret.key").stat().st_mode & 0o077 == 0


def test_production_requires_a_secret(tmp_path):
    with pytest.raises(RuntimeError, match="COL_SECRET"):
        settings.load({"col.environment": "production"}, environ={"COL_DATA_DIR": str(tmp_path)})


def test_every_environment_variable_maps_to_a_known_setting(tmp_path):
    known = settings.defaults(tmp_path)
    assert all(name in known for name in settings.ENVIRONMENT.values())


STRONG = "Qm3vX9tL2pW7rK4nB8yH6dF1sJ5gZ0cV-aE_uT"


@pytest.mark.parametrize(
    "secret, reason",
    [
        ("x", "has 1 characters and needs at least 32"),
        ("a" * 64, "too easy to guess"),
        ("ab" * 32, "too easy to guess"),
        ("abcdefghijklmnopqrstuvwxyz0123456789", "too easy to guess"),
        ("password" * 5, "too easy to guess"),
    ],
)
def test_production_refuses_a_weak_secret_and_says_how_to_make_one(tmp_path, secret, reason):
    with pytest.raises(settings.SettingsError, match="COL_SECRET") as refused:
        settings.load(
            {"col.environment": "production", "col.public_url": "https://x.example"},
            environ={"COL_DATA_DIR": str(tmp_path), "COL_SECRET": secret},
        )
    assert reason in str(refused.value)
    assert "secrets.token_urlsafe(48)" in str(refused.value)


def test_production_accepts_a_random_secret(tmp_path):
    import secrets

    # Many draws: the estimate of a random hex secret varies with the runs its digits form.
    randoms = [secrets.token_hex(16) for _ in range(200)] + [secrets.token_urlsafe(48)]
    for secret in [*randoms, STRONG]:
        merged = settings.load(
            {"col.environment": "production", "col.public_url": "https://x.example"},
            environ={"COL_DATA_DIR": str(tmp_path), "COL_SECRET": secret},
        )
        assert merged["col.secret"] == secret


def test_development_accepts_any_secret(tmp_path):
    assert settings.load({"col.secret": "x"}, environ={"COL_DATA_DIR": str(tmp_path)})


def test_production_requires_a_public_url(tmp_path):
    with pytest.raises(settings.SettingsError, match="COL_PUBLIC_URL"):
        settings.load(
            {"col.environment": "production", "col.secret": STRONG},
            environ={"COL_DATA_DIR": str(tmp_path)},
        )


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org",
        "example.org",
        "https://",
        "http://a:99999",
        "https://user@example.org",
        "https://example.org/?x=1",
    ],
)
def test_a_malformed_public_url_is_refused(tmp_path, url):
    with pytest.raises(settings.SettingsError, match="col.public_url"):
        settings.load({"col.public_url": url}, environ={"COL_DATA_DIR": str(tmp_path)})


def test_development_public_url_is_the_local_server(tmp_path):
    merged = settings.load({}, environ={"COL_DATA_DIR": str(tmp_path)})
    assert merged["col.public_url"] == "http://localhost:6543"
