"""Plugins reach the core only through its public modules (docs/plugins.md, "Boundaries").

A plugin that imports anything else of the core (a view module, a template helper, a service's
internals) breaks when the core moves it.  What plugins need from the core's views is re-exported
by ``col_core.web.public``; the rest are modules of models, interfaces, schemas and helpers
that the core keeps stable.  Add to this list only with a reason, never a view module.
"""

import ast
import importlib.util
from pathlib import Path

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"

PUBLIC = frozenset(
    {
        "col_core",
        "col_core.hookspecs",
        "col_core.web.public",
        "col_core.demo_texts",  # the demo's texts in each city's language
        # models and the rows' mixins
        "col_core.db.meta",
        "col_core.db.migrate_files",
        "col_core.db.city_keys",  # the cities' keys (tenant_id, id): their migrations
        "col_core.tenancy",
        "col_core.tenancy.models",
        "col_core.tenancy.scoping",
        "col_core.tenancy.hosts",
        "col_core.security.models",
        "col_core.organisations.models",
        "col_core.activities.models",
        # interfaces of services, and the values they take and give
        "col_core.activities.interfaces",
        "col_core.activities.services",
        "col_core.activities.schemas.fields",
        "col_core.activities.labels",
        "col_core.activities.schedule",
        "col_core.activities.content",
        "col_core.activities.ical",
        "col_core.activities.schemas",
        "col_core.activities.search",
        "col_core.activities.search.query",
        "col_core.activities.search.store",  # the index's version: the map feeds' ETags
        "col_core.analytics.interfaces",
        "col_core.analytics.services",
        "col_core.analytics.period",
        "col_core.analytics.tables",
        "col_core.files.interfaces",
        "col_core.pictures.forms",  # the cover fields of an edit form, PictureRejected
        "col_core.pictures.interfaces",  # IPictures: covers in several widths
        "col_core.activities.icons",  # category icons (generated badge art)
        "col_core.organisations.resources",
        "col_core.webhooks",
        "col_core.skills",  # ISkillVocabulary and the forms' skill picker
        "col_core.notifications",  # INotifications: tell a person in the site and by e-mail
        "col_core.i18n.formatting",  # dates and times as the city's pages write them
        # helpers
        "col_core.api",
        "col_core.cli.context",
        "col_core.mail",
        "col_core.outbound",
        "col_core.scripting",  # a request of a city outside HTTP (commands, jobs, tests)
        "col_core.settings",
        "col_core.storage",
        "col_core.db.locks",  # serialise(): a rule that counts, then writes, under concurrency
        "col_core.security.passwords",
        "col_core.security.tokens",
        "col_core.security.throttle",  # attempt limits every worker shares (registration)  # new secrets and their digests (OAuth clients and tokens)
        "col_core.security.validation",
        "col_core.testing.live",
        "col_core.testing.people",
    }
)


def core_imports(path: Path):
    """``(line, module)`` for every core module the file imports, at the top or in a function."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("col_core"):
            # ``from col_core.activities import search`` imports the module ``...search``.
            submodules = [f"{node.module}.{alias.name}" for alias in node.names]
            modules = [name for name in submodules if _is_module(name)] or [str(node.module)]
        else:
            continue
        for module in modules:
            if module == "col_core" or module.startswith("col_core."):
                yield node.lineno, module


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def test_plugins_import_only_public_core_modules():
    private = [
        f"{path.relative_to(PLUGINS.parent)}:{line} {module}"
        for path in sorted(PLUGINS.rglob("*.py"))
        for line, module in core_imports(path)
        if module not in PUBLIC
    ]
    assert private == [], "not public (use col_core.web.public or add a reason): " + repr(private)


def test_no_view_module_is_public():
    # ``col_core.api`` is the JSON helpers (ApiError); ``col_core.<feature>.api`` are views.
    views = [
        name
        for name in PUBLIC
        if name.endswith(".views")
        or (name.count(".") > 1 and name.endswith(".api"))
        or ".web." in name
    ]
    assert views == ["col_core.web.public"]


def test_a_private_import_is_found(tmp_path):
    plugin = tmp_path / "hooks.py"
    plugin.write_text("def f():\n    from col_core.activities.search.api import hit_json\n")
    assert list(core_imports(plugin)) == [(2, "col_core.activities.search.api")]
