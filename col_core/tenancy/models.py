"""The Tenant: a city, a region, or the global site."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from col_core.db.meta import Base, Timestamped
from col_core.plugins import bundled_plugins

KINDS = ("city", "region", "global")


class Tenant(Timestamped, Base):
    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="city")
    # The name in the default locale; ``names`` holds the translations ({"lt": "Vilnius"}).
    name: Mapped[str] = mapped_column(String(200))
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    country: Mapped[str] = mapped_column(String(2), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    default_locale: Mapped[str] = mapped_column(String(16), default="en")
    locales: Mapped[list[str]] = mapped_column(JSON, default=list)
    branding: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    map: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # None means "every installed plugin"; a list enables exactly those.
    plugins: Mapped[list[str] | None] = mapped_column(JSON, nullable=True, default=None)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(default=True)

    hosts: Mapped[list[TenantHost]] = relationship(
        back_populates="tenant", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_global(self) -> bool:
        return self.kind == "global"

    @property
    def hostnames(self) -> list[str]:
        return sorted(host.hostname for host in self.hosts)

    def display_name(self, locale: str | None = None) -> str:
        if locale:
            return self.names.get(locale) or self.names.get(locale.split("_")[0]) or self.name
        return self.name

    def setting(self, name: str, default=None):
        return (self.settings or {}).get(name, default)

    def plugin_enabled(self, plugin: str) -> bool:
        """Listed in the city's StarterKit file; with no list, only the platform's own."""
        return plugin in (bundled_plugins() if self.plugins is None else self.plugins)

    def __repr__(self) -> str:
        return f"<Tenant {self.slug}>"


class TenantHost(Base):
    """An exact hostname (custom domain) that serves one tenant."""

    __tablename__ = "tenant_hosts"

    hostname: Mapped[str] = mapped_column(String(253), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    tenant: Mapped[Tenant] = relationship(back_populates="hosts")
