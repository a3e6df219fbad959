"""The badges plugin's services.  Other plugins (playlists) find them with ``find_service``."""

from __future__ import annotations

from zope.interface import Interface


class IIssuerKeys(Interface):
    """Issuers and their signing keys.

    Every organisation is an issuer; its profile and keys are created the first time they are
    needed.  Each issuer has one active Ed25519 key (Data Integrity proofs) and one active RSA
    key (OB 2.0 JWS and VC-JWT).  Private keys are stored encrypted with a key derived from
    ``col.secret``.  Rotating retires the active key of that kind (it stays published, marked
    retired, so whatever it signed still verifies) and makes a new one.
    """

    def issuer_for(organisation):
        """The Issuer of ``organisation``, created with fresh keys when it has none."""

    def city_issuer(tenant):
        """The issuer of the city ``tenant`` itself (no organisation), created with fresh keys
        when it has none.  It endorses; it awards no badges."""

    def signing_key(issuer, kind):
        """``(IssuerKey, private key object)`` of the active key of ``kind`` ("ed25519"/"rsa")."""

    def rotate(issuer, kind):
        """Retire the active ``kind`` key and return the new IssuerKey."""


class IBadgeIssuer(Interface):
    """The one way anything awards or revokes a badge.

    Issuing checks the badge class's prerequisites (the recipient must hold each required badge
    of the same city), emails the recipient in their language (with a link to claim the badge
    into a new account when the address has none), and calls the ``col_badge_awarded`` hook in
    the same transaction.  Methods raise :class:`plugins.badges.services.IssueError` with a
    message for the person when a badge cannot be awarded.
    """

    def issue(badge_class, email, *, user=None, evidence=(), source="direct", notify=True):
        """Award ``badge_class`` to ``email`` (and ``user``, when known); return the Assertion.

        ``evidence`` is a list of ``{"url", "narrative", "name"}`` dicts (at least one of url
        or narrative).  Awarding a badge the person already holds (and that is neither revoked
        nor expired) returns the existing assertion.
        """

    def issue_many(badge_class, rows, *, source="csv"):
        """Award to many ``{"email", "evidence"}`` rows; return ``(assertions, errors)``.

        ``errors`` maps the row's ``line`` (else its 1-based position) to a message; rows with
        errors are skipped and the others issued.
        """

    def held(class_id, email, user=None):
        """The valid (neither revoked nor expired) assertion of that class the person holds."""

    def award(badge_class, user, *, evidence=(), source="completion"):
        """Award ``badge_class`` to a learner who earned it (completed its activity, had their
        evidence approved) and return the Assertion; or, when they lack a prerequisite badge,
        keep the award (a HeldAward with its evidence) and return None.  A held award is issued
        as soon as the learner is awarded the last missing prerequisite."""

    def missing_prerequisites(badge_class, user):
        """The prerequisite badge classes ``user`` does not hold yet (read only)."""

    def held_back(badge_class, user):
        """The HeldAward waiting for a prerequisite of ``user``, or None (read only)."""

    def revoke(assertion, reason):
        """Revoke ``assertion`` (hosted 410, RevocationList and status list follow) and call
        the ``col_badge_revoked`` hook in the same transaction (the learner's skills go)."""

    def emailed(token):
        """The assertion whose emailed accept link carries ``token``, or None."""

    def accept(assertion, user):
        """Move every badge of this city sent to ``assertion``'s address, and held by no
        account yet, into ``user``'s account; returns them.  Raises ``IssueError`` unless
        ``user`` has a verified email address equal to the one the badges were sent to."""

    def badge_for_subject(subject_type, subject_id, organisation, *, name, description, skills=()):
        """The default badge class of a subject (an activity, a playlist), created if missing.

        ``subject_type``/``subject_id`` name anything ("activity", "playlist", ...); ``skills``
        are ``{"uri": ESCO concept URI, "label": ...}`` dicts.  An existing class is returned
        unchanged (organisers may have edited it).
        """


