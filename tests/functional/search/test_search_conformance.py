"""One conformance suite for every search backend (database: FTS5 or PostgreSQL; Whoosh).

Each backend class below runs every test of ``SearchConformance`` on the test database (SQLite
by default, PostgreSQL with COL_TEST_DATABASE_URL).  Documents are committed through a real
session, exactly as the app commits them, and searched in a fresh transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy.orm import sessionmaker

from col_core.activities.search import bulk
from col_core.activities.search.query import Document, SearchQuery
from col_core.activities.search.services import database
from col_core.activities.search.services.database import DatabaseSearch
from col_core.activities.search.services.whoosh_backend import WhooshSearch
from col_core.app import make_config
from col_core.hookspecs import SearchDocument
from col_core.tenancy.scoping import tenant_context
from col_core.testing.factories import owner_engine

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
VILNIUS = (54.6872, 25.2797)
LANGUAGES = ("en", "lt", "de", "fr", "es")


def doc(key, title, body="", **fields) -> Document:
    fields.setdefault("starts_at", NOW + DAY)
    fields.setdefault(
        "ends_at", fields["starts_at"] + dt.timedelta(hours=2) if fields["starts_at"] else None
    )
    return Document(kind=fields.pop("kind", "activity"), key=key, title=title, body=body, **fields)


CITY = [
    doc(
        "dance",
        "Šokių dirbtuvės",
        "A dance workshop in the old town, Straße of music.",
        category="arts",
        lat=VILNIUS[0],
        lon=VILNIUS[1],
        price=0,
        languages=("lt", "en"),
        accessibility=("step_free", "quiet_space"),
        age_min=12,
        age_max=25,
    ),
    doc(
        "tanz",
        "Tanzworkshop für Anfänger",
        "Wir lernen Tänze aus aller Welt.",
        category="arts",
        lat=VILNIUS[0] + 0.01,
        lon=VILNIUS[1] + 0.01,
        price=500,
        languages=("de",),
        starts_at=NOW + 3 * DAY,
    ),
    doc(
        "cuisine",
        "Atelier de cuisine française",
        "Cuisiner ensemble, goûter les activités.",
        category="food",
        lat=VILNIUS[0] + 0.045,
        lon=VILNIUS[1],
        price=1500,
        age_min=12,
        age_max=18,
        languages=("fr",),
        accessibility=("step_free",),
        starts_at=NOW + 2 * DAY,
    ),
    doc(
        "coding",
        "Online coding club",
        "Learn Python with friends, dancing not included.",
        category="tech",
        online=True,
        in_person=False,
        price=0,
        languages=("en",),
        skills=("http://data.europa.eu/esco/skill/python",),
        starts_at=NOW + 10 * DAY,
    ),
    doc(
        "expo",
        "Past exhibition of dance photography",
        category="arts",
        lat=VILNIUS[0],
        lon=VILNIUS[1],
        starts_at=NOW - 3 * DAY,
        ends_at=NOW - DAY,
    ),
    doc(
        "parque",
        "Bailando en el parque",
        "Clases de baile al aire libre",
        category="arts",
        lat=VILNIUS[0] + 0.18,
        lon=VILNIUS[1],
        starts_at=None,
        ends_at=None,
        languages=("es",),
    ),
]

# A city of many languages: each case of stemming, folding and typo tolerance is one document.
POLYGLOT_LANGUAGES = ("en", "lt", "de", "es", "fr", "nl")
POLYGLOT = [
    doc("azuolai", "Ąžuolų giraitės paslaptys"),
    doc("miskai", "Žygis per miškus"),
    doc("programavimas", "Programavimo pradmenys"),
    doc("zaidimai", "Stalo žaidimai vakarais"),
    doc("fahrrad", "Fahrradreparatur für alle", "Wir reparieren Fahrräder und Lastenräder."),
    doc("bienen", "Bienen im Stadtgarten"),
    doc("escucha", "Taller de escucha activa", "Aprender a escuchar a los demás."),
    doc("danses", "Danses traditionnelles bretonnes"),
    doc("wandeling", "Wandelingen door de duinen"),
    doc("python", "Python for teens", "Programming games in Python."),
    doc("beekeeping", "Beekeeping for beginners"),
]


# Skill labels from the ESCO extract the project ships (plugins/esco/data): "listen actively",
# "work in teams" and "think analytically", by their labels in Spanish (1.0.x) and German (1.1.0).
ESCO = Path(__file__).resolve().parents[3] / "plugins" / "esco" / "data"
LISTEN = "http://data.europa.eu/esco/skill/a17286c5-238d-4f0b-bc24-29e9121345de"
TEAMS = "http://data.europa.eu/esco/skill/60c78287-22eb-4103-9c8c-28deaa460da0"
ANALYTIC = "http://data.europa.eu/esco/skill/4707da90-9cfc-46ca-8de0-38a0b7bfb137"


def esco_labels(path: str, language: str, uri: str, separator: str) -> tuple:
    """(language, label) of the concept's preferred and alternative labels in an ESCO file."""
    with open(ESCO / path, newline="", encoding="utf-8") as rows:
        row = next(row for row in csv.DictReader(rows) if row["conceptUri"] == uri)
    alternatives = [label.strip() for label in row["altLabels"].split(separator)]
    return tuple((language, label) for label in [row["preferredLabel"], *alternatives] if label)


