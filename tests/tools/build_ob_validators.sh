#!/bin/sh
# Build the two independent Open Badges validators used as test oracles into tests/.tools/
# (gitignored). Nobody on this project wrote them, which is the point: they catch what our own
# reading of the specifications gets wrong.
#
#   tests/.tools/ob2-venv/   1EdTech (IMS Global) `openbadges` 1.1.2, OB 2.0, in its own venv
#   tests/.tools/ob3/        Digital Credentials Consortium verifier-core (npm), OB 3.0 / VC 2.0
#                            (Data Integrity, did:web, status lists); did-jwt with the DIF
#                            did:web resolver (npm) for VC-JWTs of did:web issuers
#   tests/.tools/oid4vci/    OpenWallet Foundation's OpenID4VCI client, @openid4vc/openid4vci and
#                            @openid4vc/oauth2 (npm): the wallet app of the issuance tests
#
# Runners of our own live beside this script: ob2_validate.py, ob3_verify.mjs, ob3_jwt_verify.mjs,
# clr_verify.mjs, oid4vci_wallet.mjs.
# Usage: sh tests/tools/build_ob_validators.sh [--force]
# COL_OB_TOOLS=DIR builds into DIR instead of tests/.tools (the tests read the same variable).
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
TOOLS="${COL_OB_TOOLS:-$HERE/../.tools}"
mkdir -p "$TOOLS"
TOOLS=$(cd "$TOOLS" && pwd)
FORCE=${1:-}

# --- OB 2.0 -------------------------------------------------------------------------------
V="$TOOLS/ob2-venv"
if [ "$FORCE" = "--force" ] || ! "$V/bin/python" -c "import openbadges, openbadges_bakery" 2>/dev/null; then
    rm -rf "$V"
    python3 -m venv "$V"
    # Its pins clash with the application's, so it never shares our venv.
    "$V/bin/pip" install -q openbadges==1.1.2
    # The 1.1.2 pins are from the Python 2 / 3.5 era; three overrides make it import and verify on
    # Python 3.10+:
    #  - pycryptodome 3.6.6 installs Python 2 source from its sdist (SyntaxError on 0xffffffffL);
    #  - pytz 2017.2 and python-jose 3.0.1 use collections.Mapping, removed in 3.10;
    #  - python-jose must stay 3.1/3.2, the last with the pycryptodome backend: the verifier hands a
    #    Crypto.PublicKey.RSA object to jose.jwk.construct. Do NOT install `cryptography` here.
    "$V/bin/pip" install -q 'pycryptodome>=3.10,<4' 'python-jose==3.2.0' 'pytz>=2023' 2>&1 \
        | grep -v "requires\|pip's" || true
    # bakery 1.2.4 (pulled in through the rfc3986==0.4.1 pin) returns bytes from SVG unbaking, which
    # makes every baked SVG fail; 2.0.0 returns str.
    "$V/bin/pip" install -q --no-deps openbadges-bakery==2.0.0
fi
"$V/bin/python" -c "import openbadges, openbadges_bakery; print('ob2 validator ok:', '$V')"

# --- OB 3.0 -------------------------------------------------------------------------------
N="$TOOLS/ob3"
if ! command -v npm >/dev/null 2>&1; then
    echo "npm not found: skipping the OB 3.0 verifier (its tests will skip)" >&2
    exit 0
fi
mkdir -p "$N"
if [ "$FORCE" = "--force" ] || [ ! -d "$N/node_modules/@digitalcredentials/verifier-core" ] \
    || [ ! -d "$N/node_modules/web-did-resolver" ]; then
    (cd "$N" && [ -f package.json ] || (cd "$N" && npm init -y >/dev/null))
    (cd "$N" && npm install --silent --no-audit --no-fund \
        @digitalcredentials/verifier-core@1.0.0-beta.11 \
        did-jwt@8.0.18 did-resolver@4.1.0 web-did-resolver@2.0.32)
fi
# Node resolves packages from the importing file's folder, so the runners are copied next to
# node_modules rather than run from tests/tools/.
cp "$HERE/ob3_verify.mjs" "$N/ob3_verify.mjs"
cp "$HERE/ob3_jwt_verify.mjs" "$N/ob3_jwt_verify.mjs"
cp "$HERE/clr_verify.mjs" "$N/clr_verify.mjs"
echo "ob3 verifier ok: $N"

# --- OpenID4VCI client (a wallet app) -------------------------------------------------------
# A folder of its own: it brings zod 4, which the DCC verifier's tree need not share.
W="$TOOLS/oid4vci"
mkdir -p "$W"
if [ "$FORCE" = "--force" ] || [ ! -d "$W/node_modules/@openid4vc/openid4vci" ]; then
    (cd "$W" && [ -f package.json ] || (cd "$W" && npm init -y >/dev/null))
    (cd "$W" && npm install --silent --no-audit --no-fund \
        @openid4vc/openid4vci@0.4.6 @openid4vc/oauth2@0.4.6)
fi
cp "$HERE/oid4vci_wallet.mjs" "$W/oid4vci_wallet.mjs"
echo "oid4vci client ok: $W"
