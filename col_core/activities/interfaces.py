"""The contracts of the activities domain; views and plugins find them with ``request.find_service``."""

from __future__ import annotations

from zope.interface import Interface


class ValidationFailed(ValueError):
    """Input was refused; ``fields`` maps each field name to what the person should fix."""

    def __init__(self, message, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class IActivityService(Interface):
    """Activities of the request's city: drafting, publishing, archiving, duplicating.

    Every method works within the request's tenant (the ORM filters and stamps it) and inside
    the request's transaction; none commits.  Permission checks belong to the views (the caller
    has already been allowed to act for the activity's organisation); business rules such as
    "an unverified organisation may not publish here" live here.
    """

    def get(activity_id) -> object:
        """The activity with this id in this city, or None (ids that are not ints give None)."""

    def for_organisation(organisation, include_archived: bool = False) -> list:
        """The organisation's activities, newest first."""

    def create(organisation, author, data: dict) -> tuple:
        """Start a draft with the valid fields of ``data``; returns (activity, field errors).

        A draft is saved even when some fields are invalid or missing, so nothing typed is lost;
        only a schedule beyond the platform's limits (see ``schedule.ScheduleRefused``) raises
        :class:`ValidationFailed` with a field error, and nothing is saved.
        """

    def autosave(activity, data: dict) -> dict:
        """Save the valid fields of ``data`` into a draft; returns the errors of the others.

        Raises :class:`ValidationFailed` if the activity is not a draft (a published activity
        changes only through :meth:`update`, so a half-edited version is never shown), or, with a
        field error, for a schedule beyond the platform's limits.
        """

    def update(activity, data: dict) -> None:
        """Change the activity, all or nothing; raises :class:`ValidationFailed` with field errors.

        A published activity must stay publishable.  Sessions are recomputed from the schedule,
        and the waitlist is promoted when the capacity grows.
        """

    def publish(activity) -> None:
        """Validate every publishing rule and make the activity visible; calls the
        ``col_activity_published`` hook.  Raises :class:`ValidationFailed` with field errors, or
        with no fields when the organisation may not publish in this city."""

    def archive(activity) -> None:
        """Take the activity out of discovery and joining; it stays on record."""

    def duplicate(activity, author) -> object:
        """A new draft copying the activity's content (not its participants, dates kept)."""

    def set_skills(activity, skills: list) -> None:
        """Replace the activity's skills: dicts with ``uri``, ``version`` and ``label``."""

    def discoverable():
        """A ``select(Activity)`` of what discovery may show: published, public, not expired."""


class IParticipationService(Interface):
    """Learners joining and leaving activities; attendance and completion.

    Joining beyond the capacity puts the learner on the waitlist, which is promoted first come,
    first served when a place frees up.  Hooks (``col_activity_joined``,
    ``col_activity_completed``) are called in the request's transaction.
    """

    def participation(activity, user) -> object:
        """The user's participation in the activity (any status), or None."""

    def join(activity, user) -> object:
        """Join (or join the waitlist); returns the Participation.  Joining twice is harmless.
        Raises :class:`ValidationFailed` when the activity cannot be joined, or the learner is
        outside its ages (``age_min``/``age_max``, on the day it starts) or has no birth date
        while it has ages."""

    def leave(activity, user) -> None:
        """Give up the place (or the waitlist spot); the next waitlisted learner is promoted."""

    def promote(activity) -> list:
        """Fill free places from the waitlist; returns the promoted participations."""

    def lock(activity) -> None:
        """Until the transaction ends, make every other change of the activity's places wait
        (joins, leaves, promotions, capacity changes, on every worker and both databases), and
        reload the activity.  ``join``, ``leave`` and ``promote`` take it themselves; anything
        else that changes places or the capacity takes it before reading them."""

    def participants(activity) -> list:
        """Everyone joined or waitlisted, in waitlist order."""

    def mark_attendance(participation, session, method: str = "organiser") -> bool:
        """Record presence at a session; False when it was already recorded.  For an activity
        completed by check-in (``completion == "check_in"``) it also completes the learner
        (see :meth:`complete`)."""

    def complete(participations, by_user) -> list:
        """Mark each learner's participation completed (once); returns the newly completed ones
        and calls ``col_activity_completed`` once for each of them."""

    def session_token(session, lifetime_seconds: int = 900) -> str:
        """A signed, short-lived token for a session's attendance QR code."""

    def check_in_session(token: str, user) -> object:
        """The ActivitySession a QR code's token names, if ``user`` may check in there: a
        private activity checks in only people who already joined it or wait on its waitlist.
        Raises :class:`ValidationFailed` when the token is expired, forged or from another city,
        the session's check-in is not open (it opens the city's ``check_in_opens_minutes_before``,
        default 30, before the session and closes when it ends), or the user may not check in.
        Changes nothing."""

    def attend_by_token(token: str, user) -> object:
        """Record the signed-in learner at the session the token names (joining them if there is
        room, as :meth:`check_in_session` allows); returns the Participation.  Raises
        :class:`ValidationFailed` when the learner cannot be checked in."""

    def send_reminders(now) -> int:
        """Queue an e-mail (a mail job, in this transaction) to every participant of a session
        starting in the next 24 hours, once per session, in their language; returns how many."""


class IGeocoder(Interface):
    """Address search for the activity form's place picker, within the request's city.

    Chosen by the ``col.geocoder`` setting (a dotted path to a class taking the request). The
    default searches only the city's own places: venues its organisations' activities already
    use and the places listed in its StarterKit file (``[[map.places]]``); nothing leaves the
    server. ``col_core.activities.services.geocoding.NominatimGeocoder`` adds the answers of a
    Nominatim-compatible service (``col.geocoder_url``) for deployments that may call one.
    """

    def search(query: str, limit: int = 8) -> list:
        """At most ``limit`` :class:`~col_core.activities.services.geocoding.Place` matching ``query``
        (already checked: 2 to 200 characters), the city's own places first. Never raises for
        an unreachable service: its answers are simply missing."""
