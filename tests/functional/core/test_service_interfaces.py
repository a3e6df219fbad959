"""Every registered service provides the interface it is registered for: each one is looked up
as a view would (``request.find_service``) in a city's request and checked with zope.interface's
``verifyObject`` (the methods and attributes the interface names, with compatible signatures)."""

from __future__ import annotations

from zope.interface.verify import verifyObject

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
