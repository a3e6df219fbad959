"""Activities as search documents: what discovery knows about each published, public activity."""

from __future__ import annotations

from sqlalchemy import select

from col_core.activities.content import plain_text
from col_core.activities.models import Activity, ActivitySkill
from col_core.activities.search.query import Document
from col_core.tenancy.models import Tenant

ACTIVITIES = Activity.__table__
SKILLS = ActivitySkill.__table__
TENANTS = Tenant.__table__
_FILTERED = {"filters_tenant_itself": "activity_documents: one city's, or this flush's, rows"}


def _labels_of(uri: str, cached: str, labels: dict) -> list[tuple[str, str]]:
    """The skill's labels from the plugins, and its cached label when none of them is it (its
    language is not known: "" has it analysed in the city's languages)."""
    known = list(labels.get(uri, ()))
    if cached and cached not in {text for _, text in known}:
        known.insert(0, ("", cached))
    return known


def activity_document(row, skills: list, labels: dict | None = None) -> Document:
    """``skills``: (uri, cached label) pairs; ``labels``: (language, label) pairs by uri, from
    the plugins that know them (``col_skill_labels``)."""
    labels = labels or {}
    return Document(
        kind="activity",
        key=str(row.id),
        title=row.title,
        body=" ".join(filter(None, [plain_text(row.description), row.address])),
        category=row.category,
        skills=tuple(uri for uri, _ in skills),
        skill_labels=tuple(
            label for uri, cached in skills for label in _labels_of(uri, cached, labels)
        ),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        lat=row.latitude,
        lon=row.longitude,
        online=bool(row.online),
        in_person=row.latitude is not None or bool(row.address),
        price=row.price_cents,
        age_min=row.age_min,
        age_max=row.age_max,
        languages=tuple(row.languages or ()),
        accessibility=tuple(row.accessibility or ()),
        extra={
            "type": row.type,
            "address": row.address,
            "cover": row.cover,
            "organisation_id": row.organisation_id,
        },
    )


def is_discoverable(row) -> bool:
    # Expired activities stay indexed: searches leave them out by their end, which passes
    # without any write.
    return row.status == "published" and row.visibility == "public"


def languages_of(tenant) -> tuple[str, ...]:
    """The languages a city's documents are analysed in: its locales, default first."""
    return tuple(dict.fromkeys([tenant.default_locale, *(tenant.locales or ())]))


def tenant_languages(connection, tenant_id: int) -> tuple[str, ...]:
    row = connection.execute(
        select(TENANTS.c.locales, TENANTS.c.default_locale).where(TENANTS.c.id == tenant_id)
    ).first()
    return languages_of(row) if row else ("en",)


def plugin_labeller(plugins):
    """``labels(connection, tenant_id, uris)``: the labels of skill concepts in the city's
    languages, ``{uri: [(language, label), ...]}``, from the city's enabled plugins
    (``col_skill_labels``), for the PluginRegistry ``plugins``."""

    def labels(connection, tenant_id: int, uris: set[str]) -> dict:
        tenant = connection.execute(
            select(TENANTS.c.locales, TENANTS.c.default_locale, TENANTS.c.plugins).where(
                TENANTS.c.id == tenant_id
            )
        ).first()
        if not uris or tenant is None:
            return {}
        found: dict[str, list] = {}
        for answer in plugins.hooks_listing(tenant.plugins).col_skill_labels(
            connection=connection, uris=sorted(uris), languages=list(languages_of(tenant))
        ):
            for uri, pairs in (answer or {}).items():
                found.setdefault(uri, []).extend(tuple(pair) for pair in pairs)
        return found

    return labels


def _skills_of(connection, ids: list[int]) -> dict[int, list]:
    """(concept uri, cached label) pairs of each activity's skills."""
    skills: dict[int, list] = {}
    for start in range(0, len(ids), 1000):
        for skill in connection.execute(
            select(SKILLS.c.activity_id, SKILLS.c.concept_uri, SKILLS.c.label)
            .where(SKILLS.c.activity_id.in_(ids[start : start + 1000]))
            .order_by(SKILLS.c.id),
            execution_options=_FILTERED,
        ):
            skills.setdefault(skill.activity_id, []).append((skill.concept_uri, skill.label))
    return skills


def activity_documents(connection, where, labeller=None):
    """(documents, keys to remove) per tenant for the activities selected by ``where``, their
    skills' labels from ``labeller`` (``plugin_labeller``), if any.

    Reads with Core statements on the transaction's connection, so it can run inside a flush.
    ``where`` names one city, or activities this flush wrote (stamped and checked before it),
    so the ORM wall leaves these statements be; reviewed.
    """
    rows = connection.execute(select(ACTIVITIES).where(where), execution_options=_FILTERED).all()
    ids = [row.id for row in rows]
    skills = _skills_of(connection, ids)
    by_tenant: dict[int, list] = {}
    for row in rows:
        by_tenant.setdefault(row.tenant_id, []).append(row)
    found: dict[int, tuple[list, list]] = {}
    for tenant_id, tenant_rows in by_tenant.items():
        labels = _city_labels(connection, tenant_id, tenant_rows, skills, labeller)
        documents, gone = found.setdefault(tenant_id, ([], []))
        for row in tenant_rows:
            if is_discoverable(row):
                documents.append(activity_document(row, skills.get(row.id, []), labels))
            else:
                gone.append(str(row.id))
    return found, set(ids)


def _city_labels(connection, tenant_id: int, rows, skills: dict[int, list], labeller) -> dict:
    """The labels in the city's languages of every skill of these activities of one city."""
    uris = {uri for row in rows for uri, _ in skills.get(row.id, ())}
    if labeller is None or not uris:
        return {}
    return labeller(connection, tenant_id, uris)
