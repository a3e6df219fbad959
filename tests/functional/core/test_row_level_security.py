"""Row-level security as a second wall (PostgreSQL): what a compromised query can do.

Each test works as the application itself does: on the app's engine, logged in as the app's own
role (``col_app_test``, as production's ``col_app``), and runs the SQL an injected statement
would run.  The attack of issue #14 (finding 6) was: set ``col.tenant_id`` or
``col.cross_tenant`` with ``set_config`` and read or write another city's rows, ``RESET ROLE`` to
the owner and drop ``FORCE ROW LEVEL SECURITY``, and read the accounts, tokens, sessions and
hosts that had no policy at all.  See docs/security.md, "Tenant isolation".
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, inspect, text
from sqlalchemy.exc import DBAPIError

from col_core.security.models import ApiToken, AuthAttempt, UserSession, UserToken
from col_core.tenancy import rls
from col_core.tenancy.models import TenantHost
from col_core.tenancy.scoping import GRANTS_NOTHING, bind_connection

# Tables of no one's data (reference data, the schema's version, the binding key, which the
# app's role may not touch at all): every other table must be behind a forced policy.
WITHOUT_POLICY = {"alembic_version", rls.KEY_TABLE}
REFERENCE_PREFIXES = ("esco_",)


@pytest.fixture
def engine(postgresql_engine):
    """Row-level security is PostgreSQL's; SQLite has the ORM wall alone."""
    return postgresql_engine


@pytest.fixture
def cities(engine, factories, people):
    """City A with an organiser who has an API token, a session, a reset token, a failed
    sign-in and a host of its own; city B with an organiser of its own."""
    a, b = factories.tenant("attacked"), factories.tenant("attacker")
    org_a, org_b = people.organisation(a, "Secret Org A"), people.organisation(b, "Org B")
    victim, attacker = people.organiser(a, org_a), people.organiser(b, org_b)
    now = dt.datetime.now(dt.UTC)
    factories.save(
        ApiToken(user_id=victim.id, name="victim", token_hash="a" * 64, scope="write"),
        UserSession(user_id=victim.id, session_hash="b" * 64, last_seen_at=now),
        UserToken(
            user_id=victim.id,
            purpose="reset",
            token_hash="c" * 64,
            expires_at=now + dt.timedelta(hours=1),
        ),
        AuthAttempt(kind="login", key="victim", created_at=now),
        TenantHost(hostname="learn.attacked.example", tenant_id=a.id),
    )
    return {"a": a, "b": b, "org_a": org_a, "victim": victim, "attacker": attacker}


def _refused(connection, statement: str, **parameters) -> str:
    """Run ``statement`` in a savepoint; return PostgreSQL's refusal (the test fails if none)."""
    savepoint = connection.begin_nested()
    try:
        connection.execute(text(statement), parameters)
    except DBAPIError as error:
        savepoint.rollback()
        return str(error.orig)
    savepoint.rollback()
    pytest.fail(f"PostgreSQL accepted: {statement}")


def _as_city_b(connection, cities, person=None) -> None:
    """What a request of city B's binds: its city, its person, the ordinary scope."""
    bind_connection(connection, cities["b"].id, person, "tenant")


def test_set_config_cannot_point_a_transaction_at_another_city(engine, cities):
    """The attack itself: inside a request of city B, an injected statement rewrites the
    settings the policies used to trust.  Nothing of city A is read, nor written."""
    a = cities["a"].id
    with engine.connect() as connection:
        _as_city_b(connection, cities, cities["attacker"].id)
        assert connection.scalar(text("SELECT count(*) FROM organisations")) == 1  # B's own
        connection.execute(
            text(
                "SELECT set_config('col.tenant_id', :a, true), set_config('col.cross_tenant', 'on',"
                " true), set_config('col.scope', 'cross', true)"
            ),
            {"a": str(a)},
        )
        assert connection.execute(text("SELECT name FROM organisations")).all() == []
        assert connection.execute(text("SELECT id FROM memberships")).all() == []
        refusal = _refused(
            connection,
            "INSERT INTO organisations (tenant_id, name, slug, type,"
            " description, website, contact_email, phone, address, primary_locale,"
            " verification_method, created_at, updated_at) VALUES (:a, 'Planted',"
            " 'planted', 'ngo', '', '', '', '', '', 'en', '', now(), now())",
            a=a,
        )
        assert "row-level security" in refusal
        connection.rollback()


