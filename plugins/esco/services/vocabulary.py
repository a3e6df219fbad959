"""ESCO as the city's skill catalogue for the core's skill picker (``ISkillVocabulary``)."""

from __future__ import annotations

from pyramid.i18n import TranslationStringFactory
from sqlalchemy import select
from zope.interface import implementer

from col_core.skills import ISkillVocabulary, SkillChoice
from plugins.esco.interfaces import ATTRIBUTION, SKILL_KINDS, ISkillCatalog, ISkillSearch
from plugins.esco.models import Concept

_ = TranslationStringFactory("col_esco")


@implementer(ISkillVocabulary)
class EscoVocabulary:
    name = "ESCO"

    def __init__(self, search, catalog, languages: list[str], versions, attribution=ATTRIBUTION):
        self.attribution = attribution  # the notice ESCO's licence asks for, translated
        self._search = search
        self._catalog = catalog
        self._languages = languages
        self._versions = versions  # uris -> {uri: ESCO version} of the known ones

    def search(self, text, language, limit=10):
        hits = self._search.search(
            text, language, languages=[*self._languages, language], limit=limit, kinds=SKILL_KINDS
        )
        return [SkillChoice(hit.uri, hit.label) for hit in hits]

    def choices(self, uris, language):
        versions = self._versions(list(uris))
        labels = self._catalog.labels(list(versions), language)
        return {
            uri: SkillChoice(uri, labels.get(uri) or uri, version)
            for uri, version in versions.items()
        }


def skill_versions(session, uris: list[str]) -> dict[str, str]:
    """{uri: ESCO version} of the ``uris`` that are skills, knowledge or skill groups."""
    if not uris:
        return {}
    rows = session.execute(
        select(Concept.uri, Concept.version).where(
            Concept.uri.in_(uris), Concept.kind.in_(SKILL_KINDS)
        )
    )
    return {row.uri: row.version for row in rows}


def vocabulary_for(request) -> EscoVocabulary:
    from plugins.esco.views import city_languages

    return EscoVocabulary(
        request.find_service(ISkillSearch),
        request.find_service(ISkillCatalog),
        city_languages(request),
        lambda uris: skill_versions(request.dbsession, uris),
        request.localizer.translate(_(ATTRIBUTION)),
    )