def spanish(uri: str) -> tuple:
    return esco_labels("v1.0.x/es/skills_es.csv", "es", uri, "\n")


def german(uri: str) -> tuple:
    return esco_labels("v1.1.0/de/transversalSkillsCollection_de.csv", "de", uri, " | ")


SKILLED_LANGUAGES = ("es", "de", "lt", "en")
SKILLED = [
    doc("taller", "Taller de escucha activa"),
    doc("consejo", "Consejo juvenil", skills=(LISTEN,), skill_labels=spanish(LISTEN)),
    doc("huerto", "Huerto comunitario", skills=(TEAMS,), skill_labels=spanish(TEAMS)),
    doc("werkstatt", "Offene Werkstatt", skills=(TEAMS,), skill_labels=german(TEAMS)),
    doc("schach", "Schachclub", skills=(ANALYTIC,), skill_labels=german(ANALYTIC)),
    # No Lithuanian ESCO rows could be found (plugins/esco/data/README.md): a label of the
    # city's own taxonomy, which reaches the index the same way.
    doc("krepsinis", "Krepšinio treniruotės", skill_labels=(("lt", "darbas komandoje"),)),
]


class SearchConformance:
    """Every backend must pass these; subclasses say how to build the backend."""

    def make(self, session, tenant_id, tmp_path):
        raise NotImplementedError

    @pytest.fixture
    def world(self, registry, tmp_path, factories, app_settings):
        city = factories.tenant("vilnius", locales=list(LANGUAGES))
        other = factories.tenant("kaunas", locales=["lt", "en"])
        sessions = self.session_factory(registry, app_settings, tmp_path)
        self.sessions, self.tmp_path, self.city, self.other = sessions, tmp_path, city, other
        self.write(city, lambda s: s.index(CITY))
        self.write(
            other, lambda s: s.index([doc("k1", "Kaunas dance workshop", lat=54.9, lon=23.9)])
        )
        return self

    def session_factory(self, registry, app_settings, tmp_path):
        return sessionmaker(bind=registry["col.engine"])

    def write(self, tenant, action):
        session = self.sessions()
        with tenant_context(session, tenant):
            action(self.make(session, tenant.id, self.tmp_path))
            session.commit()
        session.close()

    def ask(self, tenant=None, **params):
        tenant = tenant or self.city
        session = self.sessions()
        try:
            with tenant_context(session, tenant):
                return self.make(session, tenant.id, self.tmp_path).search(
                    SearchQuery(now=NOW, **params)
                )
        finally:
            session.rollback()
            session.close()

    def keys(self, **params):
        return [hit.document.key for hit in self.ask(**params).hits]

    # -- text ---------------------------------------------------------------------------------

    def test_finds_a_title_word(self, world):
        assert self.keys(text="club ") == ["coding"]

    def test_every_word_must_match(self, world):
        assert self.keys(text="dance robotics ") == []

    def test_english_stemming(self, world):
        assert set(self.keys(text="dances ")) == {"dance", "coding"}

    def test_german_stemming_and_umlauts(self, world):
        assert self.keys(text="tanz ") == ["tanz"]
        assert self.keys(text="TÄNZE ") == ["tanz"]

    def test_lithuanian_letters_fold(self, world):
        assert self.keys(text="sokiu dirbtuves ") == ["dance"]
        assert self.keys(text="ŠOKIŲ ") == ["dance"]

    def test_french_and_spanish_letters_fold(self, world):
        assert self.keys(text="francaise ") == ["cuisine"]
        assert self.keys(text="bailando ") == ["parque"]

    def test_german_sharp_s_folds(self, world):
        assert self.keys(text="strasse ") == ["dance"]

    def test_last_word_matches_as_prefix(self, world):
        assert self.keys(text="cuis") == ["cuisine"]
        assert self.keys(text="atelier cuis") == ["cuisine"]

    def test_a_word_being_typed_after_another_finds_a_term_indexed_since(self, world):
        """PostgreSQL matches it as the city's terms that complete it: its vocabulary must
        hold every term of the city's documents, a moment after they are written."""
        self.write(self.city, lambda s: s.index([doc("glaze", "Atelier glazing evening")]))
        assert self.keys(text="atelier glaz") == ["glaze"]
        assert self.keys(text="atelier cuis") == ["cuisine"]

    def test_title_outranks_body(self, world):
        assert self.keys(text="workshop ")[0] in {"dance", "tanz"}
        assert self.keys(text="coding")[0] == "coding"
        assert self.keys(text="dance ", include_past=True)[0] in {"dance", "expo"}

    def test_pages_follow_one_relevance_order(self, world):
        everything = self.keys(text="danc", include_past=True)
        assert len(everything) == 3
        assert [
            key
            for offset in range(3)
            for key in self.keys(text="danc", include_past=True, limit=1, offset=offset)
        ] == everything

    def test_text_without_words_filters_nothing(self, world):
        assert self.keys(text="!!! ") == self.keys()

    def test_other_city_is_invisible(self, world):
        assert "k1" not in self.keys(text="workshop ")
        assert [h.document.key for h in self.ask(tenant=self.other, text="dance ").hits] == ["k1"]

    # -- languages and typos (a city of many languages) ----------------------------------------

    @pytest.fixture
    def polyglot(self, world, factories):
        self.polyglot_city = factories.tenant("bruxelles", locales=list(POLYGLOT_LANGUAGES))
        self.write(self.polyglot_city, lambda s: s.index(POLYGLOT))
        return self

    def found(self, text, **params):
        results = self.ask(tenant=self.polyglot_city, text=text, **params)
        return [hit.document.key for hit in results.hits], results.corrected

    @pytest.mark.parametrize(
        "text, key",
        [
            # Lithuanian: dictionary forms find inflected ones, and the other way round.
            ("ąžuolas", "azuolai"),
            ("azuolas", "azuolai"),
            ("miškas", "miskai"),
            ("programavimas", "programavimas"),
            ("žaidimas", "zaidimai"),
            ("ŽAIDIMŲ", "zaidimai"),
            # German: plurals and umlauts, within a compound's own word.
            ("Fahrrad", "fahrrad"),
            ("biene", "bienen"),
            ("fahrradreparaturen", "fahrrad"),
            # Spanish, French, Dutch, English.
            ("escuchar", "escucha"),
            ("tradicional", None),
            ("danse", "danses"),
            ("traditionnelle", "danses"),
            ("wandeling", "wandeling"),
            ("teen", "python"),
            ("beginner", "beekeeping"),
        ],
    )
    def test_stems_every_language_of_the_city(self, polyglot, text, key):
        assert self.found(text + " ") == ([key] if key else [], None)

    @pytest.mark.parametrize(
        "text, key, corrected",
        [
            ("pyhton", "python", "python"),
            ("phyton ", "python", "python"),
            ("pythn ", "python", "python"),
            ("beekeping", "beekeeping", "beekeeping"),
            ("Beekeping for beginers ", "beekeeping", "beekeeping for beginners"),
            ("fahradreparatur ", "fahrrad", "fahrradreparatur"),
            ("žaidymai ", "zaidimai", "zaidimai"),
        ],
    )
    def test_misspelt_words_are_corrected(self, polyglot, text, key, corrected):
        assert self.found(text) == ([key], corrected)

    def test_exact_searches_the_words_as_typed(self, polyglot):
        assert self.found("pyhton ", exact=True) == ([], None)

    def test_a_word_that_matches_is_not_corrected(self, polyglot):
        assert self.found("python ") == (["python"], None)
        # Every word matches, only not together: nothing to correct.
        assert self.found("python beekeeping ") == ([], None)

    def test_nothing_near_leaves_the_search_empty(self, polyglot):
        assert self.found("xylophone ") == ([], None)
        assert self.found("pyt") == (["python"], None)  # short words are prefixes, not typos

    def test_corrections_come_from_the_city_itself(self, polyglot):
        # "Šokių" is a word of another city (Vilnius): never offered here.
        assert self.found("sokiu ") == ([], None)
        assert self.ask(text="šokių dirbtvės ").corrected == "šokių dirbtuves"

    def test_the_map_finds_what_the_corrected_search_finds(self, polyglot):
        self.write(
            self.polyglot_city, lambda s: s.index([doc("hive", "Beekeeping", lat=50.8, lon=4.4)])
        )
        session = self.sessions()
        with tenant_context(session, self.polyglot_city):
            rows = self.make(session, self.polyglot_city.id, self.tmp_path).locate(
                SearchQuery(now=NOW, text="beekeping")
            )
        session.close()
        assert [row.key for row in rows] == ["hive"]

    # -- skills: their labels in every language of the city -------------------------------------

    @pytest.fixture
    def skilled(self, world, factories):
        self.skilled_city = factories.tenant("valencia", locales=list(SKILLED_LANGUAGES))
        self.write(self.skilled_city, lambda s: s.index(SKILLED))
        return self

    def skill_keys(self, text, **params):
        return [h.document.key for h in self.ask(tenant=self.skilled_city, text=text).hits]

    @pytest.mark.parametrize(
        "text, keys",
        [
            # Spanish preferred labels ("practicar la escucha activa", "trabajar en equipo").
            ("practicar la escucha activa ", ["consejo"]),
            ("escuchar activamente ", ["taller", "consejo"]),
            ("trabajar en equipo ", ["huerto"]),
            # A Spanish alternative label ("trabajar en grupo"), stemmed: "grupos".
            ("grupos ", ["huerto"]),
            # German: "in Teams arbeiten", and the alternative label "logisch denken".
            ("Team arbeiten ", ["werkstatt"]),
            ("logisch denken ", ["schach"]),
            # Lithuanian: the dictionary form finds the label's inflected "komandoje".
            ("komanda ", ["krepsinis"]),
            ("darbą komandoje ", ["krepsinis"]),
        ],
    )
    def test_skill_labels_in_every_language_are_found(self, skilled, text, keys):
        assert sorted(self.skill_keys(text)) == sorted(keys)

    def test_a_title_match_ranks_above_a_skill_match(self, skilled):
        assert self.skill_keys("escucha activa ") == ["taller", "consejo"]
        assert self.skill_keys("escucha activa") == ["taller", "consejo"]  # as typed

    def test_skill_labels_of_another_city_are_invisible(self, skilled):
        assert self.keys(text="grupos ") == []

    # -- filters ------------------------------------------------------------------------------

    def test_ended_documents_leave_discovery(self, world):
        assert "expo" not in self.keys()
        assert "expo" in self.keys(include_past=True)

    def test_category(self, world):
        assert set(self.keys(categories=("food", "tech"))) == {"cuisine", "coding"}

    def test_skill(self, world):
        assert self.keys(skills=("http://data.europa.eu/esco/skill/python",)) == ["coding"]

    def test_date_range(self, world):
        found = set(self.keys(date_from=NOW + 2 * DAY, date_to=NOW + 3 * DAY + DAY / 2))
        assert found == {"cuisine", "tanz", "parque"}  # always-open matches every range

    def test_distance_from_a_point(self, world):
        assert set(self.keys(near=VILNIUS, within_km=2)) == {"dance", "tanz"}
        assert set(self.keys(near=VILNIUS, within_km=6)) == {"dance", "tanz", "cuisine"}

    def test_viewport(self, world):
        box = (VILNIUS[1] - 0.005, VILNIUS[0] - 0.005, VILNIUS[1] + 0.02, VILNIUS[0] + 0.02)
        assert set(self.keys(bbox=box)) == {"dance", "tanz"}

    def test_online_or_in_person(self, world):
        assert self.keys(mode="online") == ["coding"]
        assert "coding" not in self.keys(mode="in_person")

    def test_free_and_price(self, world):
        assert set(self.keys(free=True)) == {"dance", "coding"}
        assert set(self.keys(max_price=500)) == {"dance", "coding", "tanz"}

    def test_age(self, world):
        assert "cuisine" not in self.keys(age=20)
        assert {"dance", "cuisine"} <= set(self.keys(age=15))
        assert "dance" not in self.keys(age=10)

    def test_language(self, world):
        assert self.keys(language="fr") == ["cuisine"]

    def test_accessibility_needs_every_feature(self, world):
        assert set(self.keys(accessibility=("step_free",))) == {"dance", "cuisine"}
        assert self.keys(accessibility=("step_free", "quiet_space")) == ["dance"]

    def test_kind(self, world):
        self.write(
            self.city,
            lambda s: s.index(
                [
                    SearchDocument(
                        kind="playlist", key="p1", title="Dance pathway", extra={"category": "arts"}
                    )
                ]
            ),
        )
        assert self.keys(text="dance ", kinds=("playlist",)) == ["p1"]

    def test_keys_restrict_to_those_documents(self, world):
        assert set(self.keys(keys=("dance", "cuisine", "unknown"))) == {"dance", "cuisine"}
        assert self.keys(keys=("dance", "coding"), mode="online") == ["coding"]
        assert self.ask(keys=("tanz",), facets=True).facets["category"] == {"arts": 1}

    def test_no_keys_match_nothing(self, world):
        assert self.keys(keys=()) == []
        assert self.ask(keys=()).total == 0

    def test_keys_of_another_city_are_not_found(self, world):
        assert self.keys(keys=("k1", "dance")) == ["dance"]

    def test_locate_keeps_to_the_keys(self, world):
        session = self.sessions()
        with tenant_context(session, self.city):
            rows = self.make(session, self.city.id, self.tmp_path).locate(
                SearchQuery(now=NOW, keys=("tanz", "coding", "parque"), sort="date")
            )
        session.close()
        assert [row.key for row in rows] == ["tanz", "parque"]  # coding is online, no point

    # -- sorting, paging, facets ----------------------------------------------------------------

    def test_sort_by_date_puts_always_open_last(self, world):
        assert self.keys(sort="date") == ["dance", "cuisine", "tanz", "coding", "parque"]

    def test_sort_by_distance(self, world):
        results = self.ask(sort="distance", near=VILNIUS, mode="in_person")
        assert [h.document.key for h in results.hits] == ["dance", "tanz", "cuisine", "parque"]
        assert results.hits[0].distance_km == pytest.approx(0, abs=0.01)
        assert results.hits[2].distance_km == pytest.approx(5.0, abs=0.1)

    def test_paging_keeps_the_total(self, world):
        first = self.ask(sort="date", limit=2)
        second = self.ask(sort="date", limit=2, offset=2)
        assert first.total == second.total == 5
        assert [h.document.key for h in first.hits + second.hits] == [
            "dance",
            "cuisine",
            "tanz",
            "coding",
        ]

    def test_facets_count_matches(self, world):
        facets = self.ask(facets=True).facets
        assert facets["category"] == {"arts": 3, "food": 1, "tech": 1}
        assert facets["mode"] == {"in_person": 4, "online": 1}
        assert facets["price"] == {"free": 2, "paid": 2}
        assert facets["language"] == {"lt": 1, "en": 2, "de": 1, "fr": 1, "es": 1}
        assert facets["accessibility"] == {"step_free": 2, "quiet_space": 1}
        assert self.ask(text="dance ").facets["category"] == {"arts": 1, "tech": 1}

    def test_located_or_not(self, world):
        assert self.keys(located=False, sort="date") == ["coding"]
        assert set(self.keys(located=True)) == {"dance", "tanz", "cuisine", "parque"}
        assert self.ask(located=False, facets=True).total == 1

    def test_a_chosen_facet_keeps_its_other_values(self, world):
        """Choosing a category (or mode, price, language) keeps the others on offer, each with
        the number it would show; the other facets count the narrowed matches."""
        results = self.ask(facets=True, categories=("food",))
        assert [hit.document.key for hit in results.hits] == ["cuisine"]
        assert results.total == 1
        assert results.facets["category"] == {"arts": 3, "food": 1, "tech": 1}
        assert results.facets["language"] == {"fr": 1}
        assert results.facets["mode"] == {"in_person": 1}
        online = self.ask(facets=True, mode="online", free=True)
        assert online.total == 1
        assert online.facets["mode"] == {"in_person": 1, "online": 1}
        assert online.facets["price"] == {"free": 1}
        assert online.facets["category"] == {"tech": 1}
        german = self.ask(facets=True, language="de", text="tanz ")
        assert german.facets["language"] == {"de": 1}
        assert self.ask(facets=True, language="de").facets["language"] == {
            "lt": 1,
            "en": 2,
            "de": 1,
            "fr": 1,
            "es": 1,
        }
        # Accessibility features combine with AND: their counts narrow with the choice.
        assert self.ask(facets=True, accessibility=("quiet_space",)).facets["accessibility"] == {
            "step_free": 1,
            "quiet_space": 1,
        }

    # -- writing ------------------------------------------------------------------------------

    def test_replacing_keeps_one_document(self, world):
        self.write(
            self.city,
            lambda s: s.index(
                [doc("coding", "Online robotics club", online=True, in_person=False)]
            ),
        )
        assert self.keys(text="robotics ") == ["coding"]
        assert self.keys(text="python ") == []

    def test_removing(self, world):
        self.write(self.city, lambda s: s.remove("activity", ["coding"]))
        assert self.keys(text="club ") == []

    def test_rolled_back_changes_are_not_found(self, world):
        session = self.sessions()
        with tenant_context(session, self.city):
            self.make(session, self.city.id, self.tmp_path).index([doc("ghost", "Ghost tour")])
            session.rollback()
        session.close()
        assert self.keys(text="ghost ") == []

    def test_reindex_replaces_everything(self, world):
        counted = []
        self.write(
            self.city,
            lambda s: s.reindex([doc("only", "Only robotics left")], progress=counted.append),
        )
        assert self.keys(include_past=True) == ["only"]
        assert sum(counted) == 1
        assert [h.document.key for h in self.ask(tenant=self.other).hits] == ["k1"]

    def test_locate_returns_points_capped_at_limit_plus_one(self, world):
        session = self.sessions()
        with tenant_context(session, self.city):
            rows = self.make(session, self.city.id, self.tmp_path).locate(
                SearchQuery(now=NOW, limit=2, sort="date")
            )
        session.close()
        assert [row.key for row in rows] == ["dance", "cuisine", "tanz"]

    def test_grid_counts_the_matches_per_cell_of_the_box(self, world):
        box = (VILNIUS[1] - 0.02, VILNIUS[0] - 0.02, VILNIUS[1] + 0.02, VILNIUS[0] + 0.06)
        session = self.sessions()
        with tenant_context(session, self.city):
            service = self.make(session, self.city.id, self.tmp_path)
            cells = service.grid(SearchQuery(now=NOW, bbox=box), 2, 2)
            arts = service.grid(SearchQuery(now=NOW, bbox=box, categories=("arts",)), 2, 2)
        session.close()
        # Row 0 is the north: dance and tanz share the south-east cell, cuisine (north of them,
        # on dance's longitude, the box's middle) the north-east one.
        by_cell = {(cell.column, cell.row): cell for cell in cells}
        assert {key: cell.size for key, cell in by_cell.items()} == {(1, 1): 2, (1, 0): 1}
        pair = by_cell[(1, 1)]
        assert pair.lat == pytest.approx(VILNIUS[0] + 0.005)
        assert (pair.south, pair.west) == pytest.approx(VILNIUS)
        assert (pair.north, pair.east) == pytest.approx((VILNIUS[0] + 0.01, VILNIUS[1] + 0.01))
        assert [(cell.column, cell.row, cell.size) for cell in arts] == [(1, 1, 2)]

    def test_grid_of_a_wide_box_counts_the_citys_current_activities(self, world):
        # Wide enough for SQLite to read it through the btree (COVERED_BOX_DEGREES), as a
        # low-zoom tile: both cities lie in it, and the ended exhibition at the dance's place.
        box = (23.8, 54.58, 25.4, 54.98)

        def sizes(tenant, **params):
            session = self.sessions()
            with tenant_context(session, tenant):
                service = self.make(session, tenant.id, self.tmp_path)
                cells = service.grid(SearchQuery(now=NOW, bbox=box, **params), 2, 2)
            session.close()
            return {(cell.column, cell.row): cell.size for cell in cells}

        assert sizes(self.city) == {(1, 1): 3, (1, 0): 1}
        assert sizes(self.city, include_past=True) == {(1, 1): 4, (1, 0): 1}
        assert sizes(self.city, kinds=("organisation",)) == {}
        assert sizes(self.other) == {(0, 0): 1}


