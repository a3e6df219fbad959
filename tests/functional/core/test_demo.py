"""`col demo` prepares every example city with every plugin's demo data, on a fresh database."""

import tomllib
from pathlib import Path

import pytest
import webtest
from click.testing import CliRunner

from col_core.app import make_config
from col_core.cli import cli, with_plugin_commands
from col_core.cli.demo import REPOSITORY_TENANTS

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("demo")
    environment = {
        "COL_DATA_DIR": str(data_dir),
        "COL_TENANTS_DIR": str(REPOSITORY_TENANTS),
        "COL_DATABASE_URL": "",
        "COL_DB_ROLE": "",
    }
    result = CliRunner(env=environment).invoke(
        with_plugin_commands(cli), ["demo", "--no-serve"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return data_dir, result.output


@pytest.fixture(scope="module")
def demo_app(demo_dir):
    data_dir, _ = demo_dir
    config = make_config(None, **{"col.data_dir": str(data_dir), "col.secret": "demo-test"})
    yield webtest.TestApp(config.make_wsgi_app())
    config.registry["col.engine"].dispose()


def example_slugs():
    return sorted(p.name for p in REPOSITORY_TENANTS.iterdir() if (p / "tenant.toml").is_file())


def test_demo_prints_accounts(demo_dir):
    _, output = demo_dir
    assert "Demo data is ready" in output


@pytest.mark.parametrize("slug", example_slugs())
def test_every_example_city_home_page_answers(demo_app, slug):
    host = "localhost" if slug == "global" else f"{slug}.localhost"
    page = demo_app.get("/", extra_environ={"HTTP_HOST": f"{host}:6543"})
    assert page.status_int == 200


def test_global_site_lists_every_city(demo_app):
    page = demo_app.get("/", extra_environ={"HTTP_HOST": "localhost:6543"})
    for slug in example_slugs():
        if slug != "global":
            assert f"http://{slug}.localhost:6543/" in page.text


def demo_titles(language: str) -> set[str]:
    texts = tomllib.loads((ROOT / "col_core/activities/demo_texts.toml").read_text("utf-8"))
    return {title for title, _description in texts[language]["ideas"].values()}


@pytest.mark.parametrize("slug", [s for s in example_slugs() if s != "global"])
def test_every_example_city_shows_its_demo_in_its_language(demo_app, slug):
    config = tomllib.loads((REPOSITORY_TENANTS / slug / "tenant.toml").read_text("utf-8"))
    environ = {"HTTP_HOST": f"{slug}.localhost:6543"}
    pages = "".join(demo_app.get(path, extra_environ=environ).text for path in ("/", "/map/"))
    assert any(title in pages for title in demo_titles(config["default_locale"]))
    if config["default_locale"] != "en":
        assert not any(title in pages for title in demo_titles("en"))
