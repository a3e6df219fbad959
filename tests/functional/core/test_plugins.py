"""Plugins: found by entry point, included under their prefix, switched per tenant."""

import importlib
import inspect
import re
import sys
import textwrap
from pathlib import Path

import pytest
import webtest

from col_core import hookspecs
from col_core.app import make_config

DOCS = Path(__file__).resolve().parents[3] / "docs" / "plugins.md"

OUTSIDE_PLUGIN = {
    "col_hello/__init__.py": '''
        """An outside plugin, as a developer would write it (see docs/plugins.md)."""
        from pyramid.view import view_config


        def includeme(config):
            config.add_route("hello.index", "/")
            config.scan(".")


        @view_config(route_name="hello.index", renderer="json")
        def index(request):
            return {"hello": request.tenant.slug}
    ''',
    "col_hello/hooks.py": """
        from markupsafe import Markup

        from col_core import hookimpl
        from col_core.hookspecs import NavItem, Section

        CALLS = []


        @hookimpl
        def col_navigation(request):
            CALLS.append(request.tenant.slug)
            return [NavItem(title="Hello", url=request.route_url("hello.index"))]


        @hookimpl
        def col_home_sections(request):
            return [Section(title="Hello section", html=Markup("<p>Hi from hello</p>"))]
    """,
    "col_hello-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: col-hello\nVersion: 1.0\n",
    "col_hello-1.0.dist-info/entry_points.txt": "[col.plugins]\nhello = col_hello\n",
}


@pytest.fixture
def outside_plugin(tmp_path):
    """Install a small outside distribution (its own dist-info and entry point) on sys.path."""
    for name, text in OUTSIDE_PLUGIN.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    sys.path.insert(0, str(tmp_path))
    importlib.invalidate_caches()
    yield importlib.import_module("col_hello.hooks")
    sys.path.remove(str(tmp_path))
    for module in [m for m in sys.modules if m.startswith("col_hello")]:
        del sys.modules[module]


@pytest.fixture
def app_with_outside_plugin(outside_plugin, app_settings, registry):
    config = make_config(None, **app_settings)
    assert "hello" in config.registry["col.plugins"].plugins
    yield webtest.TestApp(config.make_wsgi_app())
    config.registry["col.engine"].dispose()


def browse(app, tenant):
    return {"HTTP_HOST": f"{tenant.slug}.example.test"}


def test_outside_plugin_routes_work_under_its_prefix(app_with_outside_plugin, factories):
    city = factories.tenant("vilnius", plugins=["map", "hello"])
    response = app_with_outside_plugin.get("/hello/", extra_environ=browse(None, city))
    assert response.json == {"hello": "vilnius"}


def test_outside_plugin_adds_navigation_and_home_section(app_with_outside_plugin, factories):
    city = factories.tenant("vilnius", plugins=["hello"])
    page = app_with_outside_plugin.get("/", extra_environ=browse(None, city))
    assert 'href="http://vilnius.example.test/hello/"' in page.text
    assert "Hi from hello" in page.text


def test_disabled_plugin_routes_answer_404(app_with_outside_plugin, factories):
    city = factories.tenant("kaunas", plugins=["map"])
    app_with_outside_plugin.get("/hello/", extra_environ=browse(None, city), status=404)


def test_an_installed_plugin_is_off_in_a_city_that_lists_no_plugins(
    app_with_outside_plugin, outside_plugin, factories
):
    city = factories.tenant("vilnius")  # no list: the platform's own plugins only
    outside_plugin.CALLS.clear()
    page = app_with_outside_plugin.get("/", extra_environ=browse(None, city))
    assert outside_plugin.CALLS == [] and "Hi from hello" not in page.text
    app_with_outside_plugin.get("/hello/", extra_environ=browse(None, city), status=404)
    assert "Activities" in app_with_outside_plugin.get("/map/", extra_environ=browse(None, city))


def test_disabled_plugin_hooks_are_not_called(app_with_outside_plugin, outside_plugin, factories):
    city = factories.tenant("kaunas", plugins=[])
    outside_plugin.CALLS.clear()
    page = app_with_outside_plugin.get("/", extra_environ=browse(None, city))
    assert outside_plugin.CALLS == []
    assert "Hi from hello" not in page.text and ">Hello<" not in page.text


def test_first_party_plugins_use_the_entry_point_group(registry):
    plugins = registry["col.plugins"].plugins
    assert {"map", "badges", "esco", "playlists"} <= set(plugins)
    assert plugins["map"].package.__name__ == "plugins.map"


def test_disabled_plugins_setting_removes_a_plugin(app_settings, registry):
    config = make_config(None, **{**app_settings, "col.disabled_plugins": "playlists"})
    assert "playlists" not in config.registry["col.plugins"].plugins
    config.registry["col.engine"].dispose()


def _hookspec_names():
    return sorted(
        name
        for name, value in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("col_")
    )


def test_every_hookspec_has_a_contract_docstring():
    undocumented = [
        name
        for name in _hookspec_names()
        if len((getattr(hookspecs, name).__doc__ or "").strip()) < 20
    ]
    assert undocumented == []


def test_every_hookspec_is_documented_in_the_plugin_guide():
    documented = set(re.findall(r"^### `(col_\w+)", DOCS.read_text(), flags=re.MULTILINE))
    assert [name for name in _hookspec_names() if name not in documented] == []
    assert sorted(documented - set(_hookspec_names())) == [], "docs name hooks that do not exist"


def test_every_documented_hook_has_the_signature_of_its_hookspec():
    documented = dict(
        re.findall(r"^### `(col_\w+)\(([^)]*)\)`", DOCS.read_text(), flags=re.MULTILINE)
    )
    wrong = {}
    for name in _hookspec_names():
        arguments = ", ".join(inspect.signature(getattr(hookspecs, name)).parameters)
        if documented.get(name) != arguments:
            wrong[name] = (documented.get(name), arguments)
    assert wrong == {}, "docs/plugins.md (documented, actual): " + repr(wrong)
