"""Verify a badge of either version from whatever a person hands us.

Input is bytes or text: a baked PNG/SVG, an OB 2.0 assertion (JSON, URL or JWS), or an OB 3.0
credential (JSON with a Data Integrity proof, or a VC-JWT). Everything that must come from the
issuer (hosted assertions, badge classes, keys, revocation and status lists) is obtained
through the caller's ``fetch(url) -> (status, body, content_type)``, so the platform can apply
its own network policy (timeouts, size limits, no private addresses) and tests can use a local
server. JSON-LD contexts are never fetched: they come from the bundle.

The answer is a :class:`VerificationResult`; this module raises only for programming errors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urldefrag, urlsplit

from . import baking, integrity, keys, ob2, ob3, status_list
from ._dates import parse_iso

__all__ = ["Fetch", "VerificationResult", "verify"]

Fetch = Callable[[str], "tuple[int, bytes, str]"]
_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


@dataclass
class VerificationResult:
    """The outcome. ``valid`` is true only when ``status == "valid"``.

    ``status`` is ``"invalid"`` (bad signature, unreachable issuer data, wrong recipient...),
    ``"revoked"``, ``"expired"`` or ``"valid"``; ``reasons`` says why in English for logs and
    for the person (the view may translate the status, not the reasons). ``format`` is one of
    ``ob2-hosted``, ``ob2-signed``, ``ob3-di``, ``ob3-jwt`` or ``unknown``.
    """

    valid: bool = False
    status: str = "invalid"
    reasons: list[str] = field(default_factory=list)
    format: str = "unknown"
    issuer_name: str | None = None
    badge_name: str | None = None
    issued_on: str | None = None
    recipient_matches: bool | None = None
    baked_in: str | None = None
    document: dict | None = None


class _Invalid(Exception):
    """Stop verification: the badge is invalid for the reason given."""


def _fetch_json(fetch: Fetch, url: str, what: str) -> tuple[int, dict | str]:
    try:
        status, body, _ctype = fetch(url)
    except Exception as exc:
        raise _Invalid(f"could not fetch {what} {url}: {exc}") from exc
    if status == 410:
        return status, {}
    if status != 200:
        raise _Invalid(f"{what} {url} answered HTTP {status}")
    text = body.decode("utf-8", "replace").strip()
    if _JWS.match(text):
        return status, text
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise _Invalid(f"{what} {url} is not JSON") from exc
    if not isinstance(doc, dict):
        raise _Invalid(f"{what} {url} is not a JSON object")
    return status, doc


def _get_doc(fetch: Fetch, url: str, what: str) -> dict:
    status, doc = _fetch_json(fetch, url, what)
    if status != 200 or not isinstance(doc, dict):
        raise _Invalid(f"{what} {url} is not available")
    return doc


def _same_origin(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.scheme, pa.netloc) == (pb.scheme, pb.netloc)


def _name(value) -> str | None:
    # OB 3.0 allows language maps in some places; show the first value rather than a dict.
    if isinstance(value, dict):
        return next(iter(value.values()), None)
    return value


def _finish_dates(result: VerificationResult, until: str | None, now: datetime) -> None:
    if until and parse_iso(until) < now:
        result.status = "expired"
        result.reasons.append(f"expired on {until}")


def _check_recipient(result: VerificationResult, identities: list[dict], emails: list[str]):
    if not emails:
        return
    result.recipient_matches = any(
        ob2.recipient_matches(identity, email) for identity in identities for email in emails
    )
    if not result.recipient_matches:
        raise _Invalid("the badge was not awarded to this email address")


def _ob3_identities(subject: dict) -> list[dict]:
    """The subject's IdentityObjects, plus its ``id`` when that is a ``mailto:`` address."""
    identities = [i for i in subject.get("identifier") or [] if isinstance(i, dict)]
    subject_id = subject.get("id")
    if isinstance(subject_id, str) and subject_id.lower().startswith("mailto:"):
        identities.append(
            {
                "identityType": "emailAddress",
                "hashed": False,
                "identityHash": subject_id[len("mailto:") :],
            }
        )
    return identities


# ----------------------------------------------------------------------------- OB 2.0


def _ob2_badge_and_issuer(fetch: Fetch, assertion: dict) -> tuple[dict, dict]:
    badge = assertion.get("badge")
    if not isinstance(badge, dict):
        badge = _get_doc(fetch, str(badge), "badge class")
    issuer = badge.get("issuer")
    if not isinstance(issuer, dict):
        issuer = _get_doc(fetch, str(issuer), "issuer")
    return badge, issuer


