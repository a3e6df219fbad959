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
| input rules (``raise FieldError(...)``)     | ``forms.py`` or ``schemas.py``, or a package of that name |

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
    # The validation idiom itself: ``FieldError`` and the parsers every forms/schemas module uses.
    ("col_core/security/validation.py", "input rule"),
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


def _raise_roles(node: ast.Raise) -> set[str]:
    return {"input rule"} if node.exc is not None and _name(node.exc) == "FieldError" else set()


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
        elif isinstance(node, ast.Raise):
            roles = _raise_roles(node)
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


def _top(path: Path, root: Path, *names: str) -> bool:
    """Whether ``path`` is one of the feature package's own ``names`` (not a subpackage's)."""
    return path.parent == root and path.name in names


# Where each role may be: (module, feature package) -> bool.
PLACES = {
    "route": lambda path, root: _top(path, root, "__init__.py"),
    "view": lambda path, root: _in(path, root, "views"),
    "json view": lambda path, root: _in(path, root, "views") or _top(path, root, "api.py"),
    "api": lambda path, root: _top(path, root, "api.py", "__init__.py"),
    "interface": lambda path, root: path.name == "interfaces.py",
    "implementation": lambda path, root: _in(path, root, "services") or path.name == "resources.py",
    "model": lambda path, root: path.name == "models.py",
    "hook": lambda path, root: path.name == "hooks.py",
    "command": lambda path, root: _in(path, root, "cli"),
    "input rule": lambda path, root: _in(path, root, "forms") or _in(path, root, "schemas"),
}


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
    "input rule": "forms.py or schemas.py (or a package of that name)",
}


def _in_place(role: str, path: Path, root: Path, relative: str) -> bool:
    return (relative, role) in ALLOWED or PLACES[role](path, root)


def _misplaced_in(path: Path, package: Path) -> list[str]:
    root = _feature_root(package, path)
    relative = path.relative_to(package.parents[1]).as_posix()
    problems = []
    for role, line in sorted(roles_in(path).items()):
        if not _in_place(role, path, root, relative):
            where = WHERE[role]
            problems.append(f"{relative}:{line}: {role} belongs in {where}")
    return problems


def misplaced(package: Path) -> list[str]:
    """Each role of the package's modules that is not in its file, as ``file:line: …``."""
    modules = sorted(package.rglob("*.py"))
    skipped = [
        path for path in modules if {"migrations", "tests"} & set(path.relative_to(package).parts)
    ]
    return [
        problem
        for path in modules
        if path not in skipped
        for problem in _misplaced_in(path, package)
    ]


def _api_view_registrations(tree: ast.AST) -> list[ast.Call]:
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    return [call for call in calls if _name(call) == "add_api_view" and call.args]


def _outside_api(view: ast.AST, path: Path) -> str | None:
    """The view's name when it is not an ``api`` module's: a dotted name ``pkg.api.view``, or a
    name of the module that registers it, which must then be ``api.py``."""
    if isinstance(view, ast.Constant):
        dotted = str(view.value)
        return None if dotted.split(".")[-2:-1] == ["api"] else dotted
    if path.name == "api.py":
        return None
    return getattr(view, "id", None)


def api_views_outside_api(package: Path) -> list[str]:
    """The callables that ``add_api_view`` registers are defined in an ``api.py``."""
    problems = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for call in _api_view_registrations(tree):
            outside = _outside_api(call.args[0], path)
            if outside is not None:
                where = path.relative_to(package.parents[1])
                problems.append(f"{where}:{call.lineno}: {outside} not in api.py")
    return problems


@pytest.mark.parametrize("package", PACKAGES, ids=lambda package: package.name)
def test_each_role_is_in_its_file(package):
    assert misplaced(package) == []


@pytest.mark.parametrize("package", PACKAGES, ids=lambda package: package.name)
def test_api_views_are_in_api_modules(package):
    assert api_views_outside_api(package) == []


def _write_guide_plugin(package: Path) -> set[str]:
    """The Python files of docs/plugins.md's worked example, under ``package``."""
    from ..functional.core.test_plugin_guide import guide_files

    modules = {name: code for name, code in guide_files().items() if name.endswith(".py")}
    for name, code in modules.items():
        path = package / name
        if not name.startswith("tests/"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(code)
    return set(modules)


def test_the_guide_s_worked_example_follows_the_layout(tmp_path):
    """docs/plugins.md teaches the layout with its "Opening hours" plugin: it follows it too."""
    package = tmp_path / "plugin" / "col_opening_hours"
    assert "api.py" in _write_guide_plugin(package)
    assert misplaced(package) == api_views_outside_api(package) == []


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
        "def parse_age(value):\n    raise FieldError('Enter a whole number.')\n"
        "def includeme(config):\n    config.add_route('x', '/x')\n"
        "    config.add_api_view(page, '/x')\n"
    )
    assert set(roles_in(module)) == set(WHERE)
