"""The esco plugin's services, as other plugins and the views see them.

Obtain each with ``request.find_service(IThing)``.  Concepts are named by their ESCO URI
everywhere; languages are primary language subtags (``"en"``, ``"fr"``).
"""

from __future__ import annotations

from zope.interface import Interface

ATTRIBUTION = "This service uses the ESCO classification of the European Commission."
SKILL_KINDS = ("skill", "knowledge", "skill_group")


class UnknownConcept(ValueError):
    """A URI that is not an ESCO concept in this database."""


class ISkillSearch(Interface):
    """Autocomplete and search over ESCO labels."""

    def search(text, language, languages=None, limit=10, kinds=SKILL_KINDS):
        """The best concepts for ``text``, as a list of ``SkillHit`` (uri, label, matched,
        matched_language, matched_kind).

        Matches preferred, alternative and hidden labels, accent- and case-folded: the whole
        label starting with the text, or every word of the text starting a word of the label.
        Only labels in ``languages`` (default: every language) are searched.  Ranking: labels
        in ``language`` first, then English, then the rest; preferred before alternative
        before hidden labels; labels that start with the text before word matches; shorter
        labels first.  ``label`` is the preferred label in ``language``, else English.
        Obsolete concepts are left out.  Fewer than two characters give no results.
        """


class ISkillCatalog(Interface):
    """Reading concepts and the hierarchy."""

    def concept(uri, language):
        """A ``ConceptView`` (uri, kind, code, label, description, broader, narrower,
        collections, obsolete, version) or None when the URI is unknown."""

    def labels(uris, language):
        """{uri: preferred label in ``language``, else English, else any}."""

    def descendants(uri, include_self=True):
        """Every concept under ``uri`` in the hierarchy (several parents allowed)."""

    def ancestors(uri):
        """{ancestor uri: depth} of every concept above ``uri``."""

    def top_groups(uris, language):
        """{uri: label of the concept's broadest group below its pillar root}, for grouping
        skills on dashboards and profiles; unknown URIs are left out."""

    def occupation_skills(uri):
        """{skill uri: "essential" | "optional"} of an occupation."""


class ISkillTags(Interface):
    """Which ESCO concepts a city's subject develops.

    Subjects are activities (stored in the core's ``ActivitySkill`` table) or anything another
    plugin owns, named by a ``subject_type`` ("playlist", "badge_class") and an integer id.
    Tags store the concept URI and the ESCO version it was chosen in.
    """

    def tags(subject_type, subject_id):
        """The URIs the subject is tagged with, in the order they were added."""

    def add(subject_type, subject_id, uri):
        """Tag the subject (idempotent); raises ``UnknownConcept`` for an unknown URI."""

    def remove(subject_type, subject_id, uri):
        """Remove one tag (no error when absent)."""

    def alignments(subject_type, subject_id, language):
        """Open Badges alignment objects for the subject's tags: ``targetName`` (preferred
        label in ``language``), ``targetUrl`` (the ESCO URI), ``targetDescription``,
        ``targetFramework`` ("ESCO") and ``targetCode`` (the hierarchy code, else the URI's
        last segment)."""

    def subjects(subject_type, uris):
        """Ids of the city's subjects of ``subject_type`` tagged with any of ``uris``."""


class ILearnerSkills(Interface):
    """The skills a learner has shown, gathered from earned badges."""

    def record(user_id, uris, source_type, source_id):
        """Remember that ``source`` (e.g. "badge", an assertion id) showed ``uris``;
        idempotent."""

    def withdraw(source_type, source_id):
        """Forget what ``source`` showed (a revoked badge); a skill that another source
        also showed stays."""

    def skills(user_id):
        """The learner's skill URIs (a set)."""

    def building_on(user_id, limit):
        """Up to ``limit`` discoverable activities of the city, not joined by the learner,
        tagged with a skill the learner has: ``[(activity_id, skill_uri)]``, soonest first."""

    def profile(user_id, language):
        """The learner's skills grouped by ESCO hierarchy: a list of ``ProfileGroup``
        (title, uris, labels): transversal, digital, language and green skills, then one
        group per top group of the hierarchy (see ``ISkillCatalog.top_groups``).  Each skill
        is listed once: concepts with the same preferred label count as one."""


class ISkillGap(Interface):
    """Skill-gap routes: from an occupation to the activities that build its skills."""

    def gap(user_id, occupation_uri):
        """A ``Gap`` (essential_missing, optional_missing, have) for the learner
        (``user_id`` None: nothing is had)."""

    def recommend(gap, limit=20):
        """The city's discoverable activities tagged with a missing skill or a narrower one:
        a list of ``Recommendation`` (activity, skills), essential skills first."""