def _ob2_common(result, assertion, badge, issuer, emails, now) -> None:
    result.document = assertion
    result.badge_name = _name(badge.get("name"))
    result.issuer_name = _name(issuer.get("name"))
    result.issued_on = assertion.get("issuedOn")
    recipient = assertion.get("recipient") or {}
    _check_recipient(result, [recipient], emails)
    if result.status == "valid":
        _finish_dates(result, assertion.get("expires"), now)


def _ob2_hosted(result, fetch, assertion: dict, emails, now) -> None:
    result.format = "ob2-hosted"
    url = assertion.get("id")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise _Invalid("hosted assertion has no HTTP(S) id")
    # The copy at the assertion's own URL is the authority, not what we were handed.
    status, hosted = _fetch_json(fetch, url, "assertion")
    if status == 410 or (isinstance(hosted, dict) and hosted.get("revoked") is True):
        result.status = "revoked"
        result.reasons.append("the issuer has revoked this assertion")
        reason = hosted.get("revocationReason") if isinstance(hosted, dict) else None
        if reason:
            result.reasons.append(str(reason))
        if not isinstance(hosted, dict) or not hosted.get("badge"):
            return
    if not isinstance(hosted, dict):
        raise _Invalid("hosted assertion URL did not return JSON")
    if hosted.get("id") != url:
        raise _Invalid("hosted assertion's id differs from the URL it is served at")
    badge, issuer = _ob2_badge_and_issuer(fetch, hosted)
    if not _same_origin(url, str(issuer.get("id", ""))):
        raise _Invalid("assertion is not hosted on the issuer's origin")
    _ob2_common(result, hosted, badge, issuer, emails, now)


def _ob2_signed(result, fetch, token: str, emails, now) -> None:
    result.format = "ob2-signed"
    try:
        header, claimed = ob2.jws_payload_unverified(token)
    except ob2.JWSError as exc:
        raise _Invalid(str(exc)) from exc
    if header.get("alg") != "RS256":
        raise _Invalid(f"unsupported JWS algorithm {header.get('alg')!r}")
    creator = (claimed.get("verification") or {}).get("creator")
    if not isinstance(creator, str):
        raise _Invalid("signed assertion names no verification.creator key")
    key_doc = _get_doc(fetch, creator, "public key")
    try:
        public_key = keys.public_key_from_pem(key_doc.get("publicKeyPem", ""))
        assertion = ob2.verify_jws(token, public_key)
    except (ValueError, ob2.JWSError) as exc:
        raise _Invalid(f"signature does not verify: {exc}") from exc
    badge, issuer = _ob2_badge_and_issuer(fetch, assertion)
    if key_doc.get("owner") != issuer.get("id"):
        raise _Invalid("the signing key is not owned by the badge's issuer")
    listed = issuer.get("publicKey")
    listed = listed if isinstance(listed, list) else [listed]
    if listed != [None] and not any(
        k == creator or (isinstance(k, dict) and k.get("id") == creator) for k in listed
    ):
        raise _Invalid("the issuer profile does not list the signing key")
    if issuer.get("revocationList"):
        revoked = _get_doc(fetch, issuer["revocationList"], "revocation list")
        for entry in revoked.get("revokedAssertions") or []:
            entry_id = entry.get("id") if isinstance(entry, dict) else entry
            if entry_id == assertion.get("id") or entry_id == assertion.get("uid"):
                result.status = "revoked"
                result.reasons.append("listed in the issuer's revocation list")
                if isinstance(entry, dict) and entry.get("revocationReason"):
                    result.reasons.append(str(entry["revocationReason"]))
    _ob2_common(result, assertion, badge, issuer, emails, now)


# ----------------------------------------------------------------------------- OB 3.0


def _listed(controller_doc: dict, method: str) -> bool:
    listed = controller_doc.get("assertionMethod") or []
    if not isinstance(listed, list):
        listed = [listed]
    for entry in listed:
        # A method is listed by its id, or embedded whole.
        if entry == method or (isinstance(entry, dict) and entry.get("id") == method):
            return True
    return False


def _key_named(jwks_keys: list, names: tuple[str, str]) -> dict:
    """The key of a JWKS whose ``kid`` is one of ``names``, or an empty one."""
    matching = (key for key in jwks_keys if key.get("kid") in names)
    return next(matching, {})


