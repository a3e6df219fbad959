"""Every registered service provides the interface it is registered for: each one is looked up
as a view would (``request.find_service``) in a city's request and checked with zope.interface's
``verifyObject`` (the methods and attributes the interface names, with compatible signatures).
Every class of the core and the plugins that declares an interface of theirs is checked with
``verifyClass`` too, registered or not."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from zope.interface import implementedBy
from zope.interface.verify import verifyClass, verifyObject

import col_core
import col_core.cli  # before the packages' own command modules, which it imports
import plugins
from col_core.scripting import scripted_request


def registered_services(registry) -> list:
    return [
        (intr["type"], intr["context"], intr["name"])
        for intr in registry.introspector.get_category("pyramid_services")
        for intr in [intr["introspectable"]]
    ]


def test_every_registered_service_provides_its_interface(registry, factories):
    city = factories.tenant("vilnius")
    services = registered_services(registry)
    assert len(services) > 15
    checked = []
    with scripted_request(registry, city) as request:
        for iface, context, name in services:
            found = request.find_service(iface, context=context, name=name)
            assert verifyObject(iface, found), iface
            checked.append(iface.__identifier__)
    assert len(set(checked)) == len(services), checked


def declared_implementations() -> list:
    """``(class, interface)`` for every class of col_core and plugins that declares (with
    ``@implementer``) an interface defined in them."""
    found = []
    for package in (col_core, plugins):
        for module_info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".migrations" in module_info.name:
                continue
            module = importlib.import_module(module_info.name)
            for _name, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ != module.__name__:
                    continue
                found += [
                    (cls, iface)
                    for iface in implementedBy(cls)
                    if iface.__module__.startswith(("col_core.", "plugins."))
                ]
    return found


def test_every_declared_implementation_provides_its_interface():
    implementations = declared_implementations()
    assert len(implementations) > 20
    for cls, iface in implementations:
        assert verifyClass(iface, cls), (cls, iface)
