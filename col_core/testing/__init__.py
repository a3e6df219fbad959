"""Test support for the core and for plugin authors: pytest fixtures and data factories.

Installed as the ``col_testing`` pytest plugin, so a plugin's own test suite gets the same
fixtures: a migrated real database (SQLite by default, PostgreSQL when
``COL_TEST_DATABASE_URL`` points at one), the full WSGI app through webtest, and factories.
"""
