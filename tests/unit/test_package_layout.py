"""Every feature package follows one file layout (docs/plugins.md, "Where things go").

A newcomer finds a role by its file name, in the core's packages and the plugins alike:

| role                                        | file                                    |
| ------------------------------------------- | --------------------------------------- |
| routes (``config.add_route``)               | the package's ``__init__.py`` (includeme) |
| HTML views (``@view_config``, ``add_view``) | ``views.py``, or a ``views/`` package   |
| JSON API views (``add_api_view``)           | ``api.py``                              |
| interfaces (``zope.interface.Interface``)   | ``interfaces.py``                       |
| implementations (``@implementer``)          | ``services.py``, or a ``services/`` package; route contexts in ``resources.py`` |
| SQLAlchemy models (``__tablename__``)       | ``models.py``                           |
| hook implementations (``@hookimpl``)        | ``hooks.py``                            |
| commands (``@click.command``/``group``)     | ``cli.py``, or a ``cli/`` package       |

The test reads each module with ``ast`` (nothing is imported) and names the file and the role
that is in the wrong place.  A subpackage with its own ``includeme`` in ``__init__.py``
(``col_core/activities/search``) is a feature package of its own.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The core's feature packages: those that serve pages or register services.
CORE = [
    "activities",
    "analytics",
    "api",
    "cityadmin",
    "files",
    "i18n",
    "jobs",
    "notifications",
    "operations",
    "organisations",
    "security",
    "web",
    "webhooks",
]
PLUGINS = ["map", "badges", "esco", "playlists"]
PACKAGES = [ROOT / "col_core" / name for name in CORE] + [ROOT / "plugins" / n for n in PLUGINS]

# Documented exceptions, each with its reason: (file relative to the repository, role).
ALLOWED = {
    # The directive ``config.add_api_view`` itself: it declares the route and the view of each
    # JSON endpoint that an ``api.py`` describes.
    ("col_core/api/openapi.py", "route"),
    ("col_core/api/openapi.py", "json view"),
    # The JSON error views of every endpoint, beside ``ApiError``, the error they render.
    ("col_core/api/errors.py", "json view"),
}

ROUTE_CALLS = {"add_route"}
VIEW_CALLS = {"add_view", "add_forbidden_view", "add_notfound_view", "add_exception_view"}
VIEW_DECORATORS = {
    "view_config",
    "view_defaults",
    "forbidden_view_config",
    "notfound_view_config",
    "exception_view_config",
}
CLICK_DECORATORS = {"command", "group"}


def _name(node: ast.AST) -> str:
    """The last name of ``a.b.c`` or ``c``, of a call's function or of a decorator."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _is_click(decorator: ast.AST) -> bool:
    """``@click.command()``, ``@click.group()`` or ``@group.command()`` (not ``@x.group``)."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr in CLICK_DECORATORS


def _class_roles(node: ast.ClassDef) -> set[str]:
    bases = {_name(base) for base in node.bases}
    decorators = {_name(decorator) for decorator in node.decorator_list}
    assigned = {
        target.id
        for statement in node.body
        if isinstance(statement, ast.Assign | ast.AnnAssign)
        for target in (
            statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        )
        if isinstance(target, ast.Name)
    }
    roles = set()
    if "Interface" in bases:
        roles.add("interface")
    if "implementer" in decorators:
        roles.add("implementation")
    if "__tablename__" in assigned:
        roles.add("model")
    if decorators & VIEW_DECORATORS:
        roles.add("view")
    return roles


def _renders_json(call: ast.AST) -> bool:
    keywords = call.keywords if isinstance(call, ast.Call) else []
    return any(
        keyword.arg == "renderer"
        and isinstance(keyword.value, ast.Constant)
        and keyword.value.value == "json"
        for keyword in keywords
    )


def _view_role(registration: ast.AST) -> str:
    """A view that renders JSON may also be an API module's (the OpenAPI document)."""
    return "json view" if _renders_json(registration) else "view"


