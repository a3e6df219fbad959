"""Route contexts of the esco plugin: what the security policy checks."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound

from col_core.activities.models import Activity
from col_core.tenancy import get_city_row


class ActivityContext:
    """An activity of the city (404 otherwise); organisers of its organisation may edit it."""

    def __init__(self, request):
        self.activity = get_city_row(request.dbsession, Activity, int(request.matchdict["id"]))
        if self.activity is None:
            raise HTTPNotFound()
        self.organisation = self.activity.organisation
