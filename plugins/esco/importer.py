"""Importing an ESCO CSV download into the database, streaming, in batches.

The importer works inside the caller's transaction and never commits: ``col esco import`` runs
it in one transaction, so a file that turns out to be bad half-way leaves the data as it was.
Everything is keyed on the concept URI, so importing the same download twice changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from col_core.db.meta import utcnow
from plugins.esco import reader as r
from plugins.esco import writes
from plugins.esco.folding import fold
from plugins.esco.models import (
    Broader,
    CollectionMember,
    Description,
    ImportLog,
    OccupationSkill,
)

BATCH_SIZE = 2000
_KIND_OF_TYPE = {"SkillGroup": "skill_group", "Occupation": "occupation", "ISCOGroup": "isco_group"}
_KIND_OF_PATH = (("/isco/", "isco_group"), ("/occupation/", "occupation"), ("/skill/", "skill"))


class ImportProblem(Exception):
    """The download cannot be imported as asked (no version, nothing to read, ...)."""


def language_of(record) -> str | None:
    """Labels are stored by primary language: ESCO's ``en-us`` files are English."""
    return record.language.split("-")[0].lower() if record.language else None


def kind_of(concept_type: str | None, skill_type: str | None, uri: str) -> str:
    if concept_type == "KnowledgeSkillCompetence" or skill_type:
        return "knowledge" if skill_type == "knowledge" else "skill"
    if concept_type in _KIND_OF_TYPE:
        return _KIND_OF_TYPE[concept_type]
    return next((kind for part, kind in _KIND_OF_PATH if part in uri), "skill")


def detect_version(files: list[r.FileReport]) -> str:
    """The one ESCO version the files' folder names give (``v1.1.1``)."""
    found = set()
    for file in files:
        version = r.version_from_path(file.path.parent)
        if version is not None:
            found.add(version)
    if len(found) == 1:
        return found.pop()
    what = ", ".join(sorted(found)) or "no version in the folder names"
    raise ImportProblem(f"cannot tell the ESCO version ({what}); give it with --version")


@dataclass
class Progress:
    """Called after each file with its report; lets the CLI drive a progress bar."""

    on_file: Callable[[r.FileReport], None] = lambda info: None


