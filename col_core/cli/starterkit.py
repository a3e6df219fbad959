"""``col starterkit``: start a new city's folder from the StarterKit template."""

from __future__ import annotations

import click


@click.group()
def starterkit() -> None:
    """The StarterKit: the template a new city starts from (starterkit/README.md)."""
