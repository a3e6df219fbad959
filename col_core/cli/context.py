"""What a command needs: settings, the app's registry, and a request with a transaction."""

from __future__ import annotations

import os
from pathlib import Path

import click
from pyramid.paster import get_appsettings, setup_logging

from col_core.app import make_config
from col_core.db import make_engine
from col_core.scripting import scripted_request


class AppContext:
    def __init__(self, config_path: str | None):
        self.config_path = config_path
        self._config = None

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
            self._config = make_config(None, **self.ini_settings())
            self._config.commit()
        return self._config

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
        """An engine that works as the database owner, not as ``col.db_role``: migrations
        create and alter tables and their row-level security policies, which only the owner may."""
        return make_engine(self.settings["col.database_url"])

    @property
    def plugins(self):
        return self.registry["col.plugins"]

    def wsgi_app(self):
        return self.config.make_wsgi_app()

    def request(self, tenant=None, base_url: str | None = None):
        """A request whose transaction commits at the end of the block (rolls back on error).

        ``base_url`` (e.g. ``http://vilnius.localhost:6543``) is where generated URLs point.
        """
        return scripted_request(self.registry, tenant, base_url)

    def data_dir(self) -> Path:
        return Path(self.settings["col.data_dir"])


pass_app = click.make_pass_decorator(AppContext)
