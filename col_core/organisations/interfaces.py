"""The organisations service contract."""

from __future__ import annotations

from zope.interface import Interface


class IOrganisationService(Interface):
    """Organisations of the request's city, their members and invitations.

    Works in the request's transaction and tenant; raises nothing for business refusals but
    returns None or False, so views can answer with a message.
    """

    def create(owner, values: dict):
        """Create an organisation from cleaned ``values`` with ``owner`` as its owner."""

    def update(organisation, values: dict) -> None:
        """Apply cleaned ``values`` to the organisation."""

    def invite(organisation, inviter, role: str, email: str | None) -> str:
        """Create an invitation and return its secret (emailed when ``email`` is given)."""

    def find_invitation(secret: str):
        """The usable invitation with this secret in this city, or None."""

    def accept(invitation, user):
        """Make ``user`` a member with the invitation's role (keeps a higher existing role)."""

    def remove_member(organisation, membership) -> bool:
        """Remove a member; refuses (False) to remove the last owner."""

    def change_role(organisation, membership, role: str) -> bool:
        """Give a member another role; refuses (False) to leave the organisation without an
        owner."""

    def verify(organisation, method: str, document: str | None, reason: str = "") -> None:
        """Mark the organisation verified by a city admin ("manual" or "document") and tell
        its members, with the city's ``reason`` when given."""

    def suspend(organisation, suspended: bool, reason: str = "") -> None:
        """Suspend (hide, stop publishing) or reinstate the organisation and tell its members
        why (``reason``)."""