class Importer:
    def __init__(self, session: Session, version: str, languages: Iterable[str] | None = None):
        self.session = session
        self.version = version
        self.languages = list(languages) if languages else None
        self.counts: Counter[str] = Counter()
        self.primary_kinds: set[str] = set()
        # Concepts whose labels this import wrote: the activities tagged with them are indexed
        # again (``col_core.activities.search.skills_relabelled``).
        self.labelled: set[str] = set()

    def run(self, path: str | Path, progress: Progress | None = None) -> ImportLog:
        progress = progress or Progress()
        files = r.plan(path, languages=self.languages)
        if not files:
            raise ImportProblem(
                f"{path}: no ESCO file to import here"
                + (f" in {', '.join(self.languages)}" if self.languages else "")
            )
        log = ImportLog(
            version=self.version,
            source=str(path),
            languages=sorted({language_of(f) for f in files} - {None}),
        )
        for info in files:
            for batch in r.batched(r.read_file(info), BATCH_SIZE):
                self.write(info, batch)
            progress.on_file(info)
        self.counts["obsolete"] = writes.mark_obsolete(
            self.session, self.primary_kinds, self.version
        )
        self.counts["closure"] = writes.rebuild_closure(self.session)
        writes.analyze(self.session)
        log.counts = dict(self.counts)
        log.finished_at = utcnow()
        self.session.add(log)
        self.session.flush()
        return log

    # -- one batch of one file ---------------------------------------------------------------

    def write(self, info: r.FileReport, batch: list) -> None:
        self.counts[info.kind.value] += len(batch)
        handler = {
            r.FileKind.SKILL_SKILL: None,  # not used by the platform (yet)
            r.FileKind.SKILLS_HIERARCHY: self._hierarchy,
            r.FileKind.SKILL_BROADER: self._broader,
            r.FileKind.OCCUPATION_BROADER: self._broader,
            r.FileKind.SKILL_COLLECTION: self._collection,
            r.FileKind.OCCUPATION_COLLECTION: self._collection,
            r.FileKind.OCCUPATION_SKILL: self._occupation_skills,
        }.get(info.kind, self._concepts)
        if handler is not None:
            handler(batch)

    def _concept_row(self, record, **extra) -> dict:
        row = {
            "uri": record.uri,
            "version": self.version,
            "obsolete": False,
            "kind": kind_of(record.concept_type, getattr(record, "skill_type", None), record.uri),
            "concept_type": record.concept_type or "",
            "status": record.status,
            "modified": getattr(record, "modified", None),
            "reuse_level": getattr(record, "reuse_level", None),
            "code": getattr(record, "code", None) or getattr(record, "isco_group", None),
        }
        if record.status == "obsolete":
            row["obsolete"] = True
        row.update(extra)
        return row

    def _stubs(self, pairs: Iterable[tuple[str, str | None]]) -> None:
        """Make sure referenced concepts exist, so relations of a partial download hold."""
        writes.insert_ignore(
            self.session,
            writes.Concept.__table__,
            [
                {
                    "uri": uri,
                    "kind": kind_of(ctype, None, uri),
                    "concept_type": ctype or "",
                    "version": self.version,
                    "obsolete": False,
                }
                for uri, ctype in pairs
            ],
        )

    @staticmethod
    def _labels(uri: str, language: str, preferred: str, alts=(), hidden=()) -> list[dict]:
        out: list[dict] = []
        for kind, texts in (("preferred", (preferred,)), ("alternative", alts), ("hidden", hidden)):
            out.extend(
                {
                    "concept_uri": uri,
                    "language": language,
                    "kind": kind,
                    "text": text[:1000],
                    "folded": fold(text)[:1000],
                }
                for text in texts
                if text
            )
        return out

    def _concepts(self, batch: list) -> None:
        writes.upsert_concepts(self.session, [self._concept_row(rec) for rec in batch])
        self.primary_kinds.update(
            kind_of(rec.concept_type, getattr(rec, "skill_type", None), rec.uri) for rec in batch
        )
        language = language_of(batch[0])
        if language is None:
            return
        labels = [
            label
            for rec in batch
            for label in self._labels(
                rec.uri,
                language,
                rec.preferred_label,
                rec.alt_labels,
                getattr(rec, "hidden_labels", ()),
            )
        ]
        writes.replace_labels(self.session, language, (rec.uri for rec in batch), labels)
        self.labelled.update(label["concept_uri"] for label in labels)
        writes.upsert(
            self.session,
            Description.__table__,
            [
                {"concept_uri": rec.uri, "language": language, "text": rec.description}
                for rec in batch
                if rec.description
            ],
            update=["text"],
        )

    def _add_labels(self, language: str, labels: list[dict]) -> None:
        writes.add_missing_labels(self.session, language, labels)
        self.labelled.update(label["concept_uri"] for label in labels)

    def _hierarchy(self, batch: list[r.HierarchyRow]) -> None:
        self._stubs((level.uri, "SkillGroup") for row in batch for level in row.levels)
        edges = [
            {"concept_uri": row.levels[i].uri, "broader_uri": row.levels[i - 1].uri}
            for row in batch
            for i in range(1, len(row.levels))
        ]
        writes.insert_ignore(self.session, Broader.__table__, edges)
        writes.set_codes(
            self.session,
            {level.uri: level.code for row in batch for level in row.levels if level.code},
        )
        language = language_of(batch[0])
        if language:
            self._add_labels(
                language,
                [
                    label
                    for row in batch
                    for level in row.levels
                    for label in self._labels(level.uri, language, level.label)
                ],
            )

    def _broader(self, batch: list[r.BroaderRelation]) -> None:
        self._stubs(
            [(b.concept_uri, b.concept_type) for b in batch]
            + [(b.broader_uri, b.broader_type) for b in batch]
        )
        writes.insert_ignore(
            self.session,
            Broader.__table__,
            [{"concept_uri": b.concept_uri, "broader_uri": b.broader_uri} for b in batch],
        )

    def _collection(self, batch: list[r.CollectionMember]) -> None:
        self._stubs(
            [(m.uri, m.concept_type) for m in batch]
            + [(uri, None) for m in batch for uri in m.broader_uris]
        )
        writes.insert_ignore(
            self.session,
            CollectionMember.__table__,
            [{"collection": m.collection, "concept_uri": m.uri} for m in batch],
        )
        writes.insert_ignore(
            self.session,
            Broader.__table__,
            [{"concept_uri": m.uri, "broader_uri": uri} for m in batch for uri in m.broader_uris],
        )
        language = language_of(batch[0])
        if language:
            self._add_labels(
                language,
                [
                    label
                    for m in batch
                    for label in self._labels(m.uri, language, m.preferred_label, m.alt_labels)
                ],
            )

    def _occupation_skills(self, batch: list[r.OccupationSkillRelation]) -> None:
        self._stubs(
            [(x.occupation_uri, "Occupation") for x in batch] + [(x.skill_uri, None) for x in batch]
        )
        writes.upsert(
            self.session,
            OccupationSkill.__table__,
            [
                {
                    "occupation_uri": x.occupation_uri,
                    "skill_uri": x.skill_uri,
                    "relation": x.relation_type,
                }
                for x in batch
            ],
            update=["relation"],
        )
