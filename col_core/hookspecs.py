"""Every hook a Cities of Learning plugin can implement.

This module is the contract between the core and its plugins (first-party and outside ones
alike).  Implement a hook with ``@col_core.hookimpl`` in your plugin's ``hooks`` module.

Hooks called while serving a request go through ``request.hooks``, which leaves out plugins the
request's tenant has disabled: a disabled plugin is never called for that city.  Hooks called
outside a request (``col_settings_defaults``, ``col_configure``, ``col_cli_commands``,
``col_migrations``) reach every installed plugin.  ``docs/plugins.md`` documents each hook; a test
fails when one is missing there.  Hooks about one plugin's concept (badges awarded, map groups)
are that plugin's: its own ``hookspecs`` module declares them (``plugins/badges/hookspecs.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("col")
hookimpl = pluggy.HookimplMarker("col")


@dataclass(frozen=True)
class NavItem:
    """An entry of the site's main navigation."""

    title: str  # already translated for the request
    url: str
    order: int = 50
    icon: str = ""
    # Its page takes ``?q=``: the header's search box sends there (the map, on a city's site).
    search: bool = False


@dataclass(frozen=True)
class Section:
    """A block of a page assembled from plugins (home page, profile, dashboard)."""

    title: str  # already translated
    html: Any  # markupsafe.Markup, rendered by the plugin (e.g. with render())
    order: int = 50
    id: str = ""


@dataclass
class SearchDocument:
    """What a plugin puts into the city's search index (see ``col_search_documents``)."""

    kind: str  # "activity", "playlist", ...
    key: str  # unique within kind and tenant
    title: str
    body: str = ""
    url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SkillSubject:
    """Something of the city aligned with a skill, listed on the skill's page."""

    kind: str  # already translated: "Badge", "Playlist"
    title: str
    url: str


@dataclass(frozen=True)
class Report:
    """A dashboard of one of an organisation's things (see ``col_analytics_reports``)."""

    kind: str  # already translated: "Playlist"
    title: str
    url: str


@dataclass(frozen=True)
class Metric:
    """A figure a plugin adds to a dashboard or impact page (see ``col_metrics``)."""

    key: str  # stable and namespaced ("badges.claimed"); the column name in exports
    label: str  # already translated
    value: int | float
    # A count of people (or of what people did): shown as "fewer than k" below the city's
    # small-group threshold.  False for counts of things, like activities or playlists.
    people: bool = True
    order: int = 50
    # Whether a city may publish it on its public impact page (``analytics.impact_metrics``);
    # internal figures (evidence waiting for review, feedback responses) never are.
    public: bool = False


# -- application start-up ---------------------------------------------------------------------


@hookspec
def col_settings_defaults() -> dict[str, str]:
    """Return default values for this plugin's settings, namespaced by the plugin (``map.*``).

    Called once at start-up, before the app is configured; ini files and ``COL_*`` environment
    variables override these defaults.
    """


@hookspec
def col_configure(config) -> None:
    """Finish configuring the Pyramid ``config`` after every plugin's ``includeme`` has run.

    Use it for wiring that depends on other plugins being present (for example registering a
    service only when another plugin's interface is available).  Called for every installed
    plugin, whatever the tenants enable.
    """


@hookspec
def col_migrations() -> str:
    """Return the path of this plugin's alembic ``versions`` folder (its own lineage).

    ``col db upgrade`` upgrades every lineage to its head; the plugin's first revision must use
    ``branch_labels = ("<plugin name>",)`` and ``depends_on = "col_core"`` if it references core
    tables.
    """


@hookspec
def col_cli_commands() -> list:
    """Return ``click`` commands or groups to add to the ``col`` command (``col <group> ...``)."""


# -- pages ------------------------------------------------------------------------------------


@hookspec
def col_navigation(request) -> list[NavItem]:
    """Return navigation entries for the site header of the request's tenant."""


@hookspec
def col_home_sections(request) -> list[Section]:
    """Return sections for the city's home page (or the global site's home page)."""


@hookspec
def col_profile_sections(request, user) -> list[Section]:
    """Return sections for a learner's profile page (``user`` is the profile's owner)."""


@hookspec
def col_activity_sections(request, activity, participation) -> list[Section]:
    """Return sections for an activity's page (the badges it leads to and how to earn them);
    ``participation`` is the signed-in person's, or None.  Called during a GET: read only."""


@hookspec
def col_dashboard_sections(request, organisation) -> list[Section]:
    """Return sections for an organisation's dashboard, as seen by one of its organisers."""


@hookspec
def col_metrics(request, scope, period) -> list[Metric]:
    """Return this plugin's figures for a dashboard, an export or an impact page.

    ``scope`` is what the figures are about: a ``Tenant`` (the city dashboard and the city's
    public impact page), an ``Organisation`` (its organiser dashboard) or an ``Activity``.
    For the network-wide impact page ``scope`` is the global site's ``Tenant`` and the hook runs
    inside ``cross_tenant()``: return totals over every city, or nothing.
    ``period`` has ``start`` and ``end`` dates (``end`` excluded).  Compute with SQL aggregates
    on indexed columns; never load rows into Python.  Small-group suppression is applied by the
    caller from ``Metric.people``.
    """


@hookspec
def col_analytics_reports(request, organisation) -> list[Report]:
    """Return your dashboards of ``organisation``'s things (one per playlist, say), linked from
    its organiser dashboard next to the activities' own.  The person asking is a member of the
    organisation; each dashboard still checks who may see it.
    """


@hookspec
def col_skill_groups(request, uris: list[str]) -> dict[str, str]:
    """Group skill concept URIs for dashboards: return ``{uri: group label}`` (translated).

    The city dashboard calls it with the URIs of its most joined skills and adds up their joins
    per group (for ESCO: the top of each skill's hierarchy, such as "communication,
    collaboration and creativity").  Leave out URIs you do not know.
    """