def _resolve_did_web(fetch: Fetch, method: str) -> integrity.ResolvedMethod:
    """A ``did:web:...#key`` method: fetch the DID document over HTTPS, find the Multikey in it
    and check the DID lists it for assertions (the key then speaks for that DID alone)."""
    did = method.split("#")[0]
    try:
        url = keys.did_web_url(did)
    except ValueError as exc:
        raise _Invalid(str(exc)) from exc
    doc = _get_doc(fetch, url, "DID document")
    if doc.get("id") != did:
        raise _Invalid(f"the DID document at {url} is not the one of {did}")
    found = next(
        (
            m
            for m in doc.get("verificationMethod") or []
            if isinstance(m, dict) and m.get("id") == method
        ),
        None,
    )
    if found is None or found.get("controller") != did:
        raise _Invalid(f"{did} does not publish the key {method}")
    public_key = keys.ed25519_from_multibase(found.get("publicKeyMultibase", ""))
    return integrity.ResolvedMethod(public_key, did, _listed(doc, method))


def _resolver(fetch: Fetch) -> Callable[[str], integrity.ResolvedMethod]:
    def resolve(method: str) -> integrity.ResolvedMethod:
        if method.startswith("did:key:"):
            return integrity.ResolvedMethod(keys.resolve_did_key(method), method.split("#")[0])
        if method.startswith("did:web:"):
            return _resolve_did_web(fetch, method)
        if not method.startswith(("http://", "https://")):
            raise ValueError(f"unsupported verification method {method}")
        doc = _get_doc(fetch, urldefrag(method)[0], "verification method")
        if doc.get("id") != method:
            # A controller document with the method embedded under verificationMethod.
            doc = next(
                (
                    m
                    for m in doc.get("verificationMethod") or []
                    if isinstance(m, dict) and m.get("id") == method
                ),
                {},
            )
        public_key = keys.ed25519_from_multibase(doc.get("publicKeyMultibase", ""))
        controller = doc.get("controller")
        if not isinstance(controller, str):
            raise ValueError("verification method names no controller")
        controller_doc = _get_doc(fetch, controller, "key controller")
        return integrity.ResolvedMethod(public_key, controller, _listed(controller_doc, method))

    return resolve


def _ob3_status(result, fetch, credential: dict, resolve) -> None:
    entries = credential.get("credentialStatus") or []
    for entry in entries if isinstance(entries, list) else [entries]:
        url = entry.get("statusListCredential") if isinstance(entry, dict) else None
        if not url:
            raise _Invalid("credentialStatus without a statusListCredential")
        listing = _get_doc(fetch, url, "status list")
        try:
            integrity.verify(listing, resolve, expected_controller=ob3._issuer_id(credential))
        except integrity.ProofError as exc:
            raise _Invalid(f"status list does not verify: {exc}") from exc
        try:
            is_set = status_list.entry_is_set(entry, listing)
        except status_list.StatusListError as exc:
            raise _Invalid(f"status list unusable: {exc}") from exc
        if is_set and entry.get("statusPurpose") in ("revocation", "suspension"):
            result.status = "revoked"
            result.reasons.append(
                "revoked by the issuer"
                if entry["statusPurpose"] == "revocation"
                else "suspended by the issuer"
            )


def _ob3_common(result, fetch, credential: dict, resolve, emails, now) -> None:
    result.document = credential
    result.issuer_name = _embedded_name(credential.get("issuer"))
    subject = credential.get("credentialSubject") or {}
    result.badge_name = _achievement_name(credential, subject)
    issued_on = credential.get("validFrom") or credential.get("issuanceDate")
    result.issued_on = issued_on
    if issued_on and parse_iso(issued_on) > now:
        raise _Invalid(f"not valid before {issued_on}")
    _check_recipient(result, _ob3_identities(subject), emails)
    _ob3_status(result, fetch, credential, resolve)
    if result.status == "valid":
        valid_until = credential.get("validUntil") or credential.get("expirationDate")
        _finish_dates(result, valid_until, now)


def _achievement_name(credential: dict, subject: dict) -> str | None:
    achievement = subject.get("achievement") or {}
    return _name(achievement.get("name") or credential.get("name"))


def _embedded_name(issuer) -> str | None:
    """An embedded issuer's name; an issuer given by its id alone has none here."""
    if not isinstance(issuer, dict):
        return None
    return _name(issuer.get("name"))


def _ob3_di(result, fetch, credential: dict, emails, now) -> None:
    result.format = "ob3-di"
    resolve = _resolver(fetch)
    try:
        ob3.verify_proof(credential, resolve)
    except integrity.ProofError as exc:
        raise _Invalid(f"proof does not verify: {exc}") from exc
    _ob3_common(result, fetch, credential, resolve, emails, now)


