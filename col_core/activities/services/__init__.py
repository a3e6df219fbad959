"""The default :class:`IActivityService`: drafts, publishing, archiving and duplicating."""

from __future__ import annotations

import secrets

from pyramid.i18n import TranslationStringFactory
from sqlalchemy import func, select
from zope.interface import implementer

from col_core.activities.interfaces import IActivityService, IParticipationService, ValidationFailed
from col_core.activities.models import Activity, ActivityCoOrganiser, ActivitySession, ActivitySkill
from col_core.activities.schedule import ScheduleError, ScheduleRefused, as_utc, compute_sessions
from col_core.activities.schemas.fields import parse_fields, publish_errors
from col_core.db.meta import utcnow
from col_core.files.interfaces import IStoredFiles
from col_core.organisations.models import Organisation
from col_core.security.policy import publishing_blocked
from col_core.security.validation import record_id
from col_core.skills import checked_skills
from col_core.tenancy.scoping import get_city_row

_ = TranslationStringFactory("col")

# Plain columns copied by duplicate() and compared by update(); relations are handled apart.
CONTENT_COLUMNS = (
    "type",
    "title",
    "description",
    "cover",
    "cover_alt",
    "category",
    "visibility",
    "schedule_kind",
    "schedule",
    "duration_minutes",
    "address",
    "latitude",
    "longitude",
    "online",
    "join_url",
    "age_min",
    "age_max",
    "price_cents",
    "currency",
    "languages",
    "capacity",
    "completion",
    "accessibility",
    "contact_email",
    "booking_url",
    "resources",
)


class FieldContext:
    """What field parsing needs to know about the city (categories, files, organisations)."""

    def __init__(self, request, activity: Activity | None = None):
        self.request = request
        self.tenant = request.tenant
        self.activity = activity
        self.owner_id = activity.organisation_id if activity is not None else None
        self.peertube_hosts = tuple(self.tenant.setting("peertube_hosts", []) or ())

    def file_exists(self, key: str) -> bool:
        """A file that may be shown on the activity: public in this city, or the person's own
        here (never another person's private file, whose key an organiser might have seen)."""
        return self.request.find_service(IStoredFiles).usable(key)

    def skills(self, uris: list[str]) -> list[dict]:
        """The skills as the city's catalogue names them (``SkillsRefused`` for one it does not
        know that the activity does not already have)."""
        current = [
            {"uri": s.concept_uri, "label": s.label, "version": s.version}
            for s in (self.activity.skills if self.activity is not None else ())
        ]
        return checked_skills(self.request, uris, current)

    def organisations_exist(self, ids: list[int]) -> bool:
        if self.owner_id in ids:
            return False
        found = self.request.dbsession.scalar(
            select(func.count(Organisation.id)).where(Organisation.id.in_(ids))
        )
        return found == len(set(ids))


def current_values(activity: Activity) -> dict:
    values = {name: getattr(activity, name) for name in CONTENT_COLUMNS}
    values["co_organisers"] = [c.organisation_id for c in activity.co_organisers]
    return values


