"""The host names this deployment answers to, and the one configured address of every tenant.

Every absolute URL the platform makes (pages, mail, badges, feeds, redirects, API links) starts
with a tenant's :class:`Origin`, computed from configuration alone: ``col.public_url`` (scheme,
port and mount path), ``col.base_domain`` and the tenant's hostnames.  The request's ``Host``
header only chooses the tenant, and only after it passed the allow-list below, which follows
Django's ``ALLOWED_HOSTS`` rules (``django.http.request.split_domain_port``/``validate_host``).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from col_core.settings import as_list

# Django's host_validation_re: a DNS name or a bracketed IPv6 literal and an optional port,
# nothing else: no userinfo ("a@b"), no path, no spaces, no second port.
_HOST = re.compile(r"([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(:[0-9]+)?")


def split_host(host: str) -> tuple[str, str]:
    """``(domain, port)`` of a Host header, lower case and without a trailing dot; the domain is
    empty when the header is malformed."""
    match = _HOST.fullmatch((host or "").lower())
    if not match:
        return "", ""
    domain, port = match.groups(default="")
    if domain.startswith("["):
        try:
            ipaddress.IPv6Address(domain[1:-1])
        except ValueError:
            return "", ""
    return domain.removesuffix("."), port.removeprefix(":")


@dataclass(frozen=True)
class Origin:
    """Where one tenant lives: ``scheme://hostname[:port]`` and the path its pages start with."""

    scheme: str
    hostname: str
    port: int | None
    root: str = ""  # the path col.public_url mounts the platform on ("" at the root)
    prefix: str = ""  # "/t/<slug>" for a city in the path form, else ""

    @property
    def path(self) -> str:
        return self.root + self.prefix

    @property
    def netloc(self) -> str:
        default = {"http": 80, "https": 443}[self.scheme]
        return self.hostname if self.port in (None, default) else f"{self.hostname}:{self.port}"

    @property
    def url(self) -> str:
        """The origin and path, without a trailing slash: ``https://vilnius.example.org``."""
        return f"{self.scheme}://{self.netloc}{self.path}"

    def environ(self) -> dict[str, str]:
        """The WSGI variables that make WebOb and Pyramid build every URL on this origin."""
        port = self.port or {"http": 80, "https": 443}[self.scheme]
        return {
            "wsgi.url_scheme": self.scheme,
            "HTTP_HOST": self.netloc,
            "SERVER_NAME": self.hostname,
            "SERVER_PORT": str(port),
            "SCRIPT_NAME": self.path,
        }


class Addresses:
    """The configured addresses of the platform: each tenant's origin and the allowed hosts."""

    def __init__(self, settings: dict):
        public = urlsplit(settings["col.public_url"])
        hostname = public.hostname or ""
        if ":" in hostname:  # an IPv6 literal: bracketed, as in Host headers
            hostname = f"[{hostname}]"
        path = public.path.rstrip("/")
        self.public = Origin(public.scheme, hostname, public.port, path)
        base_domain = settings.get("col.base_domain") or ""
        self.base_domain = base_domain.lower()
        listed = as_list(settings.get("col.global_hosts", ""))
        global_hosts = [name.lower() for name in listed]
        # The public URL's host always shows the global site, even when not listed.
        global_hosts.append(hostname)
        self.global_hosts = frozenset(global_hosts)

    @property
    def subdomains(self) -> bool:
        """Cities live at ``<slug>.<base domain>`` when the public URL is on the base domain,
        otherwise under ``<public URL>/t/<slug>``."""
        return self.public.hostname == self.base_domain

    def origin(self, tenant) -> Origin:
        public = self.public
        if tenant is None or (tenant.is_global and not tenant.hostnames):
            return public
        if tenant.hostnames:  # a city's own domain, on the public URL's scheme and port
            return Origin(public.scheme, tenant.hostnames[0], public.port, public.root)
        if self.subdomains:
            return Origin(
                public.scheme, f"{tenant.slug}.{self.base_domain}", public.port, public.root
            )
        return Origin(public.scheme, public.hostname, public.port, public.root, f"/t/{tenant.slug}")

    def url(self, tenant) -> str:
        """The home page of ``tenant``, with its trailing slash."""
        return self.origin(tenant).url + "/"

    def allowed(self, domain: str, tenant_hosts, slugs) -> bool:
        """Whether ``domain`` (from :func:`split_host`) names the platform: a global host, the
        base domain, a city's own hostname or ``<slug>.<base domain>`` of an existing tenant."""
        if not domain:
            return False
        if domain in self.global_hosts or domain == self.base_domain or domain in tenant_hosts:
            return True
        suffix = "." + self.base_domain
        return (
            bool(self.base_domain) and domain.endswith(suffix) and domain[: -len(suffix)] in slugs
        )


def addresses(registry) -> Addresses:
    """The registry's :class:`Addresses` (built once, from the settings)."""
    found = registry.get("col.addresses")
    if found is None:
        found = registry["col.addresses"] = Addresses(registry.settings)
    return found


def point_at(request, tenant) -> None:
    """Make every URL built from ``request`` (``route_url``, ``application_url``, redirects)
    start with ``tenant``'s configured origin, the public URL's for None: web requests, commands
    and jobs alike."""
    request.environ.update(addresses(request.registry).origin(tenant).environ())


def tenant_url(request, tenant) -> str:
    """The home URL of ``tenant`` (custom domain, subdomain or /t/<slug>), from configuration:
    the same whichever host the request came through, in a view, a command or a job."""
    return addresses(request.registry).url(tenant)