class TestDatabaseBackend(SearchConformance):
    def make(self, session, tenant_id, tmp_path):
        return DatabaseSearch(session, tenant_id, LANGUAGES)

    def test_a_statement_is_built_once_per_shape_and_binds_each_search(self, world):
        database._STATEMENTS.clear()
        assert self.keys(text="club ", categories=("tech",)) == ["coding"]
        built = len(database._STATEMENTS)
        assert self.keys(text="atelier ", categories=("food", "arts")) == ["cuisine"]
        # exact: a search that finds nothing would also check its words' spelling.
        assert (
            self.ask(tenant=self.other, text="club ", categories=("tech",), exact=True).hits == []
        )
        assert len(database._STATEMENTS) == built

    def test_total_is_counted_up_to_the_limit(self, world):
        capped = self.ask(sort="date", limit=2, count_limit=3, facets=False)
        assert (capped.total, capped.total_exact) == (3, False)
        assert len(capped.hits) == 2
        exact = self.ask(sort="date", limit=2, count_limit=None, facets=False)
        assert (exact.total, exact.total_exact) == (5, True)

    def test_total_limit_reaches_past_the_page_asked_for(self, world):
        results = self.ask(sort="date", limit=2, offset=2, count_limit=1, facets=False)
        assert (results.total, results.total_exact) == (4, False)

    # A search by relevance ranks the documents with its words in their title, then the others
    # (the rest), and each tier counts its matches as it ranks them: the total comes from
    # whichever counts answer it (DatabaseSearch._counted).

    @pytest.fixture
    def choirs(self, world):
        """Three documents with "choir" in their title, four with it only in their text."""
        self.write(
            self.city,
            lambda s: s.index(
                [doc(f"t{n}", f"Choir evening {n}") for n in range(3)]
                + [doc(f"b{n}", f"Singing evening {n}", "Join the choir") for n in range(4)]
            ),
        )

    def choir(self, **params):
        results = self.ask(text="choir", facets=False, **params)
        return results.total, results.total_exact, [hit.document.key[0] for hit in results.hits]

    def test_titles_past_the_count_limit_say_there_are_more(self, choirs):
        assert self.choir(limit=2, count_limit=2) == (2, False, ["t", "t"])

    def test_a_page_of_titles_below_the_count_limit_counts_every_match(self, choirs):
        assert self.choir(limit=2, count_limit=10) == (7, True, ["t", "t"])

    def test_a_page_the_titles_leave_short_is_counted_with_the_rest(self, choirs):
        assert self.choir(limit=5, count_limit=10) == (7, True, ["t", "t", "t", "b", "b"])
        assert self.choir(limit=5, count_limit=5) == (5, False, ["t", "t", "t", "b", "b"])

    def test_a_page_past_the_titles_is_counted_with_them(self, choirs):
        assert self.choir(limit=2, offset=4, count_limit=10) == (7, True, ["b", "b"])
        assert self.choir(limit=2, offset=6, count_limit=10) == (7, True, ["b"])