class IBadgeCatalogue(Interface):
    """The city's badges as people find them: the public catalogue and the badges of a subject.

    Read only.  Filters come from the page's query string; :meth:`parse` and :meth:`search`
    raise :class:`plugins.badges.services.catalogue.CatalogueError` with a message per parameter when a
    filter cannot be applied.
    """

    def parse(params):
        """``Filters`` (skill URI, organisation slug, how earned, page) from ``params``."""

    def search(filters):
        """A ``CataloguePage``: one page of the city's badge classes (archived ones left out)
        matching ``filters``, each with the ways it is earned, and the choices of each filter."""

    def for_subject(subject_type, subject_id):
        """The badge classes of a subject ("activity", "playlist"), the default one first."""

    def subject_section(subject_type, subject_id, completion=""):
        """HTML listing the subject's badges for the signed-in person (held, or how to earn
        them, with a "Send evidence" button where evidence is needed), or None when it has
        none.  ``completion`` is the activity's way of completion ("check_in", ...)."""


class IEndorsements(Interface):
    """Endorsements: the city, or one of its organisations, vouches for another organisation's
    badge class or issuer (OB 2.0 Endorsement, OB 3.0 EndorsementCredential).

    An endorser is an organisation (``Organisation``) or the city itself (``None``); the view
    has already checked that the signed-in person may act for it (an owner or admin of the
    organisation, a city admin for the city).  Methods raise
    :class:`plugins.badges.services.endorsements.EndorsementError` with a message for the person.
    """

    def endorsers(subject):
        """Who the signed-in person may endorse ``subject`` (a BadgeClass or Issuer) as: a list
        of ``Endorser(organisation, name, endorsement)``, ``organisation`` None for the city,
        ``endorsement`` the endorser's standing endorsement of ``subject`` or None.  The
        subject's own organisation is never among them.  Read only."""

    def subject(kind, subject_id):
        """The BadgeClass (``kind`` "class") or organisation Issuer ("issuer") of this city
        with that id, or None."""

    def endorse(endorser, subject, comment):
        """Endorse ``subject`` as ``endorser`` saying ``comment``; return the Endorsement.
        Refused for the subject's own organisation, for a subject already endorsed by the same
        endorser (withdraw it first), and for an empty or too long comment."""

    def withdraw(endorser, endorsement_id):
        """Withdraw ``endorser``'s endorsement ``endorsement_id``; return it, or None when
        ``endorser`` made no such endorsement (in this city)."""

    def of(subject):
        """The endorsements, not withdrawn, of ``subject`` (a BadgeClass or Issuer)."""

    def endorsers_of_badges(badge_ids):
        """``{badge class id: [endorser names]}`` of the standing endorsements of those badge
        classes (for a list of badges, in one query)."""


class ILearnerRecord(Interface):
    """A person's Comprehensive Learner Record (CLR 2.0) across every city.

    The record is built when asked for, never stored: it holds the person's valid (neither
    revoked nor expired) badges as each city's issuer signed them, and is itself signed by the
    platform's own issuer (a ``did:key`` whose key is derived from ``col.secret``).
    """

    def export(user, form="ldp"):
        """The signed ClrCredential of ``user``'s valid badges in every city, or None when there
        is none (a CLR must hold at least one credential): with ``form`` "ldp" a dict with its
        Data Integrity proof, with "jwt" the compact VC-JWT (EdDSA, ``kid`` the did:key)."""

    def links(user):
        """``user``'s share links to their record, newest first (revoked ones included)."""

    def create_link(user):
        """A new public, unguessable RecordLink to ``user``'s record."""

    def revoke_link(user, link_id):
        """Revoke ``user``'s link ``link_id``; False when ``user`` has no such live link."""

    def shared(token, form="ldp"):
        """``(status, record)`` for a public link, the record in ``form`` as :meth:`export`: ("ok", the current record), ("gone", None)
        for a revoked link or a record with no valid badge left, ("unknown", None)."""


