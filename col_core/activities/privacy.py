"""What the activities domain holds about a person, for their data export and their account's
deletion (the ``col_account_export`` and ``col_account_deleted`` hooks)."""

from __future__ import annotations

from sqlalchemy import func, select

from col_core.activities.interfaces import IParticipationService
from col_core.activities.models import Activity, ActivitySession, Attendance, Participation
from col_core.security.views.privacy import as_json
from col_core.tenancy.acting import acting_as
from col_core.tenancy.models import Tenant
from col_core.tenancy.scoping import cross_tenant, get_city_row

ACTIVE = ("joined", "waitlisted")


def _waitlist_position(session, participation) -> int:
    return (
        session.scalar(
            select(func.count(Participation.id)).where(
                Participation.activity_id == participation.activity_id,
                Participation.status == "waitlisted",
                (Participation.queued_at < participation.queued_at)
                | (
                    (Participation.queued_at == participation.queued_at)
                    & (Participation.id < participation.id)
                ),
            )
        )
        + 1
    )


def participations_export(request, user) -> dict[str, bytes]:
    """Every activity the person joined, waited for or left, in every city, with the sessions
    they attended and whether they completed it."""
    session = request.dbsession
    rows = []
    # An account spans cities, so its export deliberately reads across tenants.
    with cross_tenant(session):
        cities = dict(session.execute(select(Tenant.id, Tenant.slug)).all())
        for participation, activity in session.execute(
            select(Participation, Activity)
            .join(Activity, Activity.id == Participation.activity_id)
            .where(Participation.user_id == user.id)
            .order_by(Participation.created_at, Participation.id)
        ):
            attended = session.execute(
                select(Attendance, ActivitySession.starts_at)
                .join(ActivitySession, ActivitySession.id == Attendance.session_id)
                .where(Attendance.participation_id == participation.id)
                .order_by(ActivitySession.starts_at)
            ).all()
            rows.append(
                {
                    "city": cities.get(participation.tenant_id),
                    "activity_id": activity.id,
                    "activity": activity.title,
                    "organisation": activity.organisation.name,
                    "status": participation.status,
                    "waitlist_position": _waitlist_position(session, participation)
                    if participation.status == "waitlisted"
                    else None,
                    "since": participation.created_at.isoformat(),
                    "queued_at": participation.queued_at.isoformat(),
                    "completed_at": participation.completed_at
                    and participation.completed_at.isoformat(),
                    "attendance": [
                        {
                            "session_starts_at": starts_at.isoformat(),
                            "marked_at": attendance.marked_at.isoformat(),
                            "method": attendance.method,
                        }
                        for attendance, starts_at in attended
                    ],
                }
            )
    return {"activities/participations.json": as_json(rows)}


def leave_every_activity(request, user) -> None:
    """Give up every place and waitlist spot the person holds in activities not over yet, in
    each activity's own city, through the participation service: the waitlist is promoted and
    the promoted learner is told, exactly as when the person leaves by themselves.  Finished
    activities keep the participation as their record."""
    session = request.dbsession
    with cross_tenant(session):
        held = session.execute(
            select(Participation.tenant_id, Participation.activity_id)
            .join(Activity, Activity.id == Participation.activity_id)
            .where(
                Participation.user_id == user.id,
                Participation.status.in_(ACTIVE),
                ~Activity.is_expired,
            )
            .order_by(Participation.tenant_id, Participation.activity_id)
        ).all()
        tenants = {
            t.id: t
            for t in session.scalars(
                select(Tenant).where(Tenant.id.in_({tenant_id for tenant_id, _id in held}))
            )
        }
    service = request.find_service(IParticipationService)
    for tenant_id, activity_id in held:
        with acting_as(request, tenants[tenant_id]):
            service.leave(get_city_row(session, Activity, activity_id), user)
