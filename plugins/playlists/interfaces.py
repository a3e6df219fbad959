"""The playlists plugin's services; views, hooks and commands find them with ``find_service``."""

from __future__ import annotations

from zope.interface import Interface


class IPlaylistBuilder(Interface):
    """Organisers building playlists in the request's city.

    Permission checks belong to the views; these methods enforce the business rules.  Errors
    are :class:`col_core.activities.interfaces.ValidationFailed` with one message per field.
    Nothing commits: the request's transaction does.
    """

    def get(playlist_id):
        """The playlist with this id in this city, or None (non-int ids give None)."""

    def for_organisation(organisation):
        """The organisation's playlists, newest first (archived ones included)."""

    def create(organisation, author, data):
        """Start a draft with the valid fields of ``data``; returns ``(playlist, errors)``."""

    def autosave(playlist, data):
        """Save what is valid of ``data`` into a draft and return the errors of the rest.
        A published or paused playlist changes all or nothing (raises ValidationFailed)."""

    def set_items(playlist, rows):
        """Replace the items by ``rows`` in order (``activity_id``, ``mandatory``, ``group``,
        ``unlock_after`` as an activity id, ``opens_at``, ``closes_at``, ``note``).  Activities
        of other organisations are included pending their consent, and they are emailed.
        All or nothing; raises ValidationFailed."""

    def problems(playlist):
        """Why the playlist's completion rule cannot work: field -> translatable message."""

    def publish(playlist):
        """Check the whole playlist, create its badges and open it to learners."""

    def archive(playlist):
        """Close the playlist to new learners; learners keep what they completed."""

    def answer(item, accept):
        """The included activity's organisation accepts or declines being in the playlist."""

    def review(playlist, now):
        """Lifecycle: warn the organisers once per item that became unavailable (expired,
        archived, declined, closed); pause a published playlist whose rule became impossible,
        and reopen a paused one whose rule works again.  Returns the unavailable items."""


class IPlaylistProgress(Interface):
    """Learners following playlists, and the badges they earn automatically."""

    def enrolment(playlist, user):
        """The user's enrolment in the playlist, or None."""

    def start(playlist, user):
        """Enrol the user (idempotent), counting activities they already completed; raises
        ValidationFailed when the playlist does not accept learners."""

    def progress(enrolment, now=None):
        """A :class:`plugins.playlists.rules.Progress` for the enrolment."""

    def next_steps(user):
        """For each playlist ``user`` follows and has not completed, the first open item that
        they have not done yet: ``[(playlist, item)]``, most recently started first."""

    def activity_completed(activity, user):
        """Record the completion in every playlist the user follows that includes the
        activity, then award what is due (exactly once)."""

    def award_due(enrolment):
        """Award every badge the enrolment earned and has not received; returns new awards.
        Without the badges plugin (not installed, or disabled in this city) awards are kept
        as pending and the organisers are told; :meth:`issue_pending` issues them later."""

    def issue_pending():
        """Issue the pending awards of this city if badges are available now; returns them."""


class IPlaylistTemplates(Interface):
    """Templates across cities: the one place that reads other cities' playlists.

    Only published template playlists are read, and only their own text and structure (title,
    description, the items' notes, kinds, groups and order): never activities, organisations,
    learners or anything else of the other city.
    """

    def templates():
        """Templates of every other city, as plain dicts (city names in the request's locale)."""

    def copy(template_id, organisation, author, mapping, title=None, description=None):
        """A new draft playlist of ``organisation`` from the template, each template item
        mapped (``mapping``: template item id -> activity id of this city) and the text
        optionally translated.  Raises ValidationFailed with one message per field."""
