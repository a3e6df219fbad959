"""The index follows activities in the same flush that writes them.

After every flush that touched an activity (or its skills), the activity's document is
rewritten (or removed when it is no longer published and public) by Core statements on the same
connection, so the database backend's index commits or rolls back with the activity itself.
Other plugins index their own documents with ``ISearchService.index`` and contribute them to
full rebuilds through the ``col_search_documents`` hook.

An activity's skills are indexed by their labels in each of the city's languages, which the
city's plugins give (``col_skill_labels``, asked through the PluginRegistry that the app's
session factory puts in every session's ``info``).  When a taxonomy's labels change (ESCO
imported in a new language), ``queue_tagged`` writes ``search.activities`` jobs that index the
activities tagged with the changed concepts again.
"""

from __future__ import annotations

from itertools import chain

from sqlalchemy import select
from sqlalchemy.orm import Session

from col_core.activities.models import Activity, ActivitySkill
from col_core.activities.search import store
from col_core.activities.search.documents import (
    ACTIVITIES,
    SKILLS,
    activity_documents,
    plugin_labeller,
    tenant_languages,
)
from col_core.tenancy.scoping import cross_tenant

PLUGINS_KEY = "col.search.plugins"  # session.info: the PluginRegistry that labels skills
SYNC_JOB = "search.activities"
SYNC_BATCH = 1000


def _touched_activities(session: Session) -> tuple[set[int], dict[int, set[int]]]:
    touched: set[int] = set()
    deleted: dict[int, set[int]] = {}
    for obj in chain(session.new, session.dirty):
        if isinstance(obj, Activity):
            touched.add(obj.id)
        elif isinstance(obj, ActivitySkill):
            touched.add(obj.activity_id)
    for obj in session.deleted:
        if isinstance(obj, Activity):
            deleted.setdefault(obj.tenant_id, set()).add(obj.id)
        elif isinstance(obj, ActivitySkill):
            touched.add(obj.activity_id)
    return touched, deleted


def sync_activities(session: Session, activity_ids, deleted=None) -> None:
    """Rewrite the search documents of these activities from their rows, in this transaction."""
    connection = session.connection()
    labeller = _labeller(session)
    found = _changes_per_city(connection, activity_ids, deleted or {}, labeller)
    for tenant_id, (documents, gone) in found.items():
        languages = tenant_languages(connection, tenant_id)
        store.save(session, tenant_id, languages, documents)
        store.remove(session, tenant_id, languages, "activity", gone)


def _labeller(session: Session):
    """What reads the skills' labels in every language (the plugins' ``col_skill_labels``),
    when the session knows the app's plugins."""
    plugins = session.info.get(PLUGINS_KEY)
    return plugin_labeller(plugins) if plugins is not None else None


def _changes_per_city(connection, activity_ids, deleted: dict[int, set[int]], labeller) -> dict:
    """(documents to save, keys to remove) per city, for these activities and the deleted ones."""
    selected = ACTIVITIES.c.id.in_(list(activity_ids))
    found, present = activity_documents(connection, selected, labeller)
    for tenant_id, deleted_ids in deleted.items():
        # A deleted activity has no row left to read: its document goes.
        without_rows = deleted_ids - present
        _, gone = found.setdefault(tenant_id, ([], []))
        gone.extend(str(activity_id) for activity_id in without_rows)
    return found


def follow_flushes(session, flush_context):
    """after_flush listener (attached by the search package's includeme): the index follows the
    activities every flush writes, in the same transaction."""
    touched, deleted = _touched_activities(session)
    touched.discard(None)
    if touched or deleted:
        sync_activities(session, touched, deleted)


def queue_tagged(session: Session, runner, uris) -> int:
    """Write ``search.activities`` jobs, per city, that index again every activity tagged with
    one of ``uris`` (their labels changed); returns how many activities they name."""
    from col_core.jobs.services import write_job

    uris = sorted(set(uris))
    tagged: dict[int, set[int]] = {}
    with cross_tenant(session):  # a taxonomy is every city's: each city gets its own jobs
        for start in range(0, len(uris), 500):
            for tenant_id, activity_id in session.execute(
                select(SKILLS.c.tenant_id, SKILLS.c.activity_id).where(
                    SKILLS.c.concept_uri.in_(uris[start : start + 500])
                )
            ):
                tagged.setdefault(tenant_id, set()).add(activity_id)
        for tenant_id, ids in tagged.items():
            ordered = sorted(ids)
            for start in range(0, len(ordered), SYNC_BATCH):
                batch = ordered[start : start + SYNC_BATCH]
                job = write_job(
                    session, runner, SYNC_JOB, {"activities": batch}, f"{len(batch)} activities"
                )
                job.tenant_id = tenant_id
    return sum(map(len, tagged.values()))


def sync_job(request, job) -> None:
    """The ``search.activities`` job: index these activities of the job's city again."""
    ids = [int(i) for i in job.payload["activities"]]
    found = request.dbsession.execute(
        select(ACTIVITIES.c.id).where(
            ACTIVITIES.c.id.in_(ids), ACTIVITIES.c.tenant_id == job.tenant_id
        ),
        execution_options={"filters_tenant_itself": "search.activities: the job's city"},
    )
    sync_activities(request.dbsession, [row.id for row in found])
