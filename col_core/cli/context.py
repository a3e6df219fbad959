"""What a command needs: settings, the app's registry, and a request with a transaction."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import click
from pyramid.paster import get_appsettings, setup_logging

from col_core import settings as col_settings
from col_core.app import make_config
from col_core.cli import address
from col_core.db import make_engine
from col_core.scripting import scripted_request
from col_core.settings import SettingsError


class AppContext:
    def __init__(self, config_path: str | None):
        self.config_path = config_path
        self._config = None
        self.overrides: dict[str, str] = {}
        # The address of `col demo`/`col serve` when it comes from their --port, else "".
        self.serving_url = ""

    def serve_on(self, port: int) -> None:
        """Without a configured ``col.public_url``, links point at the local server on ``port``
        (the demo's cities at ``http://<slug>.<base domain>:<port>/``)."""
        merged = col_settings.merge(self.ini_settings())
        if not merged["col.public_url"]:
            self.serving_url = f"http://{merged['col.base_domain'] or 'localhost'}:{port}"
            self.overrides["col.public_url"] = self.serving_url

    def served(self):
        """``with app.served():`` other commands on this configuration use the server's
        address while the block runs (:mod:`col_core.cli.address`); nothing when the address
        is configured."""
        if not self.serving_url:
            return contextlib.nullcontext()
        return address.recorded(
            self.data_dir(), self.serving_url, self.settings["col.database_url"]
        )

    def _beside_a_server(self, ini: dict) -> dict[str, str]:
        """The public URL of a server running on this configuration, when none is configured."""
        merged = col_settings.merge(ini)
        if self.overrides.get("col.public_url") or merged["col.public_url"]:
            return {}
        url = address.serving_url(merged["col.data_dir"], merged["col.database_url"])
        return {"col.public_url": url} if url else {}

    def ini_settings(self) -> dict:
        if not self.config_path:
            return {}
        if not os.path.exists(self.config_path):
            raise click.UsageError(f"Configuration file {self.config_path} does not exist.")
        setup_logging(self.config_path)
        return dict(get_appsettings(self.config_path))

    @property
    def config(self):
        if self._config is None:
            try:
                ini = self.ini_settings()
                found = self._beside_a_server(ini)
                self._config = make_config(None, **{**ini, **found, **self.overrides})
            except SettingsError as error:
                raise click.ClickException(str(error)) from error
            self._config.commit()
        return self._config

    def close(self) -> None:
        """Close the database connections the command opened (none if it built no app)."""
        if self._config is not None:
            self._config.registry["col.engine"].dispose()

    @property
    def registry(self):
        return self.config.registry

    @property
    def settings(self) -> dict:
        return self.registry.settings

    @property
    def engine(self):
        return self.registry["col.engine"]

    def owner_engine(self):
        """An engine that works as the database owner (``col.database_owner_url``), not as the
        application's role: migrations create and alter tables and their row-level security
        policies, which only the owner may."""
        return make_engine(
            self.settings["col.database_owner_url"] or self.settings["col.database_url"]
        )

    @property
    def plugins(self):
        return self.registry["col.plugins"]

    def wsgi_app(self):
        return self.config.make_wsgi_app()

    def request(self, tenant=None):
        """A request whose transaction commits at the end of the block (rolls back on error).

        Its URLs are those a web request of ``tenant`` gets: the tenant's configured origin
        (the public URL's when ``tenant`` is None).
        """
        return scripted_request(self.registry, tenant)

    def tenant(self, slug: str):
        """The city with ``slug``, usable after the block (``app.request(city)``), or a
        ClickException that says where to find the slugs."""
        from sqlalchemy import select

        from col_core.tenancy.models import Tenant

        with self.request() as request:
            city = request.dbsession.scalar(select(Tenant).where(Tenant.slug == slug))
            if city is None:
                raise click.ClickException(
                    f"no city with the slug {slug!r} (see `col tenant list`)."
                )
            city.hostnames  # noqa: B018 - loaded now: its URLs need them after the session
            request.dbsession.expunge(city)
        return city

    def data_dir(self) -> Path:
        return Path(self.settings["col.data_dir"])


pass_app = click.make_pass_decorator(AppContext)