def _function_roles(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    decorators = {_name(decorator) for decorator in node.decorator_list}
    roles = {
        _view_role(decorator)
        for decorator in node.decorator_list
        if _name(decorator) in VIEW_DECORATORS
    }
    if "hookimpl" in decorators:
        roles.add("hook")
    if any(_is_click(decorator) for decorator in node.decorator_list):
        roles.add("command")
    return roles


def _call_roles(node: ast.Call) -> set[str]:
    called = _name(node)
    if called in ROUTE_CALLS:
        return {"route"}
    if called in VIEW_CALLS:
        return {_view_role(node)}
    if called == "add_api_view":
        return {"api"}
    return set()


def roles_in(path: Path) -> dict[str, int]:
    """Each role the module plays, with the line of its first occurrence."""
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        roles: set[str] = set()
        if isinstance(node, ast.ClassDef):
            roles = _class_roles(node)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            roles = _function_roles(node)
        elif isinstance(node, ast.Call):
            roles = _call_roles(node)
        for role in roles:
            found[role] = min(found.get(role, node.lineno), node.lineno)
    return found


ROLE_PACKAGES = {"views", "services", "cli"}


def _feature_root(package: Path, path: Path) -> Path:
    """The innermost package between ``package`` and ``path`` with its own includeme (a
    ``views/`` or ``services/`` package is a part of its feature, not a feature)."""
    root = package
    for parent in reversed(path.parents):
        inside = parent == package or package in parent.parents
        init = parent / "__init__.py"
        own = inside and parent.name not in ROLE_PACKAGES and init.exists()
        if own and "def includeme" in init.read_text():
            root = parent
    return root


def _in(path: Path, root: Path, name: str) -> bool:
    """Whether ``path`` is ``root/<…>/name.py`` or lies inside a ``name/`` package."""
    relative = path.relative_to(root)
    return path.stem == name or name in relative.parts[:-1]


def _allowed(role: str, path: Path, root: Path) -> bool:
    places = {
        "route": lambda: path == root / "__init__.py",
        "view": lambda: _in(path, root, "views"),
        "json view": lambda: _in(path, root, "views") or path == root / "api.py",
        "api": lambda: path in (root / "api.py", root / "__init__.py"),
        "interface": lambda: path.name == "interfaces.py",
        "implementation": lambda: _in(path, root, "services") or path.name == "resources.py",
        "model": lambda: path.name == "models.py",
        "hook": lambda: path.name == "hooks.py",
        "command": lambda: _in(path, root, "cli"),
    }
    return places[role]()


WHERE = {
    "route": "the package's __init__.py (its includeme)",
    "view": "views.py or a views/ package",
    "json view": "views.py, a views/ package or api.py",
    "api": "the package's api.py (or its includeme)",
    "interface": "interfaces.py",
    "implementation": "services.py, a services/ package, or resources.py for route contexts",
    "model": "models.py",
    "hook": "hooks.py",
    "command": "cli.py or a cli/ package",
}


def misplaced(package: Path) -> list[str]:
    problems = []
    for path in sorted(package.rglob("*.py")):
        if "migrations" in path.parts or "tests" in path.parts:
            continue
        root = _feature_root(package, path)
        relative = path.relative_to(package.parents[1]).as_posix()
        for role, line in sorted(roles_in(path).items()):
            if (relative, role) in ALLOWED or _allowed(role, path, root):
                continue
            problems.append(f"{relative}:{line}: {role} belongs in {WHERE[role]}")
    return problems


def api_views_outside_api(package: Path) -> list[str]:
    """The callables that ``add_api_view`` registers are defined in an ``api.py``."""
    problems = []
    for path in sorted(package.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (isinstance(node, ast.Call) and _name(node) == "add_api_view" and node.args):
                continue
            view = node.args[0]
            dotted = view.value if isinstance(view, ast.Constant) else None
            if isinstance(dotted, str) and dotted.rsplit(".", 1)[0].rsplit(".", 1)[-1] != "api":
                problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: {dotted} not in api.py")
            if isinstance(view, ast.Name) and path.name != "api.py":
                problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: {view.id} not in api.py")
    return problems


@pytest.mark.parametrize("package", PACKAGES, ids=lambda package: package.name)
def test_each_role_is_in_its_file(package):
    assert misplaced(package) == []


@pytest.mark.parametrize("package", PACKAGES, ids=lambda package: package.name)
def test_api_views_are_in_api_modules(package):
    assert api_views_outside_api(package) == []


def test_the_guide_s_worked_example_follows_the_layout(tmp_path):
    """docs/plugins.md teaches the layout with its "Opening hours" plugin: it follows it too."""
    from ..functional.core.test_plugin_guide import guide_files

    package = tmp_path / "plugin" / "col_opening_hours"
    for name, code in guide_files().items():
        if name.endswith(".py") and not name.startswith("tests/"):
            (package / name).parent.mkdir(parents=True, exist_ok=True)
            (package / name).write_text(code)
    assert (package / "api.py").exists()
    assert misplaced(package) == []
    assert api_views_outside_api(package) == []


def test_the_test_sees_each_role(tmp_path):
    """The scanner recognises every role it checks (a guard against a test that finds nothing)."""
    module = tmp_path / "misplaced.py"
    module.write_text(
        "import click\n"
        "from zope.interface import Interface, implementer\n"
        "class IThing(Interface): pass\n"
        "@implementer(IThing)\nclass Thing: pass\n"
        "class Row(Base):\n    __tablename__ = 'rows'\n"
        "@hookimpl\ndef col_navigation(request): pass\n"
        "@view_config(route_name='x')\ndef page(request): pass\n"
        "@view_config(route_name='y', renderer='json')\ndef data(request): pass\n"
        "@click.command()\ndef cmd(): pass\n"
        "def includeme(config):\n    config.add_route('x', '/x')\n"
        "    config.add_api_view(page, '/x')\n"
    )
    assert set(roles_in(module)) == set(WHERE)