@hookspec
def col_skill_subjects(request, uris: list[str]) -> list[SkillSubject]:
    """Return the city's things (playlists, badge classes, ...) aligned with any of ``uris``.

    A skill's page calls it with the skill and every narrower skill, so that learners find
    everything in the city that builds it.  Leave out what the person may not see.
    """


@hookspec(firstresult=True)
def col_skill_vocabulary(request):
    """Return the city's skill catalogue, an object providing
    ``col_core.skills.ISkillVocabulary`` (``search`` and ``choices``), or None.

    The skill picker of the activity, badge class and playlist forms, and the
    ``/api/v1/skills`` search it calls, use it to find skills by name in the page's language
    and to check what is posted.  The first answer wins; with no answer the picker keeps the
    skills already chosen and offers no search.
    """


# -- tenants and demo data --------------------------------------------------------------------


@hookspec
def col_tenant_launched(request, tenant, plugin_config: dict) -> None:
    """React to a tenant being created or updated by ``col tenant launch``.

    ``plugin_config`` is the plugin's own table of the tenant's configuration file
    (``[plugins.<name>]``), or ``{}``.  Must be idempotent: launching twice changes nothing more.
    Runs inside the launch transaction, with the tenant in context.
    """


@hookspec
def col_tenant_reseal(table: str, row: dict, old_secret: str, new_secret: str) -> dict | None:
    """Moving a city between deployments (``col tenant dump`` / ``col tenant load``): ``row``
    (column name -> JSON value) of the plugin's ``table`` holds values sealed with a secret;
    return it with them opened with ``old_secret`` and sealed with ``new_secret`` (a dump seals
    with the operator's passphrase, a load with the deployment's ``col.secret``).  Return None
    for a table that is not the plugin's or holds nothing sealed; raise ValueError when
    ``old_secret`` does not open the value (a wrong passphrase)."""


@hookspec
def col_seed_demo(request, tenant) -> list[str] | None:
    """Create this plugin's demo data for ``tenant`` (called by ``col demo``, tenant in context).

    The core seeds organisations, people and activities first (``tryfirst``), so plugins can
    build on them.  Return lines worth printing for the person running the demo (demo accounts
    and what to try), or None.
    """


# -- search -----------------------------------------------------------------------------------


@hookspec
def col_search_documents(request, tenant) -> list[SearchDocument]:
    """Yield every search document this plugin contributes for ``tenant`` (full reindex)."""


@hookspec
def col_skill_labels(connection, uris: list[str], languages: list[str]) -> dict:
    """The labels of these skill concepts in ``languages`` (the city's locales), for the search
    index: ``{uri: [(language, label), ...]}``, preferred, alternative and hidden alike.

    Called whenever activities tagged with skills are indexed, inside the flush that writes them:
    read with Core statements on ``connection``, write nothing.  Only the city's enabled plugins
    are asked.  When your labels change, call ``col_core.activities.search.skills_relabelled``.
    """


# -- domain events ----------------------------------------------------------------------------


@hookspec
def col_activity_published(request, activity) -> None:
    """An activity became visible in discovery (first publication or republication)."""


@hookspec
def col_activity_changed(request, activity) -> None:
    """An organiser saved changes to a published activity (webhooks tell subscribers).  Runs in
    the same transaction."""


@hookspec
def col_activity_joined(request, activity, participation) -> None:
    """A learner joined an activity (``participation.status`` tells joined or waitlisted)."""


@hookspec
def col_attendance_marked(request, activity, attendance) -> None:
    """A learner was marked present at one of ``activity``'s sessions (by an organiser or by
    scanning the session's QR code).  Runs in the same transaction."""


@hookspec
def col_activity_completed(request, activity, participation) -> None:
    """A learner's participation was marked completed: by an organiser, or, for an activity
    completed by check-in (``activity.completion == "check_in"``), by being marked present.

    Badges issue the activity's badge; playlists advance.  Runs in the same transaction.
    """


@hookspec
def col_activities_viewed(request, day, views: dict[int, int]) -> None:
    """Learners viewed activities' pages of ``request.tenant`` on ``day``: ``views`` is
    ``{activity id: number of views}``.  Called in batches, in a transaction of its own, some
    time after the views (a GET writes nothing; see ``col_core.db.tallies``); organisers'
    views of their own activities are not counted."""


# -- accounts and privacy ---------------------------------------------------------------------


@hookspec
def col_account_export(request, user) -> dict[str, bytes]:
    """Return files for the person's GDPR data export, by path inside the ZIP.

    Use a folder named after the plugin (``{"badges/assertions.json": b"..."}``).  Called for
    every installed plugin, whatever the request's city enables: an account spans cities, so
    read across tenants explicitly with ``cross_tenant``.
    """


@hookspec
def col_file_viewer(request, stored_file, user) -> bool | None:
    """Return True when ``user`` may see the private ``stored_file`` of the request's city.

    The core already allows the owner and the city's administrators (and, for a verification
    document, its organisation's owners and admins); a plugin that keeps private files adds
    those who must see them to do their job (the badges plugin: who may review evidence).
    Return None otherwise: one True is enough, so never return False to forbid.
    """


@hookspec
def col_account_deleted(request, user) -> None:
    """The person deleted their account; erase or anonymise what the plugin holds about them.

    Called in the same transaction, after the core erased the account's personal data (email,
    name, picture, birth date); ``user.id`` is unchanged and the row stays, anonymous.  Keep
    records others rely on (issued badges stay verifiable) but remove personal data from them.
    Called for every installed plugin, like ``col_account_export``.
    """
