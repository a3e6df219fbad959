"""A person's notifications are their data: in the export, and erased with the account."""

from __future__ import annotations

import json

from pyramid.i18n import TranslationString
from sqlalchemy import delete, select

from col_core.hookspecs import hookimpl
from col_core.notifications.models import Notification
from col_core.tenancy.models import Tenant
from col_core.tenancy.scoping import cross_tenant


@hookimpl
def col_account_export(request, user) -> dict[str, bytes]:
    session = request.dbsession
    with cross_tenant(session):
        slugs = dict(session.execute(select(Tenant.id, Tenant.slug)).all())
        rows = [
            {
                "city": slugs.get(n.tenant_id),
                "kind": n.kind,
                "text": request.localizer.translate(
                    TranslationString(n.message, domain=n.domain, mapping=n.mapping)
                ),
                "url": n.url,
                "created_at": n.created_at.isoformat(),
                "read_at": n.read_at and n.read_at.isoformat(),
            }
            for n in session.scalars(
                select(Notification)
                .where(Notification.user_id == user.id)
                .order_by(Notification.id)
            )
        ]
    data = {"emails_turned_off": list(user.email_opt_outs or ()), "notifications": rows}
    return {"notifications.json": json.dumps(data, indent=2, ensure_ascii=False).encode()}


@hookimpl
def col_account_deleted(request, user) -> None:
    with cross_tenant(request.dbsession) as session:
        session.execute(delete(Notification).where(Notification.user_id == user.id))
    user.email_opt_outs = []
