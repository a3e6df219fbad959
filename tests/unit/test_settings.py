"""Settings are read in one place: defaults, then ini, then COL_* environment variables."""

import pytest

from col_core import settings


def test_environment_overrides_ini(tmp_path):
    merged = settings.load({"col.base_domain": "ini.example", "col.secret": "s"},
                           environ={"COL_BASE_DOMAIN": "env.example", "COL_DATA_DIR": str(tmp_path)})
    assert merged["col.base_domain"] == "env.example"


def test_ini_overrides_defaults_and_plugin_defaults(tmp_path):
    merged = settings.load({"map.max_features": "10", "col.secret": "s",
                            "col.data_dir": str(tmp_path)}, environ={},
                           plugin_defaults={"map.max_features": "2000", "map.other": "x"})
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
