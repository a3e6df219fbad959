"""The contract between the forms that tag things with skills and the plugin that knows skills.

The core keeps no skill catalogue of its own.  A plugin that has one (the esco plugin) answers
the ``col_skill_vocabulary`` hook with an object providing :class:`ISkillVocabulary`; the
skill picker of the activity, badge class and playlist forms searches and checks through it.
Where no plugin answers (the esco plugin is off in the city), the picker keeps the skills
already chosen and offers no search.
"""

from __future__ import annotations

from dataclasses import dataclass

from zope.interface import Attribute, Interface


@dataclass(frozen=True)
class SkillChoice:
    """One skill as the picker shows and stores it."""

    uri: str  # the concept's URI: what is stored and aligned
    label: str  # its preferred label in the language asked for
    version: str = ""  # the catalogue's version it was chosen in


class SkillsRefused(ValueError):
    """Posted skills that cannot be stored; ``message`` (a TranslationString) says what to do."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class ISkillVocabulary(Interface):
    """A catalogue of skills (for ESCO: skills, knowledge and skill groups)."""

    name = Attribute('The catalogue\'s name, shown beside the picker ("ESCO").')
    attribution = Attribute("The notice the catalogue's licence asks for, or an empty string.")

    def search(text, language, limit=10):
        """At most ``limit`` :class:`SkillChoice` whose labels match ``text`` (two characters
        at least; fewer give none), labelled in ``language``.  Labels in the city's languages
        are searched, so a learner finds a skill by its name in any of them."""

    def choices(uris, language):
        """``{uri: SkillChoice}`` of the ``uris`` the catalogue knows (unknown ones are left
        out), labelled in ``language`` (else English, else any language)."""
