"""schemathesis over the live app's OpenAPI document: anonymous, with a read and a write token.

A real server on a free port serves a city seeded with the plugins' demo data; schemathesis (its
command line, as anyone would run it) generates requests for every operation, a bounded number
per operation, and checks that none is a server error and that every answer is the documented
one: status code, content type and body schema.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import select

from col_core.cli.context import AppContext
from col_core.cli.demo import REPOSITORY_TENANTS
from col_core.security.models import ApiToken, User
from col_core.security.tokens import API_TOKEN_PREFIX, digest, new_secret
from col_core.tenancy.models import Tenant

CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance"
)
# Per operation and run: about a minute a run on two cores.  (The coverage phase, thousands of
# boundary cases, took four minutes a run; the request guard's own tests cover those classes.)
MAX_EXAMPLES = 10


@pytest.fixture
def seeded_city(run_col):
    """Vilnius launched from its example folder with the plugins' demo data, as `col demo` does
    (but for the months of analytics history, which take a minute to write and no API reads)."""
    assert run_col("tenant", "launch", str(REPOSITORY_TENANTS / "vilnius")).exit_code == 0
    app = AppContext(None)
    with app.request() as request:
        city = request.dbsession.scalar(select(Tenant).where(Tenant.slug == "vilnius"))
    manager = app.registry["col.plugins"].manager
    history = manager.get_plugin("core.analytics")
    seed = manager.subset_hook_caller("col_seed_demo", remove_plugins=[history])
    with app.request(city) as request:
        seed(request=request, tenant=city)
    app.engine.dispose()
    return city


def token(factories, email: str, scope: str) -> str:
    user = factories.session.scalar(select(User).where(User.email == email))
    secret = API_TOKEN_PREFIX + new_secret()
    factories.save(
        ApiToken(
            user_id=user.id, name=f"schemathesis {scope}", scope=scope, token_hash=digest(secret)
        )
    )
    return secret


def schemathesis(base: str, workdir, *headers: str) -> subprocess.CompletedProcess:
    workdir.mkdir()
    # One worker: with two threads, Python 3.11's ast module (which Hypothesis uses to describe
    # its strategies) fails now and then with "AST constructor recursion depth mismatch".
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            f"{base}/t/vilnius/api/openapi.json",
            "--checks",
            CHECKS,
            "--max-examples",
            str(MAX_EXAMPLES),
            "--seed",
            "1",
            "--phases",
            "examples,fuzzing",
            "--workers",
            "1",
            "--generation-database",
            "none",
            "--suppress-health-check",
            "all",
            "--request-timeout",
            "30",
            "--no-shrink",
            "--report",
            "junit",
            "--report-dir",
            str(workdir),
            *headers,
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=workdir,
    )


def test_the_api_keeps_its_documented_promises(seeded_city, factories, live_server, tmp_path):
    # Reading first, writing last: the write token's run changes the city's data.
    runs = {
        "anonymous": [],
        "read token": [
            "-H",
            "Authorization: Bearer " + token(factories, "organiser@vilnius.demo", "read"),
        ],
        "write token": [
            "-H",
            "Authorization: Bearer " + token(factories, "organiser@vilnius.demo", "write"),
        ],
    }
    failures = {}
    base = live_server().origin
    for name, headers in runs.items():
        result = schemathesis(base, tmp_path / name.replace(" ", "-"), *headers)
        if result.returncode != 0:
            failures[name] = result.stdout
    assert not failures, "\n\n".join(f"== {name} ==\n{output}" for name, output in failures.items())
