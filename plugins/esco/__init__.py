"""The esco plugin: the ESCO classification imported, searchable in every language, and tied
to a city's activities, badges and learners.

Pages live under ``/esco``; the JSON API under ``/api/v1/esco``.  Services (see
``interfaces``): ISkillSearch, ISkillCatalog, ISkillTags, ILearnerSkills, ISkillGap.
"""

from plugins.esco.interfaces import (
    ILearnerSkills,
    ISkillCatalog,
    ISkillGap,
    ISkillSearch,
    ISkillTags,
)


def _session_service(cls):
    return lambda context, request: cls(request.dbsession)


def _gap_service(context, request):
    from plugins.esco.services import SkillGap

    return SkillGap(
        request.dbsession, request.find_service(ISkillCatalog), request.find_service(ILearnerSkills)
    )


def includeme(config):
    from plugins.esco import api, services
    from plugins.esco.services import search

    config.add_translation_domain(__name__, "col_esco", "plugins.esco:locale")
    config.register_service_factory(_session_service(search.SkillSearch), ISkillSearch)
    config.register_service_factory(_session_service(services.SkillCatalog), ISkillCatalog)
    config.register_service_factory(_session_service(services.SkillTags), ISkillTags)
    config.register_service_factory(_session_service(services.LearnerSkills), ILearnerSkills)
    config.register_service_factory(_gap_service, ISkillGap)
    config.add_static_assets("esco-static", "plugins.esco:static")
    config.add_route("esco.skills", "/skills")
    config.add_route("esco.concept", "/concept")
    config.add_route("esco.routes", "/routes")
    config.add_route(
        "esco.activity_skills",
        r"/activities/{id:\d+}/skills",
        factory="plugins.esco.resources.ActivityContext",
    )
    api.add_api_views(config)
    config.scan("plugins.esco.views")
