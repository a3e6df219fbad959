"""The city dashboard groups its most joined skills by their top ESCO group
(``col_skill_groups``), in the dashboard's language with English as the fallback."""

from __future__ import annotations

from col_core.analytics import rollup
from col_core.analytics.testing import table
from col_core.db.meta import utcnow

THINK_CREATIVELY = "http://data.europa.eu/esco/skill/c624c6a3-b0ba-4a31-a296-0d433fe47e41"
LISTEN_ACTIVELY = "http://data.europa.eu/esco/skill/a17286c5-238d-4f0b-bc24-29e9121345de"


def test_city_dashboard_groups_joined_skills_by_esco_top_group(esco, factories, people):
    esco.load("v1.1.1/en", "v1.1.1/fr")
    city = factories.tenant(
        "brugge",
        locales=["nl", "fr", "en"],
        default_locale="nl",
        settings={"analytics.min_group_size": 2},
    )
    request = esco.request(city)
    for uri, joins in ((LISTEN_ACTIVELY, 3), (THINK_CREATIVELY, 2), ("http://example.org/x", 4)):
        rollup.increment(
            request.dbsession, city.id, utcnow().date(), "joins", [("skill", uri)], by=joins
        )
    request.tm.commit()

    admin = people.client(city, people.city_admin(city))
    groups = table(admin.get("/api/v1/analytics/city?lang=fr").json, "skill_groups")["rows"]
    assert groups == [
        {"group": "communication, collaboration et créativité", "joins": 3},
        {"group": "capacités et compétences de réflexion", "joins": 2},
    ]
    # No Dutch labels in this extract: English.
    groups = table(admin.get("/api/v1/analytics/city?lang=nl").json, "skill_groups")["rows"]
    assert groups == [
        {"group": "communication, collaboration and creativity", "joins": 3},
        {"group": "thinking skills and competences", "joins": 2},
    ]
    assert "thinking skills and competences" in admin.get("/analytics?lang=nl").text