class FailingSource(list):
    """A city's documents whose reading fails part of the way through (a plugin's bug)."""

    def __iter__(self):
        yield from self[:1]
        raise RuntimeError("a plugin failed")


def secondary_indexes(session) -> list[str]:
    if session.get_bind().dialect.name != "postgresql":
        return []
    return list(session.execute(bulk._SECONDARY_INDEXES).scalars())


class TestDatabaseBackendRebuilt(TestDatabaseBackend):
    """The same answers when the city was written by a full rebuild: on PostgreSQL, the bulk
    one (indexes dropped, rows copied in, indexes built again), as the owner that may do it."""

    @pytest.fixture
    def world(self, registry, tmp_path, factories, app_settings, monkeypatch):
        monkeypatch.setattr(bulk, "BULK_MIN", 1)
        city = factories.tenant("vilnius", locales=list(LANGUAGES))
        other = factories.tenant("kaunas", locales=["lt", "en"])
        self.sessions = sessionmaker(bind=owner_engine(registry))
        self.tmp_path, self.city, self.other = tmp_path, city, other
        self.write(city, lambda s: s.index([doc("old", "Old robotics club")]))
        session = self.sessions()
        self.bulk = bulk.wanted(session.connection(), city.id, len(CITY))
        session.close()
        assert self.bulk == (session.get_bind().dialect.name == "postgresql")
        self.write(city, lambda s: s.reindex(CITY))
        self.write(
            other, lambda s: s.index([doc("k1", "Kaunas dance workshop", lat=54.9, lon=23.9)])
        )
        return self

    def test_a_failed_rebuild_keeps_the_old_index(self, world):
        session = self.sessions()
        before = secondary_indexes(session)
        with tenant_context(session, self.city):
            with pytest.raises(RuntimeError, match="a plugin failed"):
                self.make(session, self.city.id, self.tmp_path).reindex(
                    FailingSource([doc("new", "New robotics lab"), doc("newer", "Newer one")])
                )
            session.commit()  # even a caller that commits after the failure loses nothing
        assert secondary_indexes(session) == before
        session.close()
        assert self.keys(text="robotics ") == []
        assert self.keys(text="club ") == ["coding"]


class TestWhooshBackend(SearchConformance):
    @pytest.fixture(autouse=True)
    def whoosh_app(self, registry, app_settings, tmp_path):
        """An app on the Whoosh backend: each commit of its sessions writes an index job, which
        this suite's queue runs as soon as the commit is done."""
        self.whoosh_config = make_config(
            None,
            **{
                **app_settings,
                "col.search_backend": "whoosh",
                "col.whoosh_dir": str(tmp_path / "whoosh"),
            },
        )
        self.whoosh_config.commit()
        yield
        self.whoosh_config.registry["col.engine"].dispose()

    def session_factory(self, registry, app_settings, tmp_path):
        return self.whoosh_config.registry["col.session_factory"]

    def make(self, session, tenant_id, tmp_path):
        return WhooshSearch(session, tenant_id, LANGUAGES, str(tmp_path / "whoosh"))