def test_the_old_settings_bind_nothing_on_an_unbound_connection(engine, cities):
    """Without the app's binding, the settings alone (the old policies' whole trust) show no
    city's rows and no account's."""
    with engine.connect() as connection:
        connection.execute(
            text(
                "SELECT set_config('col.tenant_id', :a, false), set_config('col.cross_tenant', 'on',"
                " false), set_config('col.scope', 'cross', false)"
            ),
            {"a": str(cities["a"].id)},
        )
        for table in ("organisations", "memberships", "users", "api_tokens", "user_sessions"):
            assert connection.scalar(text(f"SELECT count(*) FROM {table}")) == 0, table
        connection.rollback()


def _visible_rows(connection) -> dict[str, int]:
    """How many rows of each table under a policy this transaction sees."""
    tables = connection.scalars(
        text("SELECT relname FROM pg_class WHERE relrowsecurity AND relkind = 'r' ORDER BY 1")
    ).all()
    return {table: connection.scalar(text(f'SELECT count(*) FROM "{table}"')) for table in tables}


def test_a_transaction_left_unbound_sees_what_binding_nothing_shows(engine, cities, factories):
    """A request's transaction is bound only once there is something to grant (its city, its
    person): until then it is unbound, which every policy must treat as the binding of no
    city, no person and the ordinary scope."""
    factories.activity(cities["a"], cities["org_a"], title="Beekeeping for beginners")
    with engine.connect() as connection:
        unbound = _visible_rows(connection)
        connection.rollback()
        bind_connection(connection, *GRANTS_NOTHING)
        assert _visible_rows(connection) == unbound
        assert unbound["organisations"] == 0 and unbound["search_documents"] == 1
        connection.rollback()


def test_a_citys_request_binds_its_transaction_once(engine, cities, testapp):
    """The transaction of a page of city B is bound to city B, and to nothing before it."""
    bindings = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if "col_bind_tenant" in statement:
            bindings.append(parameters["tenant"])

    event.listen(engine, "before_cursor_execute", note)
    try:
        testapp.get("/api/v1/search?q=bees", headers={"Host": "attacker.example.test"})
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert bindings == [cities["b"].id]