class IOpenBadgesApi(Interface):
    """The city's 1EdTech Open Badges 3.0 API (docs/badges.md, "Open Badges API").

    Applications register themselves (RFC 7591), a signed-in learner consents on the city's
    page, and the application then reads the learner's credentials and profile or adds
    credentials to their wallet with an access token.  Clients, codes and tokens belong to one
    city; secrets and tokens are kept as digests only.  Resource methods raise
    :class:`plugins.badges.services.ob_api.ApiRefusal` (authentication, scope) or
    :class:`plugins.badges.services.IssueError` (a credential or profile that cannot be taken).
    """

    def oauth():
        """The OAuth 2.0 authorization server (authlib's) for this request: its
        ``create_token_response``, ``create_endpoint_response("revocation" |
        "client_registration")`` and ``create_authorization_response`` answer those endpoints."""

    def consent_grant(user):
        """The validated authorization request (client, redirect URI, scope) for the consent
        page; raises authlib's OAuth2Error (with ``redirect_uri`` only when it may be used)."""

    def authenticate(scope):
        """``(token, user)`` of the request's Bearer access token, which must be live and carry
        ``scope``; raises ApiRefusal (401 without a good token, 403 without the scope)."""

    def credentials(user, since):
        """``[(credential, when)]`` of the learner's valid OB 3.0 credentials (signed JSON, or
        the compact VC-JWT an import came as), newest first; ``since`` keeps later ones only."""

    def upsert(user, data):
        """Verify the OB 3.0 credential ``data`` (JSON or compact VC-JWT; signature, status,
        recipient: it must be the learner's) and keep it in their wallet, replacing one with
        the same id; returns ``(replaced an existing one, the credential as kept)``."""

    def profile(user):
        """The learner's OB 3.0 Profile (an identifier of the person, name, e-mail)."""

    def update_profile(user, doc):
        """Take the name of the Profile ``doc``; returns the profile as it now is."""

    def connected_apps(user):
        """``[{"client", "since", "scopes"}]``: the applications the learner has live tokens of
        in this city."""

    def disconnect(user, client_id):
        """Revoke every token of the learner for ``client_id`` in this city; returns how many."""


class IWalletOffers(Interface):
    """Awarded badges issued into wallet apps (OpenID for Verifiable Credential Issuance 1.0,
    pre-authorized code flow; :mod:`plugins.badges.oid4vci` holds the wire formats).

    An offer names one badge of the request's city; its pre-authorized code is given once (in
    a QR code and an ``openid-credential-offer://`` link) and stored only as a digest.  It
    expires, and it is redeemed once: of two redemptions, even at the same moment, one gets an
    access token and the other ``invalid_grant``.  With the access token and a proof of the
    holder's key, the credential endpoint returns the badge's OB 3.0 credential, bound to that
    key (``credentialSubject.id``), as Data Integrity (``ldp_vc``) or VC-JWT (``jwt_vc_json``).
    Every refusal raises :class:`plugins.badges.oid4vci.OID4VCIError`.
    """

    def create(assertion, minutes=None):
        """A new :class:`plugins.badges.oid4vci.CreatedOffer` of ``assertion`` (not revoked)
        good for ``minutes`` (default: the ``badges.oid4vci.offer_minutes`` setting)."""

    def for_mail(assertion):
        """The offer an award e-mail carries (``badges.oid4vci.mail_offer_days``), or None when
        that setting is 0."""

    def live(code):
        """The link of the city's unexpired, unredeemed offer with this code, or None."""

    def issuer_metadata():
        """The city's Credential Issuer Metadata."""

    def authorization_server_metadata():
        """The city's OAuth authorization server metadata (RFC 8414)."""

    def redeem(grant_type, code):
        """The token response (``access_token``, ``c_nonce`` ...) for a pre-authorized code."""

    def nonce():
        """A fresh ``c_nonce``."""

    def credential(access_token, body):
        """The credential response for a credential request ``body`` (parsed JSON) made with
        ``access_token``."""
