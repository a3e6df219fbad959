"""The skill picker of the forms: what it shows, and the skills a posted form chose.

The picker posts one ``skills`` value per chosen skill (its URI), ``skills_shown`` to say the
picker was on the page (so removing every skill is told apart from a form without a picker),
and, from a browser without JavaScript, ``skill_add``: a skill's name, looked up here.  Older
forms posted ``URI | label`` lines in one ``skills`` text; those are still read.
"""

from __future__ import annotations

from pyramid.i18n import TranslationStringFactory

from col_core.skills.interfaces import SkillChoice, SkillsRefused

_ = TranslationStringFactory("col")
MAX_SKILLS = 50
MAX_NAME = 200


def vocabulary(request):
    """The city's skill catalogue (``ISkillVocabulary``), or None when no plugin offers one."""
    return request.hooks.col_skill_vocabulary(request=request)


def page_language(request) -> str:
    return request.localizer.locale_name.split("_")[0]


def stored_language(request) -> str:
    """Stored labels are in the city's own language: badges signed with them must not change
    with whoever saved the form."""
    return (request.tenant.default_locale or "en").split("_")[0]


def has_picker(post) -> bool:
    """Whether the posted form had a skill picker (a form without one changes no skills)."""
    return "skills_shown" in post or "skills" in post


def posted_uris(post) -> list[str]:
    """The URIs posted as ``skills`` (one a value, or ``URI | label`` lines), in order, once."""
    uris: dict[str, None] = {}
    for value in post.getall("skills"):
        for line in str(value).splitlines():
            uri = line.partition("|")[0].strip()
            if uri:
                uris[uri] = None
    return list(uris)


def read_picks(request, post, current: list[dict]) -> list[dict] | None:
    """The skills the form chose, as ``{"uri", "label", "version"}`` dicts, or None when the
    form had no picker.  Raises :class:`SkillsRefused` as :func:`checked_skills` does, or for a
    name typed without JavaScript that names no skill, or several."""
    if not has_picker(post):
        return None
    uris = posted_uris(post)
    typed = (post.get("skill_add") or "").strip()
    if typed:
        uris.append(_typed_skill(request, vocabulary(request), typed).uri)
    return checked_skills(request, uris, current)


def checked_skills(request, uris: list[str], current: list[dict]) -> list[dict]:
    """``uris`` as ``{"uri", "label", "version"}`` dicts labelled by the city's catalogue, in
    order, once.  Raises :class:`SkillsRefused` for a URI the catalogue does not know (one
    already in ``current`` is kept as stored) or for too many."""
    if len(set(uris)) > MAX_SKILLS:
        raise SkillsRefused(_("Choose at most ${max} skills.", mapping={"max": MAX_SKILLS}))
    kept = {entry["uri"]: entry for entry in current if entry.get("uri")}
    catalogue = vocabulary(request)
    known = catalogue.choices(uris, stored_language(request)) if catalogue and uris else {}
    picks: dict[str, dict] = {}
    for uri in uris:
        if uri in known:
            choice = known[uri]
            picks[uri] = {"uri": uri, "label": choice.label[:255], "version": choice.version}
        elif uri in kept:
            picks[uri] = dict(kept[uri])
        else:
            raise _unknown(catalogue, uri)
    return list(picks.values())


def _unknown(catalogue, uri: str) -> SkillsRefused:
    if catalogue is None:
        return SkillsRefused(
            _("This city has no skill catalogue switched on, so no skill can be added here.")
        )
    return SkillsRefused(
        _(
            "“${uri}” is not a skill of ${catalogue}: choose skills from the suggestions.",
            mapping={"uri": uri[:MAX_NAME], "catalogue": catalogue.name},
        )
    )


def _typed_skill(request, catalogue, typed: str) -> SkillChoice:
    """The one skill a name typed without JavaScript stands for."""
    if catalogue is None:
        raise _unknown(None, typed)
    if len(typed) > MAX_NAME:
        raise SkillsRefused(_("Type at most 200 characters of a skill's name."))
    hits = catalogue.search(typed, page_language(request), limit=6)
    exact = [hit for hit in hits if hit.label.casefold() == typed.casefold()]
    if exact or len(hits) == 1:
        return (exact or hits)[0]
    if not hits:
        raise SkillsRefused(
            _("No skill is called “${name}”. Try other words.", mapping={"name": typed})
        )
    raise SkillsRefused(
        _(
            "Several skills match “${name}”: ${skills}. Type one of them in full.",
            mapping={"name": typed, "skills": "; ".join(hit.label for hit in hits[:5])},
        )
    )


def picker_context(request, uris, labels: dict | None = None) -> dict:
    """What the picker's template needs: the chosen skills labelled in the page's language
    (else as stored in ``labels``, else their URI), and where to search."""
    catalogue = vocabulary(request)
    language = page_language(request)
    known = catalogue.choices(list(uris), language) if catalogue and uris else {}
    fallback = labels or {}
    return {
        "chosen": [
            (uri, known[uri].label if uri in known else fallback.get(uri) or uri) for uri in uris
        ],
        "search_url": request.route_url("api.get.skills") if catalogue else "",
        "catalogue": catalogue.name if catalogue else "",
        "attribution": getattr(catalogue, "attribution", "") if catalogue else "",
        "language": language,
    }