def test_a_cached_citys_request_fetches_its_nonce_with_the_citys_freshness(engine, cities, testapp):
    """A request of a city already resolved reads the city's freshness and its transaction's
    nonce in one statement, then binds with that nonce (a wrong one would be refused): no
    round trip of the nonce's own."""
    host = {"Host": "attacker.example.test"}
    testapp.get("/api/v1/search?q=bees", headers=host)  # resolves the city, and caches it
    sent = []

    def note(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        testapp.get("/api/v1/search?q=bees", headers=host, status=200)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    nonces = [statement for statement in sent if "col_rls_nonce" in statement]
    assert len(nonces) == 1 and "tenants.updated_at" in nonces[0], nonces
    assert sum("col_bind_tenant" in statement for statement in sent) == 1


@pytest.mark.smoke
def test_a_forged_or_replayed_mac_is_refused(engine, cities):
    """Binding to city A needs the key's MAC: a made-up one is refused, and so is a genuine
    one seen in an earlier transaction (it covers that transaction's nonce)."""
    a = cities["a"].id
    with engine.connect() as connection:
        refusal = _refused(
            connection, "SELECT col_bind_tenant(:a, NULL, 'cross', :mac)", a=a, mac="0" * 64
        )
        assert "MAC does not match" in refusal
        connection.rollback()
        # A genuine binding of city A, as a request of city A would make (and an injected
        # statement there could read)...
        bind_connection(connection, a, None, "cross")
        seen = connection.scalar(text("SELECT current_setting('col.binding_mac')"))
        connection.commit()
        # ...is worth nothing in the next transaction.
        connection.execute(text("SELECT 1"))
        refusal = _refused(
            connection, "SELECT col_bind_tenant(:a, NULL, 'cross', :mac)", a=a, mac=seen
        )
        assert "MAC does not match" in refusal
        connection.execute(
            text(
                "SELECT set_config('col.tenant_id', :a, true),"
                " set_config('col.scope', 'cross', true),"
                " set_config('col.binding_mac', :mac, true)"
            ),
            {"a": str(a), "mac": seen},
        )
        assert connection.scalar(text("SELECT count(*) FROM organisations")) == 0
        connection.rollback()


def test_the_app_role_cannot_become_the_owner_nor_lift_the_policies(engine):
    """RESET ROLE leaves the app's own role; it can become no other role, change no table or
    policy, read no key, and switch no trigger or policy machinery off."""
    with engine.connect() as connection:
        app_role = connection.scalar(text("SELECT session_user"))
        owner = connection.scalar(
            text("SELECT tableowner FROM pg_tables WHERE tablename = 'organisations'")
        )
        assert app_role != owner
        assert rls.role_problems(connection) == []
        connection.execute(text("RESET ROLE"))
        assert connection.scalar(text("SELECT current_user")) == app_role
        for statement in (
            f'SET ROLE "{owner}"',
            "SET SESSION AUTHORIZATION postgres",
            "ALTER TABLE organisations NO FORCE ROW LEVEL SECURITY",
            "ALTER TABLE organisations DISABLE ROW LEVEL SECURITY",
            "ALTER TABLE users NO FORCE ROW LEVEL SECURITY",
            f"DROP POLICY {rls.POLICY} ON organisations",
            "CREATE POLICY everything ON organisations USING (true)",
            "SET session_replication_role = replica",
            f"SELECT * FROM {rls.KEY_TABLE}",
            f"INSERT INTO {rls.KEY_TABLE} VALUES (1, '\\x00', '\\x00')",
            "CREATE OR REPLACE FUNCTION col_rls_scope() RETURNS text LANGUAGE sql"
            " AS $$ SELECT 'cross' $$",
            "UPDATE alembic_version SET version_num = version_num",
        ):
            _refused(connection, statement)
        # With row_security off, a query that policies would filter fails instead of running.
        connection.execute(text("SET row_security = off"))
        _refused(connection, "SELECT * FROM organisations")
        connection.rollback()


def test_accounts_tokens_sessions_of_another_city_are_unreadable(engine, cities):
    """Bound to city B as its organiser: city A's organiser, their token, session, reset token
    and failed sign-in are invisible; B's own organiser (a person of the city) is visible."""
    victim, attacker = cities["victim"], cities["attacker"]
    with engine.connect() as connection:
        _as_city_b(connection, cities, attacker.id)
        people = set(connection.scalars(text("SELECT email FROM users")))
        assert people == {attacker.email}
        for table in ("api_tokens", "user_sessions", "user_tokens"):
            assert (
                connection.scalar(
                    text(f"SELECT count(*) FROM {table} WHERE user_id = :v"), {"v": victim.id}
                )
                == 0
            ), table
        assert connection.scalar(text("SELECT count(*) FROM auth_attempts")) == 0
        # Not to be written either: the victim's account and sessions are out of reach.
        assert (
            connection.execute(
                text("UPDATE users SET email = 'mine@evil.example' WHERE id = :v"), {"v": victim.id}
            ).rowcount
            == 0
        )
        assert (
            connection.execute(
                text("DELETE FROM user_sessions WHERE user_id = :v"), {"v": victim.id}
            ).rowcount
            == 0
        )
        _refused(
            connection,
            "INSERT INTO api_tokens (user_id, name, token_hash, scope,"
            " created_at, updated_at) VALUES (:v, 'planted', :hash, 'write', now(), now())",
            v=victim.id,
            hash="d" * 64,
        )
        connection.rollback()
        # The control: city A's own request, as its organiser, sees them.
        bind_connection(connection, cities["a"].id, victim.id, "tenant")
        assert (
            connection.scalar(
                text("SELECT count(*) FROM api_tokens WHERE user_id = :v"), {"v": victim.id}
            )
            == 1
        )
        assert victim.email in set(connection.scalars(text("SELECT email FROM users")))
        connection.rollback()


def test_another_citys_hosts_are_readable_but_not_movable(engine, cities):
    """Hosts are resolved before any city is known, so anyone reads them; only their own city
    changes them, so city B cannot take over (or redirect) city A's domain."""
    a, b = cities["a"].id, cities["b"].id
    with engine.connect() as connection:
        _as_city_b(connection, cities, cities["attacker"].id)
        assert (
            connection.scalar(
                text("SELECT tenant_id FROM tenant_hosts WHERE hostname = 'learn.attacked.example'")
            )
            == a
        )
        assert (
            connection.execute(
                text("UPDATE tenant_hosts SET tenant_id = :b WHERE tenant_id = :a"),
                {"a": a, "b": b},
            ).rowcount
            == 0
        )
        assert (
            connection.execute(
                text("UPDATE tenants SET name = 'Owned' WHERE id = :a"), {"a": a}
            ).rowcount
            == 0
        )
        _refused(
            connection,
            "INSERT INTO tenant_hosts (hostname, tenant_id) VALUES ('evil.example', :a)",
            a=a,
        )
        connection.rollback()


def test_another_citys_search_documents_are_readable_but_not_writable(engine, cities, factories):
    """Search documents and their terms are what the cities publish (the global site reads
    every city's), so their reads carry no policy, which would cost every search its index;
    city B still cannot change, remove or plant city A's."""
    a = cities["a"].id
    factories.activity(cities["a"], cities["org_a"], title="Beekeeping for beginners")
    with engine.connect() as connection:
        _as_city_b(connection, cities, cities["attacker"].id)
        assert connection.scalars(
            text("SELECT title FROM search_documents WHERE tenant_id = :a"), {"a": a}
        ).all() == ["Beekeeping for beginners"]
        assert connection.scalar(
            text("SELECT count(*) FROM idx_search_terms WHERE tenant_id = :a"), {"a": a}
        )
        for statement in (
            "UPDATE search_documents SET title = 'Owned' WHERE tenant_id = :a",
            "DELETE FROM search_documents WHERE tenant_id = :a",
            "DELETE FROM idx_search_terms WHERE tenant_id = :a",
        ):
            assert connection.execute(text(statement), {"a": a}).rowcount == 0
        refusal = _refused(
            connection,
            "INSERT INTO idx_search_terms (tenant_id, term) VALUES (:a, 'planted')",
            a=a,
        )
        assert "row-level security" in refusal
        connection.rollback()


def test_every_table_of_peoples_data_is_behind_a_forced_policy(engine):
    """A new table (of the core or a plugin) gets a policy from `col db upgrade` or fails here."""
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        rows = connection.execute(
            text(
                "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,"
                " (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies"
                " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'public' AND c.relkind = 'r'"
            )
        ).all()
    unguarded = sorted(
        row.relname
        for row in rows
        if row.relname in tables
        and row.relname not in WITHOUT_POLICY
        and not row.relname.startswith(REFERENCE_PREFIXES)
        and not (row.relrowsecurity and row.relforcerowsecurity and row.policies)
    )
    assert unguarded == []


def test_production_refuses_to_log_in_as_a_role_above_the_policies(engine, app_settings):
    """Logging the app in as the owner (a superuser here) is refused at start in production,
    with what to change; the app's own role starts."""
    import secrets

    from col_core.app import make_config
    from col_core.settings import SettingsError

    production = {
        **app_settings,
        "col.environment": "production",
        "col.secret": secrets.token_urlsafe(48),
        "col.public_url": "https://example.test",
    }
    with pytest.raises(SettingsError, match="is a superuser.*COL_DATABASE_OWNER_URL"):
        make_config(
            None, **{**production, "col.database_url": app_settings["col.database_owner_url"]}
        )
    make_config(None, **production).registry["col.engine"].dispose()