def _ob3_jwt(result, fetch, token: str, emails, now) -> None:
    result.format = "ob3-jwt"

    def resolve_kid(kid: str):
        if kid.startswith("did:web:"):
            method = _resolve_did_web(fetch, kid)
            if not method.assertion_method:
                raise _Invalid(f"{method.controller} does not list {kid} for assertions")
            return method.public_key, method.controller
        url, fragment = urldefrag(kid)
        doc = _get_doc(fetch, url, "JWT key")
        if "keys" in doc:  # a JWKS: pick the key by its kid
            doc = _key_named(doc["keys"], (kid, fragment))
        jwk = doc.get("publicKeyJwk", doc)
        return keys.public_key_from_jwk(jwk), doc.get("controller")

    found: dict = {}

    def resolve_and_remember(kid: str):
        found["key"], found["controller"] = resolve_kid(kid)
        found["kid"] = kid
        return found["key"]

    try:
        credential = ob3.from_vc_jwt(token, resolve_kid=resolve_and_remember, now=now)
    except ob3.VCJWTError as exc:
        raise _Invalid(str(exc)) from exc
    issuer_id = ob3._issuer_id(credential) or ""
    if "kid" not in found:
        raise _Invalid("VC-JWT names no key URL (kid); an embedded jwk is not bound to the issuer")
    owner = found["controller"]
    if not (owner == issuer_id or (owner is None and _same_origin(found["kid"], issuer_id))):
        raise _Invalid("the VC-JWT key does not belong to the issuer")
    _ob3_common(result, fetch, credential, _resolver(fetch), emails, now)


# ----------------------------------------------------------------------------- entry point


def _dispatch(result, fetch, text: str, emails, now, depth: int = 0) -> None:
    text = text.strip()
    if text.startswith(("http://", "https://")) and depth == 0:
        status, doc = _fetch_json(fetch, text, "badge")
        if status == 410:
            result.format, result.status = "ob2-hosted", "revoked"
            result.reasons.append("the issuer has revoked this assertion")
            return
        return _dispatch(
            result, fetch, doc if isinstance(doc, str) else json.dumps(doc), emails, now, depth + 1
        )
    if _JWS.match(text):
        try:
            _header, payload = ob2.jws_payload_unverified(text)
        except ob2.JWSError as exc:
            raise _Invalid(str(exc)) from exc
        if "vc" in payload or "VerifiableCredential" in str(payload.get("type")):
            return _ob3_jwt(result, fetch, text, emails, now)
        return _ob2_signed(result, fetch, text, emails, now)
    try:
        doc = json.loads(text)
    except ValueError:
        raise _Invalid("not a badge: neither an image, a URL, JSON nor a JWS") from None
    if not isinstance(doc, dict):
        raise _Invalid("not a badge: JSON is not an object")
    types = doc.get("type")
    types = types if isinstance(types, list) else [types]
    if "VerifiableCredential" in types:
        return _ob3_di(result, fetch, doc, emails, now)
    if "Assertion" in types or "recipient" in doc:
        if (doc.get("verification") or {}).get("type", "hosted").lower() in (
            "hosted",
            "hostedbadge",
        ):
            return _ob2_hosted(result, fetch, doc, emails, now)
        raise _Invalid("a signed OB 2.0 assertion must be verified from its JWS, not its JSON")
    raise _Invalid("JSON is neither an OB 2.0 assertion nor a verifiable credential")


def verify(
    data: bytes | str,
    fetch: Fetch,
    *,
    email: str | Sequence[str] | None = None,
    now: datetime | None = None,
) -> VerificationResult:
    """Verify a badge given as image bytes, JSON, a URL or a JWS; never raises for bad input.

    ``email``, when given, is the recipient's address, or a list of addresses of which one
    must be the recipient (plain and hashed email identities are checked; identities of other
    kinds never match); ``now`` defaults to the current time and exists for tests.
    """
    now = now or datetime.now(UTC)
    emails = [email] if isinstance(email, str) else list(email or ())
    result = VerificationResult(status="valid")
    try:
        raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        text = raw.decode("utf-8", "replace")
        if raw.startswith(b"\x89PNG") or "<svg" in text[:4096]:
            baked = baking.unbake(raw)
            if baked is None:
                raise _Invalid("the image carries no badge")
            result.baked_in = baked.image_type
            text = baked.value
        _dispatch(result, fetch, text, emails, now)
    except (_Invalid, baking.BakingError) as exc:
        result.status = "invalid"
        result.reasons.append(str(exc))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        # Hostile or broken documents of unexpected shape end here rather than in a 500.
        result.status = "invalid"
        result.reasons.append(f"malformed badge data: {exc.__class__.__name__}: {exc}")
    result.valid = result.status == "valid"
    return result
