"""Demo data: the shipped ESCO extract, imported once, and demo activities tagged with the
skills their seed terms map to (``data/derived/seed_terms_to_esco.csv``)."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from col_core.activities.models import Activity
from plugins.esco.importer import Importer
from plugins.esco.interfaces import ISkillTags
from plugins.esco.models import Concept, ImportLog

DATA = Path(__file__).parent / "data"
# English 1.1.1 first: the older folders then only add their French, Dutch and Spanish labels.
DEMO_FOLDERS = (
    ("v1.1.1/en", "1.1.1"),
    ("v1.1.1/fr", "1.1.1"),
    ("v1.0.x/fr", "1.0.x"),
    ("v1.0.x/nl", "1.0.x"),
    ("v1.0.x/es", "1.0.x"),
)


def import_shipped(session) -> bool:
    """Import the shipped extract unless some ESCO import exists already."""
    if session.scalar(select(ImportLog.id).limit(1)) is not None:
        return False
    for folder, version in DEMO_FOLDERS:
        Importer(session, version).run(DATA / folder)
    return True


def seed_terms() -> dict[str, list[str]]:
    """Seed term -> concept URIs, from the shipped mapping."""
    terms: dict[str, list[str]] = {}
    mapping = DATA / "derived" / "seed_terms_to_esco.csv"
    with open(mapping, newline="", encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            term = row["seed_term"].lower()
            terms.setdefault(term, []).append(row["conceptUri"])
    return terms


def _known_terms(known: set[str]) -> dict[str, list[str]]:
    """The seed terms (in order) and those of their skills that this database has."""
    terms = {}
    for term, uris in sorted(seed_terms().items()):
        found = [uri for uri in uris if uri in known]
        if found:
            terms[term] = found
    return terms


def _skills_for(activity, terms: dict[str, list[str]]) -> list[str]:
    """The skills of the terms the activity's text mentions, or of one term picked by its id."""
    text = f"{activity.title} {activity.category} {activity.description}".lower()
    mentioned = []
    for term, uris in terms.items():
        if term in text:
            mentioned.extend(uris)
    if mentioned:
        return mentioned
    # Picked by the activity's id, so every demo run tags the same way.
    every_term_skills = list(terms.values())
    return every_term_skills[activity.id % len(terms)]


def tag_activities(request) -> int:
    """Tag the city's activities with seed-term skills; returns tags made.

    An activity whose text mentions a seed term gets that term's skills; any other gets the
    skills of one seed term picked by its id, so every demo activity teaches something.
    """
    session = request.dbsession
    tags = request.find_service(ISkillTags)
    # Skills only: a skill group (such as T4) is too broad to tag an activity with.
    skills = select(Concept.uri).where(Concept.kind.in_(("skill", "knowledge")))
    known = set(session.scalars(skills))
    terms = _known_terms(known)
    made = 0
    for activity in session.scalars(select(Activity).order_by(Activity.id)):
        if not terms:
            break
        wanted = _skills_for(activity, terms)
        existing = set(tags.tags("activity", activity.id))
        for uri in dict.fromkeys(wanted):
            if uri not in existing:
                tags.add("activity", activity.id, uri)
                made += 1
    return made
