"""Open Badges 2.0 and 3.0 formats: pure functions over dicts, keys and URLs.

No database and no Pyramid here: the badges plugin's services call these to build, sign, bake
and verify badges. Modules:

* :mod:`.keys` - Ed25519 and RSA issuer keys, Multikey / did:key / JWK / PEM documents.
* :mod:`.ob2` - OB 2.0 JSON-LD (Profile, BadgeClass, Assertion, RevocationList,
  CryptographicKey), hashed recipients, RS256 JWS signing.
* :mod:`.integrity` - Data Integrity ``eddsa-rdfc-2022`` proofs (sign and verify).
* :mod:`.ob3` - OB 3.0 OpenBadgeCredential and its VC-JWT form.
* :mod:`.status_list` - Bitstring Status List encoding and credentials.
* :mod:`.baking` - PNG and SVG baking for both versions.
* :mod:`.verify` - format detection and offline verification with caller-supplied fetching.
* :mod:`.loader` - the bundled JSON-LD contexts; nothing is fetched at run time.
"""
