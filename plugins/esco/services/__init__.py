"""The default implementations of the esco plugin's services (see ``interfaces``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson
from pyramid.i18n import TranslationStringFactory
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from zope.interface import implementer

from col_core.activities.models import Activity, ActivitySkill, Participation
from col_core.tenancy.scoping import cross_tenant
from plugins.esco.folding import fold
from plugins.esco.interfaces import (
    ATTRIBUTION,
    ILearnerSkills,
    ISkillCatalog,
    ISkillGap,
    ISkillTags,
    UnknownConcept,
)
from plugins.esco.models import (
    Broader,
    Closure,
    CollectionMember,
    Concept,
    LearnerSkill,
    OccupationSkill,
    SkillTag,
)
from plugins.esco.texts import descriptions, preferred_labels

_ = TranslationStringFactory("col_esco")

# Collections a learner recognises, in the order the profile shows them.
PROFILE_COLLECTIONS = {
    "transversal": _("Transversal skills"),
    "digital": _("Digital skills"),
    "language": _("Language skills"),
    "green": _("Green skills"),
}


@dataclass
class ConceptView:
    uri: str
    kind: str
    code: str | None
    label: str
    description: str
    obsolete: bool
    version: str
    broader: dict[str, str] = field(default_factory=dict)  # uri -> label
    narrower: dict[str, str] = field(default_factory=dict)
    collections: list[str] = field(default_factory=list)


@implementer(ISkillCatalog)
class SkillCatalog:
    def __init__(self, session: Session):
        self.session = session

    def labels(self, uris, language):
        return preferred_labels(self.session, uris, language)

    def concept(self, uri, language):
        row = self.session.get(Concept, uri)
        if row is None:
            return None
        broader = list(
            self.session.scalars(select(Broader.broader_uri).where(Broader.concept_uri == uri))
        )
        narrower = list(
            self.session.scalars(select(Broader.concept_uri).where(Broader.broader_uri == uri))
        )
        labels = self.labels([uri, *broader, *narrower], language)
        return ConceptView(
            uri=uri,
            kind=row.kind,
            code=row.code,
            label=labels.get(uri, uri),
            description=descriptions(self.session, [uri], language).get(uri, ""),
            obsolete=row.obsolete,
            version=row.version,
            broader={u: labels.get(u, u) for u in broader},
            narrower=dict(
                sorted(((u, labels.get(u, u)) for u in narrower), key=lambda item: item[1].lower())
            ),
            collections=sorted(
                self.session.scalars(
                    select(CollectionMember.collection).where(CollectionMember.concept_uri == uri)
                )
            ),
        )

    def descendants(self, uri, include_self=True):
        stmt = select(Closure.descendant_uri).where(Closure.ancestor_uri == uri)
        if not include_self:
            stmt = stmt.where(Closure.depth > 0)
        return set(self.session.scalars(stmt))

    def ancestors(self, uri):
        return dict(
            self.session.execute(
                select(Closure.ancestor_uri, Closure.depth).where(
                    Closure.descendant_uri == uri, Closure.depth > 0
                )
            ).all()
        )

    def top_groups(self, uris, language):
        """{uri: label of its broadest group below a pillar root} (e.g. "communication,
        collaboration and creativity"); a concept with several such groups takes the nearest."""
        uris = list(uris)
        ancestry = self.session.execute(
            select(Closure.descendant_uri, Closure.ancestor_uri, Closure.depth).where(
                Closure.descendant_uri.in_(uris), Closure.depth > 0
            )
        ).all()
        candidates = {ancestor for _, ancestor, _ in ancestry}
        # Roots have no broader concept; a top group is an ancestor directly under one.
        has_broader = set(
            self.session.scalars(
                select(Broader.concept_uri).distinct().where(Broader.concept_uri.in_(candidates))
            )
        )
        roots = candidates - has_broader
        tops = set(
            self.session.scalars(
                select(Broader.concept_uri).where(
                    Broader.concept_uri.in_(candidates), Broader.broader_uri.in_(roots)
                )
            )
        )
        best: dict[str, tuple[int, str]] = {}
        for uri, ancestor, depth in ancestry:
            if ancestor in tops and (uri not in best or depth < best[uri][0]):
                best[uri] = (depth, ancestor)
        labels = self.labels({top for _, top in best.values()}, language)
        return {uri: labels.get(top, top) for uri, (_, top) in best.items()}

    def occupation_skills(self, uri):
        return dict(
            self.session.execute(
                select(OccupationSkill.skill_uri, OccupationSkill.relation).where(
                    OccupationSkill.occupation_uri == uri
                )
            ).all()
        )


@implementer(ISkillTags)
class SkillTags:
    """Activities' tags live in the core's ``activity_skills``; other subjects' in
    ``esco_skill_tags``.  Both are tenant-scoped, so every query stays within the city."""

    def __init__(self, session: Session):
        self.session = session

    def _model(self, subject_type):
        if subject_type == "activity":
            return ActivitySkill, ActivitySkill.activity_id, ActivitySkill.concept_uri
        return SkillTag, SkillTag.subject_id, SkillTag.concept_uri

    def _where(self, subject_type, subject_id):
        model, key, _uri = self._model(subject_type)
        clauses = [key == subject_id]
        if model is SkillTag:
            clauses.append(SkillTag.subject_type == subject_type)
        return model, clauses

    def tags(self, subject_type, subject_id):
        model, clauses = self._where(subject_type, subject_id)
        return list(
            self.session.scalars(select(model.concept_uri).where(*clauses).order_by(model.id))
        )

    def add(self, subject_type, subject_id, uri):
        concept = self.session.get(Concept, uri)
        if concept is None:
            raise UnknownConcept(uri)
        if uri in self.tags(subject_type, subject_id):
            return
        if subject_type == "activity":
            label = preferred_labels(self.session, [uri], "en").get(uri, "")
            self.session.add(
                ActivitySkill(
                    activity_id=subject_id,
                    concept_uri=uri,
                    version=concept.version,
                    label=label[:255],
                )
            )
        else:
            self.session.add(
                SkillTag(
                    subject_type=subject_type,
                    subject_id=subject_id,
                    concept_uri=uri,
                    esco_version=concept.version,
                )
            )
        self.session.flush()

    def remove(self, subject_type, subject_id, uri):
        model, clauses = self._where(subject_type, subject_id)
        self.session.execute(delete(model).where(*clauses, model.concept_uri == uri))

    def alignments(self, subject_type, subject_id, language):
        uris = self.tags(subject_type, subject_id)
        labels = preferred_labels(self.session, uris, language)
        concepts = {
            c.uri: c for c in self.session.scalars(select(Concept).where(Concept.uri.in_(uris)))
        }
        texts = descriptions(self.session, uris, language)
        return [
            {
                "targetName": labels.get(uri, uri),
                "targetUrl": uri,
                "targetDescription": texts.get(uri, ""),
                "targetFramework": "ESCO",
                "targetCode": concepts[uri].code or uri.rstrip("/").rsplit("/", 1)[-1],
            }
            for uri in uris
            if uri in concepts
        ]

    def subjects(self, subject_type, uris):
        uris = list(uris)
        model, key, uri_column = self._model(subject_type)
        statement = select(key).distinct().where(uri_column.in_(uris))
        if model is SkillTag:
            statement = statement.where(SkillTag.subject_type == subject_type)
        found = self.session.scalars(statement)
        return set(found)


@dataclass
class ProfileGroup:
    title: str
    uris: list[str]
    labels: dict[str, str]


@implementer(ILearnerSkills)
class LearnerSkills:
    def __init__(self, session: Session):
        self.session = session

    def record(self, user_id, uris, source_type, source_id):
        have = set(
            self.session.scalars(
                select(LearnerSkill.concept_uri).where(
                    LearnerSkill.user_id == user_id,
                    LearnerSkill.source_type == source_type,
                    LearnerSkill.source_id == source_id,
                )
            )
        )
        for concept in self.session.scalars(select(Concept).where(Concept.uri.in_(list(uris)))):
            if concept.uri not in have:
                self.session.add(
                    LearnerSkill(
                        user_id=user_id,
                        concept_uri=concept.uri,
                        esco_version=concept.version,
                        source_type=source_type,
                        source_id=source_id,
                    )
                )
        self.session.flush()

    def withdraw(self, source_type, source_id):
        self.session.execute(
            delete(LearnerSkill).where(
                LearnerSkill.source_type == source_type, LearnerSkill.source_id == source_id
            )
        )

    def skills(self, user_id):
        if user_id is None:
            return set()
        return set(
            self.session.scalars(
                select(LearnerSkill.concept_uri).where(LearnerSkill.user_id == user_id)
            )
        )

    def building_on(self, user_id, limit):
        joined = select(Participation.activity_id).where(
            Participation.user_id == user_id, Participation.status == "joined"
        )
        rows = self.session.execute(
            select(ActivitySkill.activity_id, func.min(ActivitySkill.concept_uri))
            .join(Activity, Activity.id == ActivitySkill.activity_id)
            .where(
                ActivitySkill.concept_uri.in_(self.skills(user_id)),
                Activity.is_discoverable,
                Activity.id.not_in(joined),
            )
            .group_by(ActivitySkill.activity_id, Activity.starts_at)
            .order_by(Activity.starts_at, ActivitySkill.activity_id)
            .limit(limit)
        )
        return [(activity_id, uri) for activity_id, uri in rows]

    def profile(self, user_id, language):
        uris = sorted(self.skills(user_id))
        if not uris:
            return []
        memberships: dict[str, set[str]] = {}
        for uri, collection in self.session.execute(
            select(CollectionMember.concept_uri, CollectionMember.collection).where(
                CollectionMember.concept_uri.in_(uris)
            )
        ):
            memberships.setdefault(uri, set()).add(collection)
        labels = preferred_labels(self.session, uris, language)
        uris = _one_per_label(uris, labels, memberships)
        # Otherwise the skill's broadest group below its pillar names the group.
        tops = SkillCatalog(self.session).top_groups(uris, language)
        groups: dict[str, list[str]] = {}
        for uri in uris:
            key = next((c for c in PROFILE_COLLECTIONS if c in memberships.get(uri, ())), None)
            groups.setdefault(key or tops.get(uri, ""), []).append(uri)
        order = list(PROFILE_COLLECTIONS)
        return [
            ProfileGroup(
                PROFILE_COLLECTIONS.get(key, key) or _("Other skills"),
                sorted(members, key=lambda u: labels.get(u, u).lower()),
                labels,
            )
            for key, members in sorted(
                groups.items(),
                key=lambda item: (
                    order.index(item[0]) if item[0] in order else len(order),
                    item[0],
                ),
            )
        ]


def _one_per_label(uris, labels: dict[str, str], memberships: dict[str, set[str]]) -> list[str]:
    """ESCO repeats some concepts under the same name in several places of its hierarchy
    ("working with computers" is three concepts): to a learner they are one skill, listed
    once, preferring the concept of a collection the profile groups by."""

    def in_a_collection(uri: str) -> bool:
        return bool(memberships.get(uri, set()) & PROFILE_COLLECTIONS.keys())

    def collections_first(uri: str) -> tuple[bool, str]:
        return not in_a_collection(uri), uri

    kept: dict[str, str] = {}
    for uri in sorted(uris, key=collections_first):
        label = labels.get(uri, uri)
        kept.setdefault(fold(label), uri)
    return sorted(kept.values())


def learner_skills_export(session: Session, user_id: int) -> bytes:
    """The learner's skills in every city, as JSON, for the GDPR export."""
    with cross_tenant(session):
        rows = session.scalars(
            select(LearnerSkill)
            .where(LearnerSkill.user_id == user_id)
            .order_by(LearnerSkill.earned_at)
        ).all()
        labels = preferred_labels(session, {row.concept_uri for row in rows}, "en")
        data = [
            {
                "uri": row.concept_uri,
                "label": labels.get(row.concept_uri, ""),
                "esco_version": row.esco_version,
                "source": row.source_type,
                "source_id": row.source_id,
                "earned_at": row.earned_at.isoformat(),
                "tenant_id": row.tenant_id,
            }
            for row in rows
        ]
    return orjson.dumps({"skills": data, "attribution": ATTRIBUTION}, option=orjson.OPT_INDENT_2)


def forget_learner(session: Session, user_id: int) -> None:
    with cross_tenant(session):
        session.execute(delete(LearnerSkill).where(LearnerSkill.user_id == user_id))


@dataclass
class Gap:
    occupation_uri: str
    essential_missing: list[str]
    optional_missing: list[str]
    have: list[str]


@dataclass
class Recommendation:
    activity: Activity
    skills: list[str]  # the missing skills it builds
    tags: list[str]  # the activity's own tags that build them (the same or narrower skills)


@implementer(ISkillGap)
class SkillGap:
    def __init__(self, session: Session, catalog: SkillCatalog, learner: LearnerSkills):
        self.session = session
        self.catalog = catalog
        self.learner = learner

    def gap(self, user_id, occupation_uri):
        needed = self.catalog.occupation_skills(occupation_uri)
        have = self.learner.skills(user_id)
        return Gap(
            occupation_uri,
            essential_missing=sorted(
                u for u, rel in needed.items() if rel == "essential" and u not in have
            ),
            optional_missing=sorted(
                u for u, rel in needed.items() if rel != "essential" and u not in have
            ),
            have=sorted(u for u in needed if u in have),
        )

    def recommend(self, gap, limit=20):
        missing = gap.essential_missing + gap.optional_missing
        if not missing:
            return []
        # An activity tagged with a narrower skill builds the broader one too.
        builds: dict[str, str] = {}
        for uri in reversed(missing):
            for narrower in self.catalog.descendants(uri):
                builds[narrower] = uri
        tagged: dict[int, list[str]] = {}
        tags: dict[int, list[str]] = {}
        for activity_id, uri in self.session.execute(
            select(ActivitySkill.activity_id, ActivitySkill.concept_uri).where(
                ActivitySkill.concept_uri.in_(list(builds))
            )
        ):
            skills = tagged.setdefault(activity_id, [])
            if builds[uri] not in skills:
                skills.append(builds[uri])
            tags.setdefault(activity_id, []).append(uri)
        if not tagged:
            return []
        activities = self.session.scalars(
            select(Activity).where(Activity.id.in_(list(tagged)), Activity.is_discoverable)
        )
        essential = set(gap.essential_missing)
        ranked = sorted(
            activities,
            key=lambda a: (
                -sum(u in essential for u in tagged[a.id]),
                -len(tagged[a.id]),
                a.starts_at is None,
                a.starts_at or a.created_at,
                a.id,
            ),
        )
        return [Recommendation(a, tagged[a.id], tags[a.id]) for a in ranked[:limit]]
