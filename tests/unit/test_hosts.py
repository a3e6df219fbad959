"""Host names and addresses: the allow-list's parsing (Django's rules) and each tenant's origin."""

from types import SimpleNamespace

import pytest

from col_core.tenancy.hosts import Addresses, split_host


@pytest.mark.parametrize(
    "header, expected",
    [
        ("vilnius.example.test", ("vilnius.example.test", "")),
        ("Vilnius.Example.Test:8080", ("vilnius.example.test", "8080")),
        ("vilnius.example.test.", ("vilnius.example.test", "")),  # the root's trailing dot
        ("[::1]:6543", ("[::1]", "6543")),
        ("[2001:db8::1]", ("[2001:db8::1]", "")),
        # Malformed: userinfo, two ports, spaces, paths, bad IPv6 literals, nothing at all.
        ("vilnius.localhost:6603@evil.example", ("", "")),
        ("vilnius.example.test@evil.example", ("", "")),
        ("vilnius.example.test:80:80", ("", "")),
        ("vilnius.example.test evil.example", ("", "")),
        ("vilnius.example.test/evil", ("", "")),
        ("vilnius.example.test\\evil", ("", "")),
        ("[zz::1]", ("", "")),
        ("[1:2:3]", ("", "")),
        ("::1", ("", "")),
        ("", ("", "")),
    ],
)
def test_split_host_follows_djangos_rules(header, expected):
    assert split_host(header) == expected


def _tenant(slug="vilnius", hostnames=(), kind="city"):
    return SimpleNamespace(slug=slug, hostnames=list(hostnames), is_global=kind == "global")


def _addresses(public_url, base_domain="example.test", global_hosts="localhost 127.0.0.1"):
    return Addresses(
        {
            "col.public_url": public_url,
            "col.base_domain": base_domain,
            "col.global_hosts": global_hosts,
        }
    )


def test_on_the_base_domain_a_city_is_its_subdomain_with_the_public_port():
    addresses = _addresses("https://example.test:8443")
    assert addresses.url(_tenant()) == "https://vilnius.example.test:8443/"
    assert addresses.url(_tenant("global", kind="global")) == "https://example.test:8443/"
    assert addresses.url(None) == "https://example.test:8443/"


def test_a_city_with_its_own_domain_uses_it_on_the_public_scheme_and_port():
    addresses = _addresses("https://cities.eu", base_domain="cities.eu")
    assert addresses.url(_tenant(hostnames=["learn.vilnius.lt"])) == "https://learn.vilnius.lt/"
    assert (
        _addresses("http://localhost:6543", "localhost").url(_tenant(hostnames=["learn.test"]))
        == "http://learn.test:6543/"
    )


def test_elsewhere_cities_use_the_path_form_under_the_mount_path():
    addresses = _addresses("http://127.0.0.1:6543/")
    assert addresses.url(_tenant()) == "http://127.0.0.1:6543/t/vilnius/"
    mounted = _addresses("https://www.example.org/learning/", base_domain="example.org")
    origin = mounted.origin(_tenant())
    assert origin.url == "https://www.example.org/learning/t/vilnius"
    assert origin.environ() == {
        "wsgi.url_scheme": "https",
        "HTTP_HOST": "www.example.org",
        "SERVER_NAME": "www.example.org",
        "SERVER_PORT": "443",
        "SCRIPT_NAME": "/learning/t/vilnius",
    }


def test_an_ipv6_public_url_keeps_its_brackets():
    addresses = _addresses("http://[::1]:6543", global_hosts="")
    assert addresses.url(None) == "http://[::1]:6543/"
    assert addresses.url(_tenant()) == "http://[::1]:6543/t/vilnius/"
    assert addresses.allowed("[::1]", frozenset(), frozenset())


def test_the_allow_list():
    addresses = _addresses("http://example.test", global_hosts="LOCALHOST 127.0.0.1")
    hosts, slugs = frozenset({"leren.gent.be"}), frozenset({"vilnius", "gent"})

    def allowed(domain):
        return addresses.allowed(domain, hosts, slugs)

    assert all(
        map(
            allowed,
            [
                "example.test",
                "localhost",
                "127.0.0.1",
                "vilnius.example.test",
                "gent.example.test",
                "leren.gent.be",
            ],
        )
    )
    assert not any(
        map(
            allowed,
            [
                "",
                "evil.example",
                "nowhere.example.test",
                "evilexample.test",
                "vilnius.example.test.evil.example",
                "a.vilnius.example.test",
                "[::1]",
                "gent.be",
            ],
        )
    )
