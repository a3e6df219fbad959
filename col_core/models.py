"""Every model of the core, imported in one place so the MetaData is complete."""

from col_core.activities.models import (  # noqa: F401,E501
    Activity,
    ActivityCoOrganiser,
    ActivitySession,
    ActivitySkill,
    Attendance,
    Participation,
    ReminderSent,
)
from col_core.activities.search.models import SearchDocumentRow, SearchVersion  # noqa: F401
from col_core.analytics.models import ActivityFeedback, DailyMetric  # noqa: F401
from col_core.files.models import StoredFile  # noqa: F401
from col_core.jobs.models import Job  # noqa: F401
from col_core.notifications.models import Notification  # noqa: F401
from col_core.organisations.models import Invitation, Membership, Organisation  # noqa: F401
from col_core.pictures.models import Picture  # noqa: F401
from col_core.security.models import (  # noqa: F401,E501
    ApiToken,
    AuthAttempt,
    CityAdmin,
    Consent,
    User,
    UserSession,
    UserToken,
)
from col_core.tenancy.models import Tenant, TenantHost  # noqa: F401
from col_core.webhooks.models import WebhookAttempt, WebhookSubscription  # noqa: F401
