"""An offline JSON-LD document loader that serves only the contexts bundled in ``contexts/``.

Data Integrity proofs are computed over the RDF canonical form of a document, so the exact
context documents matter: fetching them at run time would make signing depend on the network
and let whoever controls a URL change what a signature means. Every URL outside the bundle is
refused with :class:`UnknownContextError`.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources

__all__ = ["CONTEXTS", "UnknownContextError", "load_context", "document_loader"]

# URL -> file in contexts/. Some URLs are aliases of the same document (w3id redirects).
CONTEXTS: dict[str, str] = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.json",
    "https://www.w3.org/ns/credentials/status/v1": "credentials-status-v1.json",
    "https://w3id.org/security/data-integrity/v1": "data-integrity-v1.json",
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.json",
    "https://w3id.org/security/multikey/v1": "multikey-v1.json",
    "https://www.w3.org/ns/did/v1": "did-v1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json": "clr-v2p0-context-2.0.1.json",
    "https://w3id.org/openbadges/v2": "openbadges-v2.json",
    "https://openbadgespec.org/v2/context.json": "openbadges-v2.json",
}


class UnknownContextError(LookupError):
    """A document named a JSON-LD context that is not bundled; nothing is fetched instead."""


@cache
def _read(filename: str) -> dict:
    text = resources.files(__package__).joinpath("contexts", filename).read_text("utf-8")
    return json.loads(text)


def load_context(url: str) -> dict:
    """Return a fresh copy of the bundled context document for ``url``.

    Raises :class:`UnknownContextError` when ``url`` is not bundled.
    """
    filename = CONTEXTS.get(url)
    if filename is None:
        raise UnknownContextError(f"JSON-LD context not bundled (refusing to fetch): {url}")
    # A copy, because pyld and callers may mutate what they are given.
    return copy.deepcopy(_read(filename))


def document_loader(url: str, options: dict | None = None) -> dict:
    """A pyld ``documentLoader``: the RemoteDocument for a bundled context, else an error."""
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": load_context(url),
        "contentType": "application/ld+json",
    }
