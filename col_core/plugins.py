"""The plugin manager: discovery by entry point, per-tenant enablement, gated views.

A plugin is a Python package named by an entry point in the ``col.plugins`` group.  The core
``config.include``\\ s it under its own route prefix (``/<name>``) and registers its ``hooks``
module (or the package itself) with pluggy.  Whether a plugin is active is decided per tenant:
its views answer 404 and its hooks are skipped in a tenant that has not enabled it.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType

import pluggy
from pyramid.httpexceptions import HTTPNotFound

from col_core import hookspecs
from col_core.settings import as_list

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "col.plugins"


@functools.cache
def bundled_plugins() -> frozenset[str]:
    """The plugins this distribution ships: on in a city whose StarterKit file lists none.

    A plugin installed from elsewhere is off in every city until the city lists it, so
    installing one changes no city's site by surprise.
    """
    own = importlib.metadata.distribution("cities-of-learning")
    return frozenset(point.name for point in own.entry_points if point.group == ENTRY_POINT_GROUP)


@dataclass(frozen=True)
class Plugin:
    name: str
    package: ModuleType
    hooks: ModuleType
    # The hooks the plugin adds for others to implement (its ``hookspecs`` module), if any.
    hookspecs: ModuleType | None = None

    @property
    def route_prefix(self) -> str:
        return f"/{self.name}"


class PluginRegistry:
    """The installed plugins and the pluggy manager that calls them."""

    def __init__(self, plugins: list[Plugin]):
        self.manager = pluggy.PluginManager("col")
        self.manager.add_hookspecs(hookspecs)
        # A plugin's own hooks (the badges plugin's col_badge_awarded) exist only where it is
        # installed; implementations of them in other plugins are then simply never called.
        for plugin in plugins:
            if plugin.hookspecs is not None:
                self.manager.add_hookspecs(plugin.hookspecs)
        self.plugins = {plugin.name: plugin for plugin in plugins}
        # The core's own features use the same hooks; they are always enabled.
        self.manager.register(importlib.import_module("col_core.hooks"), name="core")
        for plugin in plugins:
            self.manager.register(plugin.hooks, name=plugin.name)

    @classmethod
    def discover(cls, disabled: Sequence[str] = (), extra: Sequence[str] = ()) -> PluginRegistry:
        """Load every ``col.plugins`` entry point (minus ``disabled``) plus dotted ``extra`` names."""
        found: dict[str, str] = {}
        for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            found.setdefault(entry_point.name, entry_point.value)
        for dotted in extra:
            name, _, value = dotted.partition("=")
            found[name.strip()] = (value or name).strip()
        plugins = [
            load_plugin(name, value)
            for name, value in sorted(found.items())
            if name not in disabled
        ]
        return cls(plugins)

    @property
    def hook(self):
        """Every plugin's hooks, regardless of tenant (start-up, CLI, migrations)."""
        return self.manager.hook

    def hooks_for(self, tenant) -> TenantHooks:
        return TenantHooks(self, self.disabled_for(tenant))

    def disabled_for(self, tenant) -> frozenset[str]:
        if tenant is None:
            return frozenset(self.plugins)
        return frozenset(name for name in self.plugins if not tenant.plugin_enabled(name))

    def hooks_listing(self, listed: Sequence[str] | None) -> TenantHooks:
        """The hooks of a city whose ``plugins`` column is ``listed`` (code that reads the
        tenants table itself, as the search index does inside a flush)."""
        enabled = bundled_plugins() if listed is None else listed
        return TenantHooks(self, frozenset(name for name in self.plugins if name not in enabled))

    def owner_of(self, module_name: str) -> str | None:
        """The plugin whose package contains ``module_name``, if any."""
        for name, plugin in self.plugins.items():
            root = plugin.package.__name__
            if module_name == root or module_name.startswith(root + "."):
                return name
        return None


class TenantHooks:
    """``request.hooks``: hook callers that leave out the tenant's disabled plugins."""

    def __init__(self, registry: PluginRegistry, disabled: frozenset[str]):
        self._registry = registry
        self._disabled = [registry.plugins[name].hooks for name in disabled]

    def __getattr__(self, hook_name: str):
        if not self._disabled:
            return getattr(self._registry.manager.hook, hook_name)
        return self._registry.manager.subset_hook_caller(hook_name, remove_plugins=self._disabled)


def load_plugin(name: str, dotted: str) -> Plugin:
    package = importlib.import_module(dotted.split(":")[0])
    hooks = _submodule(package, "hooks") or package
    return Plugin(
        name=name, package=package, hooks=hooks, hookspecs=_submodule(package, "hookspecs")
    )


def _submodule(package: ModuleType, name: str) -> ModuleType | None:
    """``package.name`` if the package has such a module (an error inside it is raised)."""
    try:
        return importlib.import_module(f"{package.__name__}.{name}")
    except ModuleNotFoundError as error:
        if error.name != f"{package.__name__}.{name}":
            raise
        return None


def plugin_gate(view, info):
    """View deriver: a plugin's views answer 404 in tenants that have not enabled the plugin."""
    package = getattr(info.package, "__name__", "") or ""
    plugin = info.registry["col.plugins"].owner_of(package)
    if plugin is None:
        return view

    def gated_view(context, request):
        tenant = getattr(request, "tenant", None)
        if tenant is None or not tenant.plugin_enabled(plugin):
            raise HTTPNotFound()
        return view(context, request)

    return gated_view


def includeme(config):
    """Include every installed plugin under its own route prefix, then let plugins finish."""
    registry: PluginRegistry = config.registry["col.plugins"]
    config.add_view_deriver(plugin_gate)
    config.add_request_method(
        lambda request: registry.hooks_for(getattr(request, "tenant", None)), "hooks", reify=True
    )
    for plugin in registry.plugins.values():
        config.include(plugin.package.__name__, route_prefix=plugin.route_prefix)
    registry.hook.col_configure(config=config)


def configured_registry(settings: dict) -> PluginRegistry:
    return PluginRegistry.discover(
        disabled=as_list(settings.get("col.disabled_plugins")),
        extra=as_list(settings.get("col.plugins")),
    )
