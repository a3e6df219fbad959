"""The contract of stored files with owners (``request.find_service(IStoredFiles)``)."""

from __future__ import annotations

from zope.interface import Interface


class IStoredFiles(Interface):
    """Every upload goes through here: the bytes to ``IFileStorage``, a ``StoredFile`` row for
    the request's city saying who owns it and who may see it.  Public files (pictures, logos,
    covers, badge images, branding) are served to anyone on their city's site; private ones
    (badge evidence, verification documents) only to those :meth:`may_view` allows."""

    def put(data: bytes, allowed: set[str], *, purpose: str, visibility: str, owner=None) -> str:
        """Check and store ``data`` (see ``IFileStorage.put``, which raises ``UploadRejected``)
        and record it in this city, owned by ``owner`` (default: the signed-in person).
        Returns the key."""

    def record(key: str, *, purpose: str, visibility: str, owner=None, size=None):
        """Record an already stored key in this city (one row per owner, purpose and
        visibility); returns the ``StoredFile``."""

    def usable(key: str) -> bool:
        """Whether the signed-in person may put ``key`` on something public of this city (a
        cover, a resource): a public file of this city, or one of their own here."""

    def publish(key: str, owner) -> None:
        """Make ``owner``'s private ``key`` in this city public (evidence a learner chose to
        show with the badge it earned)."""

    def rows(key: str) -> list:
        """The ``StoredFile`` rows of ``key`` in this city (account pictures: in any city)."""

    def may_view(stored_file, user) -> bool:
        """Whether ``user`` (or None) may see the file: public; the owner; a city admin of its
        city; for a verification document, its organisation's owners and admins; or what a
        plugin allows through ``col_file_viewer`` (evidence reviewers)."""

    def of_owner(user) -> list:
        """Every ``StoredFile`` ``user`` owns, in every city (for the data export)."""

    def erase_owner(user) -> None:
        """The account is being deleted: its private files and pictures go (the bytes too,
        after commit, when no other row in any city references the key); public files made
        for an organisation (logos, covers, badge images) stay with it, without an owner."""
