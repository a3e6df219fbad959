"""Cities of Learning core: the Pyramid platform every city site and every plugin runs on."""

import warnings

# Pyramid 2.1 still imports pkg_resources for asset specs; the warning is not ours to fix.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)

from col_core.app import main  # noqa: E402
from col_core.hookspecs import hookimpl  # noqa: E402

__all__ = ["main", "hookimpl"]
