"""Fixtures come from the ``col_testing`` pytest plugin (col_core.testing), shared with plugins."""
