"""Skills chosen by name: one picker for every form, backed by the city's skill catalogue.

The catalogue comes from a plugin (``col_skill_vocabulary``); this package has the picker's
reading of a posted form (:mod:`col_core.skills.picker`), its template
(``col_core.skills:templates/picker.jinja2``, script ``js/skill-picker.js``) and the search it
calls, ``GET /api/v1/skills``.
"""

from __future__ import annotations

from col_core.skills.interfaces import ISkillVocabulary, SkillChoice, SkillsRefused
from col_core.skills.picker import (
    checked_skills,
    has_picker,
    picker_context,
    posted_uris,
    read_picks,
    vocabulary,
)

__all__ = [
    "ISkillVocabulary",
    "SkillChoice",
    "SkillsRefused",
    "checked_skills",
    "has_picker",
    "picker_context",
    "posted_uris",
    "read_picks",
    "vocabulary",
]


def includeme(config):
    config.include("col_core.skills.api")
