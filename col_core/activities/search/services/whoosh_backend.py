"""The Whoosh backend: one on-disk index per city.

Documents are written to ``search_documents`` in the transaction (so ``col search reindex`` and
the database stay the source of truth); the same transaction writes a ``search.whoosh`` job per
city (``follow_commits``), whose worker brings the index up to the committed documents, so a
rolled-back change never reaches the index and a locked index is retried, not skipped.  The
index is on the disk of one machine: the web servers and workers sharing it (single-machine).  Text is analysed with the
shared ``analysis`` module and handed to Whoosh as ready-made terms, so it finds what the
database backend finds; filters, facets and sorting are applied to the stored documents in
Python with ``query.matches``.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from sqlalchemy import event
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import ID, STORED, TEXT, Schema
from zope.interface import implementer

from col_core.activities.search import spelling, store
from col_core.activities.search.analysis import (
    fold,
    index_terms,
    label_terms,
    query_words,
    words,
)
from col_core.activities.search.interfaces import ISearchService
from col_core.activities.search.query import (
    Hit,
    Located,
    SearchResults,
    count_facets,
    distance_km,
    facet_queries,
    grid_of,
    matches,
    order_key,
)
from col_core.activities.search.services.database import as_documents
from col_core.tenancy.scoping import cross_tenant

JOB_KIND = "search.whoosh"
SCHEMA = Schema(
    uid=ID(unique=True),
    kind=ID,
    title=TEXT(analyzer=SpaceSeparatedTokenizer(), field_boost=5.0),
    body=TEXT(analyzer=SpaceSeparatedTokenizer()),
    # Its skills' labels, each stemmed as its own language: below the title and the body.
    skills=TEXT(analyzer=SpaceSeparatedTokenizer(), field_boost=0.5),
    words=TEXT(analyzer=SpaceSeparatedTokenizer(), spelling=True),
    document=STORED,
)


TEXT_FIELDS = ("title", "body", "skills")


def _uid(kind: str, key: str) -> str:
    return f"{kind}\x1f{key}"


def _text(document) -> str:
    """Every word of the document as written: the vocabulary typos are corrected against."""
    return " ".join([document.title, document.body, *(text for _, text in document.skill_labels)])


def _fields(document, languages) -> dict:
    return {
        "uid": _uid(document.kind, document.key),
        "kind": document.kind,
        "title": " ".join(index_terms(document.title, languages)),
        "body": " ".join(index_terms(document.body, languages)),
        "skills": " ".join(label_terms(document.skill_labels, languages)),
        "words": " ".join(fold(word) for word in words(_text(document))),
        "document": document,
    }


def index_path(whoosh_dir: str, tenant_id: int) -> Path:
    return Path(whoosh_dir) / f"tenant-{tenant_id}"


def open_index(path: Path):
    if whoosh_index.exists_in(path):
        return whoosh_index.open_dir(path)
    path.mkdir(parents=True, exist_ok=True)
    return whoosh_index.create_in(path, SCHEMA)


@implementer(ISearchService)
class WhooshSearch:
    backend = "whoosh"

    def __init__(self, session, tenant_id: int, languages: tuple[str, ...], whoosh_dir: str):
        self.session = session
        self.tenant_id = tenant_id
        self.languages = languages
        self.path = index_path(whoosh_dir, tenant_id)

    def index(self, documents):
        store.save(self.session, self.tenant_id, self.languages, as_documents(documents))

    def remove(self, kind, keys):
        store.remove(self.session, self.tenant_id, self.languages, kind, keys)

    def reindex(self, documents, progress=None):
        """Rows are replaced in the transaction; a fresh index is built beside the live one and
        swapped in after commit (``follow_commits``), or thrown away on rollback."""
        store.clear(self.session, self.tenant_id)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fresh = Path(tempfile.mkdtemp(prefix=f"{self.path.name}.", dir=self.path.parent))
        writer = whoosh_index.create_in(fresh, SCHEMA).writer(limitmb=256)
        batch = []
        try:
            for document in map(store.normalized, as_documents(documents)):
                writer.add_document(**_fields(document, self.languages))
                batch.append(document)
                if len(batch) == 1000:
                    store.save(self.session, self.tenant_id, self.languages, batch, follow=False)
                    progress and progress(len(batch))
                    batch = []
            store.save(self.session, self.tenant_id, self.languages, batch, follow=False)
            progress and progress(len(batch))
            writer.commit()
        except BaseException:
            writer.cancel()
            shutil.rmtree(fresh, ignore_errors=True)
            raise
        store.pending(self.session, self.tenant_id, self.languages)["rebuilt"] = fresh

    @staticmethod
    def _clause(word):
        options = [wq.Term(field, form) for form in word.forms for field in TEXT_FIELDS]
        if word.prefix:
            options += [wq.Prefix(field, word.prefix) for field in TEXT_FIELDS]
        return wq.Or(options)

    def _matching(self, query):
        """Every stored document matching the query's text, with its score."""
        words_ = query_words(query.text, self.languages)
        index = open_index(self.path)
        with index.searcher() as searcher:
            if not words_:
                stored = searcher.all_stored_fields()
                return [(fields["document"], 0.0) for fields in stored]
            clauses = [self._clause(word) for word in words_]
            results = searcher.search(wq.And(clauses), limit=None)
            return [(hit["document"], hit.score) for hit in results]

    def _corrected(self, text: str) -> str | None:
        with open_index(self.path).searcher() as searcher:

            def has_match(word) -> bool:
                return not searcher.search(self._clause(word), limit=1).is_empty()

            def vocabulary(word: str):
                terms = searcher.reader().expand_prefix("words", word[0])
                return [
                    (term, searcher.doc_frequency("words", term))
                    for term in (t.decode() if isinstance(t, bytes) else t for t in terms)
                ]

            return spelling.corrected_text(text, self.languages, has_match, vocabulary)

    def _hits(self, query, found):
        hits = []
        for document, score in found:
            if not matches(document, query):
                continue
            distance = (
                distance_km(*query.near, document.lat, document.lon)
                if query.near and document.lat is not None
                else None
            )
            hits.append(Hit(document, score, distance))
        hits.sort(key=order_key(query))
        return hits

    def search(self, query):
        results, corrected = spelling.forgiving(
            self._search, query, self._corrected, lambda results: results.total
        )
        results.corrected = corrected
        return results

    def _search(self, query):
        found = self._matching(query)
        hits = self._hits(query, found)
        facets = {}
        if query.facets:
            facets = count_facets(hit.document for hit in hits)
            # A facet whose filter is set is counted without it (query.FACET_FILTERS).
            for facet, wider in facet_queries(query).items():
                facets[facet] = count_facets(
                    document for document, _ in found if matches(document, wider)
                )[facet]
        return SearchResults(
            total=len(hits),
            hits=hits[query.offset : query.offset + query.limit],
            facets=facets,
        )

    def locate(self, query):
        return spelling.forgiving(self._locate, query, self._corrected, bool)[0]

    def _locate(self, query):
        hits = self._hits(query, self._matching(query))
        # One point more than a page tells the caller that there are more.
        first = query.offset
        after_one_more = first + query.limit + 1
        return _points(hits)[first:after_one_more]

    def grid(self, query, columns, rows):
        hits = spelling.forgiving(self._located_hits, query, self._corrected, bool)[0]
        places = [(hit.document.lat, hit.document.lon) for hit in hits]
        return grid_of(places, query.bbox, columns, rows)

    def _located_hits(self, query):
        hits = self._hits(query, self._matching(query))
        return [hit for hit in hits if hit.document.lat is not None]


