"""Human names of the activity choices (translated in templates with ``_()``)."""

from pyramid.i18n import TranslationStringFactory

_ = TranslationStringFactory("col")

TYPES = {
    "event": _("Event"),
    "workshop": _("Workshop"),
    "course": _("Course"),
    "internship": _("Internship"),
    "volunteering": _("Volunteering"),
    "project": _("Project"),
    "open_space": _("Open space"),
    "digital_experience": _("Digital experience"),
}
VISIBILITIES = {
    "public": _("Public: shown on the map and in search"),
    "unlisted": _("Unlisted: only people with the link"),
    "private": _("Private: only people you invite"),
}
SCHEDULE_KINDS = {
    "single": _("One date"),
    "multi_session": _("Several sessions"),
    "recurring": _("Repeats (weekly, monthly...)"),
    "always_open": _("Always open"),
}
ACCESSIBILITY = {
    "step_free": _("Step-free access"),
    "accessible_toilet": _("Accessible toilet"),
    "hearing_loop": _("Hearing loop"),
    "quiet_space": _("Quiet space"),
    "sign_language": _("Sign language"),
    "easy_read": _("Easy-read materials"),
    "wheelchair_seats": _("Wheelchair spaces"),
    "assistance_animals": _("Assistance animals welcome"),
}
STATUSES = {"draft": _("Draft"), "published": _("Published"), "archived": _("Archived")}
PARTICIPATION = {"joined": _("Joined"), "waitlisted": _("On the waitlist"), "left": _("Left")}
COMPLETIONS = {
    "organiser": _("An organiser marks each learner completed"),
    "check_in": _("Being there: a QR check-in (or being marked present) completes it"),
    "evidence": _("Evidence: learners send evidence, which is reviewed"),
}
REPEATS = {
    "week": _("Every week, on the days chosen below"),
    "day": _("Every day"),
    "month": _("Every month, on the same day of the month"),
    "custom": _("Custom rule (advanced)"),
}
RESOURCES = {"step": _("Step"), "link": _("Link"), "video": _("Video")}


class Labels:
    types = TYPES
    visibilities = VISIBILITIES
    schedule_kinds = SCHEDULE_KINDS
    accessibility = ACCESSIBILITY
    statuses = STATUSES
    participation = PARTICIPATION
    resources = RESOURCES
    completions = COMPLETIONS
    repeats = REPEATS


def add_labels(event) -> None:
    """BeforeRender subscriber: every activities template sees ``labels``."""
    renderer = event.get("renderer_name") or ""
    if renderer.startswith("col_core.activities:"):
        event["labels"] = Labels
