"""Learning-resource text is stored as typed and escaped once, on the page (finding 13)."""

import html

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from markupsafe import escape

from col_core.db import make_engine, migrate

from .activities_testing import publishable

STEP = 'Mix flour & water, then <b>knead</b> "well"'
MIGRATION = "235130465a59"


def test_step_text_is_stored_as_typed_and_shown_escaped_once(staff, org, people, city):
    activity = staff.post_json(
        "/api/v1/activities",
        {
            "organisation_id": org.id,
            **publishable(resources=[{"kind": "step", "title": "Bread & butter", "text": STEP}]),
        },
    ).json
    activity_id = activity["activity"]["id"]
    assert activity["activity"]["resources"][0]["text"] == STEP
    staff.post(f"/api/v1/activities/{activity_id}/publish", status=200)
    page = people.client(city).get(f"/activities/{activity_id}").text
    assert f"<p>{escape(STEP)}</p>" in page
    assert "&amp;amp;" not in page and "&lt;b&gt;knead" in page
    # The organiser's form shows the text as typed, so saving it again changes nothing.
    form = staff.get(f"/activities/{activity_id}/edit").text
    assert escape(STEP) in form and "&amp;amp;" not in form


def test_the_migration_unescapes_text_stored_escaped(registry, col_database, people, city, org):
    link = {"kind": "link", "title": "More", "url": "https://example.org/?a=1&amp;b=2"}
    activity = people.activity(
        city, org, resources=[{"kind": "step", "title": "Bread", "text": STEP}, link]
    )
    engine = make_engine(col_database.owner_url)  # the owner, who may migrate
    table = sa.table("activities", sa.column("id"), sa.column("resources", sa.JSON))
    try:
        with engine.begin() as connection:
            config = migrate.alembic_config(connection, registry["col.plugins"])
            before = ScriptDirectory.from_config(config).get_revision(MIGRATION).down_revision

            def stored():
                return connection.scalar(
                    sa.select(table.c.resources).where(table.c.id == activity.id)
                )

            # Going back stores the text as the old code did: escaped.
            migrate.downgrade(connection, before, registry["col.plugins"])
            assert stored() == [
                {"kind": "step", "title": "Bread", "text": html.escape(STEP, quote=False)},
                link,
            ]
            # As `col db upgrade` does: the tables, then their policies and the app's grants.
            migrate.upgrade(
                connection,
                registry["col.plugins"],
                role=col_database.role,
                secret=registry.settings["col.secret"],
            )
            assert stored() == [{"kind": "step", "title": "Bread", "text": STEP}, link]
    finally:
        engine.dispose()
