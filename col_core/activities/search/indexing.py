"""The index follows activities in the same flush that writes them.

After every flush that touched an activity (or its skills), the activity's document is
rewritten (or removed when it is no longer published and public) by Core statements on the same
connection, so the database backend's index commits or rolls back with the activity itself.
Other plugins index their own documents with ``ISearchService.index`` and contribute them to
full rebuilds through the ``col_search_documents`` hook.
"""

from __future__ import annotations

from itertools import chain

from sqlalchemy.orm import Session

from col_core.activities.models import Activity, ActivitySkill
from col_core.activities.search import store
from col_core.activities.search.documents import ACTIVITIES, activity_documents, tenant_languages


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
    found = _changes_per_city(connection, activity_ids, deleted or {})
    for tenant_id, (documents, gone) in found.items():
        languages = tenant_languages(connection, tenant_id)
        store.save(session, tenant_id, languages, documents)
        store.remove(session, tenant_id, languages, "activity", gone)


def _changes_per_city(connection, activity_ids, deleted: dict[int, set[int]]) -> dict:
    """(documents to save, keys to remove) per city, for these activities and the deleted ones."""
    selected = ACTIVITIES.c.id.in_(list(activity_ids))
    found, present = activity_documents(connection, selected)
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