@implementer(IActivityService)
class ActivityService:
    def __init__(self, request):
        self.request = request
        self.db = request.dbsession

    def get(self, activity_id):
        activity_id = record_id(activity_id)
        return get_city_row(self.db, Activity, activity_id) if activity_id else None

    def for_organisation(self, organisation, include_archived=False):
        query = select(Activity).where(Activity.organisation_id == organisation.id)
        if not include_archived:
            query = query.where(Activity.status != "archived")
        return list(self.db.scalars(query.order_by(Activity.created_at.desc(), Activity.id.desc())))

    def discoverable(self):
        return select(Activity).where(Activity.is_discoverable)

    # -- writing ---------------------------------------------------------------------------------

    def create(self, organisation, author, data):
        activity = Activity(
            organisation=organisation,
            created_by_id=getattr(author, "id", None),
            schedule={},
            languages=[],
            accessibility=[],
            resources=[],
        )
        self.db.add(activity)
        values, errors = parse_fields(data, FieldContext(self.request))
        self._apply(activity, values)
        self.db.flush()
        return activity, errors

    def autosave(self, activity, data):
        if activity.status != "draft":
            raise ValidationFailed(
                _(
                    "Only drafts save automatically; save your changes to "
                    "update the published activity."
                )
            )
        values, errors = parse_fields(data, FieldContext(self.request, activity))
        self._apply(activity, values)
        return errors

    def update(self, activity, data):
        values, errors = parse_fields(data, FieldContext(self.request, activity))
        if not errors and activity.status == "published":
            errors = publish_errors(
                {**current_values(activity), **values}, FieldContext(self.request, activity)
            )
        if errors:
            raise ValidationFailed(_("Some fields need your attention."), errors)
        participations = self.request.find_service(IParticipationService)
        if activity.status == "published" and "capacity" in values:
            # Joins wait while the capacity changes; then the places it adds go to the waitlist.
            participations.lock(activity)
            self._apply(activity, values)
            participations.promote(activity)
        else:
            self._apply(activity, values)
        if activity.status == "published":
            self.db.flush()
            self.request.hooks.col_activity_changed(request=self.request, activity=activity)

    def publish(self, activity):
        if activity.status == "archived":
            raise ValidationFailed(
                _("This activity is archived; duplicate it to publish it again.")
            )
        blocked = publishing_blocked(self.request, activity.organisation)
        if blocked is not None:
            raise ValidationFailed(blocked)
        errors = publish_errors(current_values(activity), FieldContext(self.request, activity))
        if errors:
            raise ValidationFailed(_("Some fields need your attention before publishing."), errors)
        self._sync_sessions(activity)
        if activity.visibility == "private" and not activity.invitation_token:
            activity.invitation_token = secrets.token_urlsafe(24)
        activity.status = "published"
        activity.published_at = utcnow()
        self.db.flush()
        self.request.hooks.col_activity_published(request=self.request, activity=activity)

    def archive(self, activity):
        activity.status = "archived"
        activity.archived_at = utcnow()

    def duplicate(self, activity, author):
        copy = Activity(
            organisation_id=activity.organisation_id,
            status="draft",
            created_by_id=getattr(author, "id", None),
            **{name: getattr(activity, name) for name in CONTENT_COLUMNS},
        )
        copy.title = _("Copy of ${title}", mapping={"title": activity.title})
        copy.title = self.request.localizer.translate(copy.title)[:200]
        copy.co_organisers = [
            ActivityCoOrganiser(organisation_id=c.organisation_id) for c in activity.co_organisers
        ]
        copy.skills = [
            ActivitySkill(concept_uri=s.concept_uri, version=s.version, label=s.label)
            for s in activity.skills
        ]
        self.db.add(copy)
        self._sync_sessions(copy)
        self.db.flush()
        return copy

    def set_skills(self, activity, skills):
        wanted = {skill["uri"]: skill for skill in skills}
        activity.skills = [s for s in activity.skills if s.concept_uri in wanted]
        have = {s.concept_uri for s in activity.skills}
        for uri, skill in wanted.items():
            if uri not in have:
                activity.skills.append(
                    ActivitySkill(
                        concept_uri=uri,
                        version=skill.get("version", ""),
                        label=skill.get("label", ""),
                    )
                )

    # -- helpers ---------------------------------------------------------------------------------

    def _apply(self, activity: Activity, values: dict) -> None:
        if {"schedule", "schedule_kind"} & values.keys():
            self._refuse_beyond_limits(
                values.get("schedule_kind", activity.schedule_kind),
                values.get("schedule", activity.schedule),
            )
        for name in CONTENT_COLUMNS:
            if name in values:
                setattr(activity, name, values[name])
        if "co_organisers" in values:
            activity.co_organisers = [
                ActivityCoOrganiser(organisation_id=org_id) for org_id in values["co_organisers"]
            ]
        if "skills" in values:
            self.set_skills(activity, values["skills"])
        if activity.visibility == "private" and not activity.invitation_token:
            activity.invitation_token = secrets.token_urlsafe(24)
        if {"schedule", "schedule_kind"} & values.keys():
            self._sync_sessions(activity)

    def _refuse_beyond_limits(self, kind, schedule) -> None:
        """Refuse, before anything is saved, a schedule the platform never expands (repeating
        more often than daily, or beyond the horizon); an incomplete one is fine in a draft."""
        try:
            compute_sessions(kind, schedule or {}, self.request.tenant.timezone)
        except ScheduleRefused as error:
            raise ValidationFailed(
                _("Some fields need your attention."), {"schedule": error.args[0]}
            ) from error
        except ScheduleError:
            pass

    def _sync_sessions(self, activity: Activity) -> None:
        """Recompute sessions from the schedule, keeping rows (and their attendance) that stay.

        A draft's schedule may be incomplete: it then has no sessions until it is fixed.
        """
        try:
            wanted = compute_sessions(
                activity.schedule_kind, activity.schedule or {}, self.request.tenant.timezone
            )
        except ScheduleError:
            wanted = []
        existing = {(as_utc(s.starts_at), as_utc(s.ends_at)): s for s in activity.sessions}
        activity.sessions = [
            existing.get(pair) or ActivitySession(starts_at=pair[0], ends_at=pair[1])
            for pair in wanted
        ]
        activity.starts_at = wanted[0][0] if wanted else None
        activity.ends_at = max(end for _start, end in wanted) if wanted else None
        if wanted:
            activity.duration_minutes = int((wanted[0][1] - wanted[0][0]).total_seconds() // 60)
