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
from col_core.plugins import PluginRegistry

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


DOCS_DIR = DOCS.parent


def _hookspecs():
    """Every hookspec with the page that documents it: the core's in docs/plugins.md, a
    plugin's own (its ``hookspecs`` module) in docs/<plugin>.md."""
    modules = [(hookspecs, DOCS)] + [
        (plugin.hookspecs, DOCS_DIR / f"{name}.md")
        for name, plugin in sorted(PluginRegistry.discover().plugins.items())
        if plugin.hookspecs is not None
    ]
    return sorted(
        (name, value, page)
        for module, page in modules
        for name, value in inspect.getmembers(module, inspect.isfunction)
        if name.startswith("col_") and value.__module__ == module.__name__
    )


def _documented(page, pattern=r"^### `(col_\w+)\(([^)]*)\)`"):
    return dict(re.findall(pattern, page.read_text(), flags=re.MULTILINE))


def test_every_hookspec_has_a_contract_docstring():
    undocumented = [
        name for name, value, _page in _hookspecs() if len((value.__doc__ or "").strip()) < 20
    ]
    assert undocumented == []


def test_plugins_add_their_own_hookspecs():
    owners = {name: page.stem for name, _value, page in _hookspecs()}
    assert owners["col_badge_awarded"] == owners["col_badge_revoked"] == "badges"
    assert owners["col_map_group"] == "map"
    assert owners["col_navigation"] == "plugins"


def test_every_hookspec_is_documented_in_the_plugin_guide():
    specs = _hookspecs()
    missing = [(name, page.name) for name, _value, page in specs if name not in _documented(page)]
    assert missing == []
    documented = set(re.findall(r"^### `(col_\w+)", DOCS.read_text(), flags=re.MULTILINE))
    core = {name for name, _value, page in specs if page == DOCS}
    assert sorted(documented - core) == [], "docs/plugins.md names hooks that are not the core's"


def test_every_documented_hook_has_the_signature_of_its_hookspec():
    wrong = {}
    for name, value, page in _hookspecs():
        arguments = ", ".join(inspect.signature(value).parameters)
        if _documented(page).get(name) != arguments:
            wrong[name] = (page.name, _documented(page).get(name), arguments)
    assert wrong == {}, "(page, documented, actual): " + repr(wrong)


@pytest.mark.parametrize("owner", ["badges", "map"])
def test_a_plugin_hook_without_its_owner_is_never_called(app_settings, registry, owner):
    """Without the owning plugin its hooks are not declared: the others' implementations wait
    unverified and uncalled, and the app starts."""
    config = make_config(None, **{**app_settings, "col.disabled_plugins": owner})
    manager = config.registry["col.plugins"].manager
    hook = {"badges": "col_badge_awarded", "map": "col_map_group"}[owner]
    assert not getattr(manager.hook, hook).has_spec()
    assert getattr(manager.hook, hook).get_hookimpls(), "another plugin implements it"
    config.registry["col.engine"].dispose()
