"""The core's events become webhook events, in the events' own transaction."""

from __future__ import annotations

from col_core.hookspecs import hookimpl
from col_core.webhooks.events import activity_data
from col_core.webhooks.interfaces import IWebhooks


def _emit(request, event, data, organisation_id) -> None:
    request.find_service(IWebhooks).emit(event, data, organisation_id)


@hookimpl
def col_activity_published(request, activity) -> None:
    _emit(
        request,
        "activity.published",
        {"activity": activity_data(request, activity)},
        activity.organisation_id,
    )


@hookimpl
def col_activity_changed(request, activity) -> None:
    _emit(
        request,
        "activity.changed",
        {"activity": activity_data(request, activity)},
        activity.organisation_id,
    )


def _participation(request, activity, participation) -> dict:
    return {
        "activity": activity_data(request, activity),
        "participation": {
            "id": participation.id,
            "status": participation.status,
            "learner_id": participation.user_id,
        },
    }


@hookimpl
def col_activity_joined(request, activity, participation) -> None:
    _emit(
        request,
        "participation.joined",
        _participation(request, activity, participation),
        activity.organisation_id,
    )


@hookimpl
def col_activity_completed(request, activity, participation) -> None:
    _emit(
        request,
        "participation.completed",
        _participation(request, activity, participation),
        activity.organisation_id,
    )