def _points(hits) -> list[Located]:
    """The map's points of the hits that have a place, in their order."""
    points = []
    for hit in hits:
        if hit.document.lat is not None:
            points.append(_located(hit.document))
    return points


def _located(document) -> Located:
    """The map's point for a document that has a place."""
    return Located(
        kind=document.kind,
        key=document.key,
        title=document.title,
        url=document.url,
        category=document.category,
        lat=document.lat,
        lon=document.lon,
        starts_at=document.starts_at,
        online=document.online,
        cover=document.extra.get("cover"),
    )


def follow_commits(session_factory, runner) -> None:
    """Write each transaction's document changes, per city, as a ``search.whoosh`` job in that
    transaction; throw away a rebuilt index whose transaction rolled back."""
    from col_core.jobs.services import write_job

    @event.listens_for(session_factory, "before_commit")
    def _queue(session):
        session.flush()  # a session committing without a flush first indexes in this flush
        changes = session.info.get(store.PENDING_KEY) or {}
        # A change may belong to another city than the session's (a cross-city command).
        with cross_tenant(session):
            for tenant_id, change in changes.items():
                keys = [list(key) for key in change["documents"]]
                rebuilt = str(change["rebuilt"]) if change["rebuilt"] else None
                if keys or rebuilt:
                    job = write_job(
                        session,
                        runner,
                        JOB_KIND,
                        {"keys": keys, "rebuilt": rebuilt, "languages": list(change["languages"])},
                        label=f"{len(keys)} document(s)" + (", rebuilt" if rebuilt else ""),
                    )
                    job.tenant_id = tenant_id

    @event.listens_for(session_factory, "after_commit")
    def _done(session):
        session.info.pop(store.PENDING_KEY, None)

    @event.listens_for(session_factory, "after_rollback")
    def _forget(session):
        for change in (session.info.pop(store.PENDING_KEY, None) or {}).values():
            if change.get("rebuilt"):
                shutil.rmtree(change["rebuilt"], ignore_errors=True)


def apply_committed_change(request, job) -> None:
    """The ``search.whoosh`` job: swap in a rebuilt index, then write the documents it names
    as they are stored now (deleting those no longer stored); running it twice is harmless."""
    payload = job.payload
    apply_change(
        index_path(request.registry.settings["col.whoosh_dir"], job.tenant_id),
        {
            "rebuilt": payload.get("rebuilt"),
            "languages": tuple(payload["languages"]),
            "documents": store.documents(request.dbsession, job.tenant_id, payload["keys"]),
        },
    )


def apply_change(path: Path, change: dict) -> None:
    """Bring the index at ``path`` up to a committed change (``store.pending``'s notes of one
    city): swap in its rebuilt index, then write the documents it names."""
    if change.get("rebuilt") and Path(change["rebuilt"]).exists():  # not yet swapped in
        retired = path.with_name(path.name + ".old")
        if path.exists():
            path.rename(retired)
        Path(change["rebuilt"]).rename(path)
        shutil.rmtree(retired, ignore_errors=True)
    if not change["documents"]:
        return
    writer = open_index(path).writer(timeout=10)
    try:
        for (kind, key), document in change["documents"].items():
            writer.delete_by_term("uid", _uid(kind, key))
            if document is not None:
                writer.add_document(**_fields(document, change["languages"]))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
