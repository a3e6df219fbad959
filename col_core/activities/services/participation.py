"""The default :class:`IParticipationService`: joining, the waitlist, attendance, completion."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import zoneinfo

from pyramid.i18n import TranslationString, TranslationStringFactory
from sqlalchemy import func, select
from zope.interface import implementer

from col_core.activities.interfaces import IParticipationService, ValidationFailed
from col_core.activities.models import (
    Activity,
    ActivitySession,
    Attendance,
    Participation,
    ReminderSent,
)
from col_core.activities.schedule import as_utc
from col_core.db.locks import serialise
from col_core.db.meta import utcnow
from col_core.i18n.formatting import moment
from col_core.tenancy.scoping import get_city_row

_ = TranslationStringFactory("col")

ACTIVE = ("joined", "waitlisted")
# Check-in opens this many minutes before a session starts (the city's setting
# ``check_in_opens_minutes_before``) and closes when it ends.
CHECK_IN_OPENS_MINUTES = 30


@implementer(IParticipationService)
class ParticipationService:
    def __init__(self, request):
        self.request = request
        self.db = request.dbsession

    def participation(self, activity, user):
        if user is None:
            return None
        # Fresh from the database: under the lock, a copy loaded earlier may be out of date.
        return self.db.scalar(
            select(Participation)
            .where(Participation.activity_id == activity.id, Participation.user_id == user.id)
            .execution_options(populate_existing=True)
        )

    def participants(self, activity):
        return list(
            self.db.scalars(
                select(Participation)
                .where(Participation.activity_id == activity.id, Participation.status.in_(ACTIVE))
                .order_by(Participation.status, Participation.queued_at, Participation.id)
            )
        )

    def _joined_count(self, activity) -> int:
        return self.db.scalar(
            select(func.count(Participation.id)).where(
                Participation.activity_id == activity.id, Participation.status == "joined"
            )
        )

    def lock(self, activity):
        self.db.flush()
        serialise(self.db, f"activity:{activity.id}")
        # Whatever was read before the lock may be stale: the status and capacity count from now.
        self.db.refresh(activity)

    def join(self, activity, user):
        self.lock(activity)
        if activity.status != "published" or activity.is_expired:
            raise ValidationFailed(_("This activity is not open for joining."))
        participation = self.participation(activity, user)
        if participation is not None and participation.status in ACTIVE:
            return participation
        self._check_age(activity, user)
        full = activity.capacity is not None and self._joined_count(activity) >= activity.capacity
        if participation is None:
            participation = Participation(activity=activity, user=user)
            self.db.add(participation)
        participation.status = "waitlisted" if full else "joined"
        # Stamped under the lock, so the queue's order is the order in which places were given.
        participation.queued_at = utcnow()
        self.db.flush()
        self.request.hooks.col_activity_joined(
            request=self.request, activity=activity, participation=participation
        )
        return participation

    def _check_age(self, activity, user) -> None:
        """Refuse a learner outside the activity's ages, counted on the day it starts (today for
        one that has started or is always open), in the city's timezone."""
        low, high = activity.age_min, activity.age_max
        if low is None and high is None:
            return
        if low is not None and high is not None:
            ages = _(
                "This activity is for people aged ${min} to ${max}.",
                mapping={"min": low, "max": high},
            )
        elif low is not None:
            ages = _("This activity is for people aged ${min} and over.", mapping={"min": low})
        else:
            ages = _("This activity is for people aged ${max} and under.", mapping={"max": high})
        translate = self.request.localizer.translate
        if user.birth_date is None:
            raise ValidationFailed(
                _(
                    "${ages} Add your date of birth on your account page, then join again.",
                    mapping={"ages": translate(ages)},
                )
            )
        zone = zoneinfo.ZoneInfo(self.request.tenant.timezone)
        today = utcnow().astimezone(zone).date()
        starts = as_utc(activity.starts_at).astimezone(zone).date() if activity.starts_at else today
        age = user.age_on(max(starts, today))
        if (low is not None and age < low) or (high is not None and age > high):
            raise ValidationFailed(ages)

    def leave(self, activity, user):
        self.lock(activity)
        participation = self.participation(activity, user)
        if participation is None or participation.status not in ACTIVE:
            return
        participation.status = "left"
        self.db.flush()
        self.promote(activity)

    def promote(self, activity):
        self.lock(activity)
        if activity.status != "published":
            return []
        free = (
            None if activity.capacity is None else activity.capacity - self._joined_count(activity)
        )
        query = (
            select(Participation)
            .where(Participation.activity_id == activity.id, Participation.status == "waitlisted")
            .order_by(Participation.queued_at, Participation.id)
        )
        if free is not None:
            if free <= 0:
                return []
            query = query.limit(free)
        promoted = list(self.db.scalars(query))
        for participation in promoted:
            participation.status = "joined"
            self.db.flush()
            self._offer_place(participation.user, activity)
            self.request.hooks.col_activity_joined(
                request=self.request, activity=activity, participation=participation
            )
        return promoted

    def _offer_place(self, user, activity) -> None:
        from col_core.notifications import INotifications

        mapping = {"title": activity.title}
        self.request.find_service(INotifications).notify(
            user,
            "waitlist",
            _('A place freed up and you are now in "${title}". See you there!', mapping=mapping),
            url=self.request.route_url("activity", id=activity.id),
            subject=_("You have a place: ${title}", mapping=mapping),
        )

    # -- attendance and completion ---------------------------------------------------------------

    def mark_attendance(self, participation, session, method="organiser"):
        if session.activity_id != participation.activity_id:
            raise ValidationFailed(_("This session belongs to another activity."))
        exists = self.db.scalar(
            select(Attendance.id).where(
                Attendance.participation_id == participation.id, Attendance.session_id == session.id
            )
        )
        if exists is not None:
            return False
        attendance = Attendance(participation=participation, session_id=session.id, method=method)
        self.db.add(attendance)
        self.db.flush()
        self.request.hooks.col_attendance_marked(
            request=self.request, activity=participation.activity, attendance=attendance
        )
        if participation.activity.completion == "check_in":
            # Being there is what completes it: the badge follows without another click.
            self.complete([participation], by_user=None)
        return True

    def complete(self, participations, by_user):
        done = []
        for participation in participations:
            if participation.completed_at is not None or participation.status != "joined":
                continue
            participation.completed_at = utcnow()
            participation.completed_by_id = getattr(by_user, "id", None)
            done.append(participation)
        self.db.flush()
        for participation in done:
            self.request.hooks.col_activity_completed(
                request=self.request, activity=participation.activity, participation=participation
            )
        return done

    # -- QR codes --------------------------------------------------------------------------------

    def _signature(self, payload: str) -> str:
        key = self.request.registry.settings["col.secret"].encode()
        mac = hmac.new(key, b"col.attendance:" + payload.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac[:18]).decode()

    def session_token(self, session, lifetime_seconds=900):
        expires = int(utcnow().timestamp()) + lifetime_seconds
        payload = f"{session.tenant_id}.{session.id}.{expires}"
        return f"{payload}.{self._signature(payload)}"

    def check_in_session(self, token, user):
        invalid = ValidationFailed(
            _("This attendance code is not valid; scan the code shown at the session again.")
        )
        try:
            tenant_id, session_id, expires, signature = (token or "").split(".")
            numbers = int(tenant_id), int(session_id), int(expires)
        except ValueError:
            raise invalid from None
        if not hmac.compare_digest(
            signature, self._signature(f"{tenant_id}.{session_id}.{expires}")
        ):
            raise invalid
        if numbers[0] != self.request.tenant.id:
            raise invalid
        if numbers[2] < utcnow().timestamp():
            raise ValidationFailed(
                _("This attendance code has expired; ask the organiser to show the current one.")
            )
        session = get_city_row(self.db, ActivitySession, numbers[1])
        if session is None:
            raise invalid
        self._check_window(session)
        participation = self.participation(session.activity, user)
        # The code is shown in the room, so it proves presence, not an invitation.
        if session.activity.visibility == "private" and (
            participation is None or participation.status not in ACTIVE
        ):
            raise ValidationFailed(
                _(
                    "This activity is by invitation only: join it with your "
                    "invitation link first, or ask the organiser to mark you "
                    "present."
                )
            )
        return session

    def check_in_opens(self, session) -> dt.datetime:
        minutes = self.request.tenant.setting(
            "check_in_opens_minutes_before", CHECK_IN_OPENS_MINUTES
        )
        return as_utc(session.starts_at) - dt.timedelta(minutes=minutes)

    def _check_window(self, session) -> None:
        now = utcnow()
        opens = self.check_in_opens(session)
        if now < opens:
            raise ValidationFailed(
                _(
                    "Check-in for this session opens at ${when}.",
                    mapping={
                        "when": moment(
                            opens,
                            self.request.locale_name,
                            zoneinfo.ZoneInfo(self.request.tenant.timezone),
                        )
                    },
                )
            )
        if now > as_utc(session.ends_at):
            raise ValidationFailed(
                _(
                    "This session is over, so check-in has closed; ask the "
                    "organiser to mark you present."
                )
            )

    def attend_by_token(self, token, user):
        session = self.check_in_session(token, user)
        participation = self.join(session.activity, user)
        if participation.status != "joined":
            raise ValidationFailed(
                _(
                    "The activity is full, so you are on the waitlist; ask the "
                    "organiser to mark you present."
                )
            )
        self.mark_attendance(participation, session, method="qr")
        return participation

    # -- e-mail ----------------------------------------------------------------------------------

    def _locale_of(self, user) -> str:
        tenant = self.request.tenant
        allowed = tenant.locales or [tenant.default_locale]
        return user.preferred_locale if user.preferred_locale in allowed else tenant.default_locale

    def _tell(self, user, subject, body, activity, when: dt.datetime | None = None) -> None:
        """E-mail ``user`` in their language; ``subject`` and ``body`` are messages that may use
        ${title}, ${when} and ${url}."""
        from col_core.security.interfaces import IAccountService

        locale = self._locale_of(user)
        mapping = {
            "title": activity.title,
            "url": self.request.route_url("activity", id=activity.id),
        }
        if when is not None:
            mapping["when"] = moment(
                as_utc(when), locale, zoneinfo.ZoneInfo(self.request.tenant.timezone)
            )
        self.request.find_service(IAccountService).send(
            user,
            TranslationString(subject, mapping=mapping),
            TranslationString(body, mapping=mapping),
            locale=locale,
        )

    def send_reminders(self, now):
        horizon = now + dt.timedelta(hours=24)
        rows = self.db.execute(
            select(Participation, ActivitySession)
            .join(Activity, Activity.id == Participation.activity_id)
            .join(ActivitySession, ActivitySession.activity_id == Activity.id)
            .outerjoin(
                ReminderSent,
                (ReminderSent.participation_id == Participation.id)
                & (ReminderSent.session_id == ActivitySession.id),
            )
            .where(
                Activity.status == "published",
                Participation.status == "joined",
                ActivitySession.starts_at > now,
                ActivitySession.starts_at <= horizon,
                ReminderSent.id.is_(None),
            )
            .order_by(ActivitySession.starts_at, Participation.id)
        ).all()
        for participation, session in rows:
            self._tell(
                participation.user,
                _("Reminder: ${title}, ${when}"),
                _('"${title}" starts ${when}. We look forward to seeing you!\n\n${url}'),
                session.activity,
                when=session.starts_at,
            )
            self.db.add(ReminderSent(participation_id=participation.id, session_id=session.id))
        self.db.flush()
        return len(rows)
