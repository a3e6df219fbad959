"""A badge's skills: its own list plus, when the esco plugin is on, the ESCO tags of the badge
class (and of its activity), read through the esco plugin's ``ISkillTags`` service."""

from __future__ import annotations

import logging

ESCO_PLUGIN = "esco"
log = logging.getLogger(__name__)


def esco_tags(request):
    if ESCO_PLUGIN not in request.registry[
        "col.plugins"
    ].plugins or not request.tenant.plugin_enabled(ESCO_PLUGIN):
        return None
    from plugins.esco.interfaces import ISkillTags  # the esco plugin's public interface

    return request.find_service(ISkillTags)


def skills_reader(request):
    """``read(badge) -> [{"uri", "label", "code"}]`` for the documents of this request's city."""
    # One language for the documents whoever asks: a signed badge must not change per reader.
    language = request.tenant.default_locale or "en"
    lookup: dict = {}

    def read(badge) -> list[dict]:
        if "tags" not in lookup:  # only documents that show skills pay for the lookup
            lookup["tags"] = esco_tags(request)
        tags = lookup["tags"]
        skills = {s["uri"]: dict(s) for s in badge.skills}
        if tags is not None:
            subjects = [("badge_class", badge.id)]
            if badge.subject_type == "activity" and badge.subject_id:
                subjects.append(("activity", badge.subject_id))
            for subject in subjects:
                for found in tags.alignments(*subject, language):
                    skills.setdefault(
                        found["targetUrl"],
                        {
                            "uri": found["targetUrl"],
                            "label": found.get("targetName") or "",
                            "code": found.get("targetCode"),
                        },
                    )
        return list(skills.values())

    return read
