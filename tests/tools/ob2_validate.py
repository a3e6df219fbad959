"""Run the 1EdTech (IMS Global) ``openbadges`` 1.1.2 validator offline.

Run with the validator's own interpreter, built by ``build_ob_validators.sh``:

    tests/.tools/ob2-venv/bin/python tests/tools/ob2_validate.py INPUT [EMAIL]

INPUT is an assertion URL, a JSON or JWS string, or a path to a .json/.jws/.png/.svg file.
Prints the validator's JSON report and exits 0 when ``report.valid`` is true.

The validator fetches the OB 2.0 JSON-LD context over HTTP (through requests sessions). With no
internet we answer that URL from the copy the package bundles, by mounting a transport adapter
on every requests Session; every other URL (our test server on 127.0.0.1) goes over the real
network stack.

Names under ``localhost`` (the demo's ``http://vilnius.localhost:6543``) resolve to the loopback
address, as RFC 6761 (section 6.3) asks and as browsers do; the C library of some machines does
not, so this runner does it itself.
"""

import json
import os
import socket
import sys

import requests
from openbadges.verifier import verify
from openbadges.verifier.openbadges_context import OPENBADGES_CONTEXT_V2_DICT
from requests.adapters import HTTPAdapter
from requests.models import Response

CONTEXT_URLS = {
    "https://w3id.org/openbadges/v2",
    "http://w3id.org/openbadges/v2",
    "https://openbadgespec.org/v2/context.json",
}


class BundledContextAdapter(HTTPAdapter):
    def send(self, request, **kwargs):
        if request.url.rstrip("/") not in CONTEXT_URLS:
            raise requests.ConnectionError(f"offline: refusing to fetch {request.url}")
        response = Response()
        response.status_code, response.url, response.request = 200, request.url, request
        response.headers["Content-Type"] = "application/ld+json"
        response._content = json.dumps(OPENBADGES_CONTEXT_V2_DICT).encode()
        response.encoding = "utf-8"
        return response


_original_init = requests.Session.__init__


def _init(self, *args, **kwargs):
    _original_init(self, *args, **kwargs)
    for prefix in ("https://w3id.org/", "http://w3id.org/", "https://openbadgespec.org/"):
        self.mount(prefix, BundledContextAdapter())


# requests_cache.CachedSession subclasses Session, so this covers the validator's sessions too.
requests.Session.__init__ = _init


_getaddrinfo = socket.getaddrinfo


def _loopback_localhost(host, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else host
    if isinstance(name, str) and name.lower().rstrip(".").endswith(".localhost"):
        host = "127.0.0.1"
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _loopback_localhost


def main():
    arg = sys.argv[1]
    if os.path.exists(arg):
        # The validator unbakes images itself, from a file object.
        badge_input = open(arg, "rb") if arg.endswith((".png", ".svg")) else open(arg).read()
    else:
        badge_input = arg
    profile = {"email": sys.argv[2]} if len(sys.argv) > 2 else None
    result = verify(badge_input, recipient_profile=profile, use_cache=False)
    print(
        json.dumps(
            result, indent=2, default=lambda o: o.decode() if isinstance(o, bytes) else str(o)
        )
    )
    sys.exit(0 if result["report"]["valid"] else 1)


if __name__ == "__main__":
    main()
