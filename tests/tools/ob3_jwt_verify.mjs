// Verify an OB 3.0 VC-JWT of a did:web issuer with libraries nobody on this project wrote.
// usage: node tests/.tools/ob3/ob3_jwt_verify.mjs token.jwt   (build_ob_validators.sh copies it there)
//  - did-jwt verifies the signature with the key its kid names, found by resolving the issuer's
//    DID (payload iss) with the DIF did:web resolver over HTTPS and accepted only if the DID
//    document lists it under assertionMethod: no key is pinned;
//  - the credential's BitstringStatusListEntry is checked by the DCC status list library, which
//    verifies the status list credential (its Data Integrity proof, did:web again) and that its
//    issuer is the credential's.
// Prints {"valid_signature", "issuer", "revocation_status", "error"} and exits 0 only when the
// signature is valid and the credential is not revoked.
import fs from 'fs';
import { verifyJWT } from 'did-jwt';
import { Resolver } from 'did-resolver';
import { getResolver } from 'web-did-resolver';
import { checkStatus } from '@digitalcredentials/vc-bitstring-status-list';
import { securityLoader } from '@digitalcredentials/security-document-loader';
import { DataIntegrityProof } from '@digitalcredentials/data-integrity';
import { cryptosuite } from '@digitalcredentials/eddsa-rdfc-2022-cryptosuite';

const token = fs.readFileSync(process.argv[2], 'utf8').trim();
const report = { valid_signature: false, issuer: null, revocation_status: null, error: null };
const [log, err] = [console.log, console.error];
console.log = console.error = () => {};
try {
  const { payload, issuer } = await verifyJWT(token, {
    resolver: new Resolver(getResolver()),
    proofPurpose: 'assertionMethod',
  });
  report.valid_signature = true;
  report.issuer = issuer;
  const credential = Object.fromEntries(
    Object.entries(payload).filter(([k]) => !['iss', 'jti', 'nbf', 'exp', 'sub', 'iat'].includes(k)));
  const issuerId = typeof credential.issuer === 'object' ? credential.issuer.id : credential.issuer;
  if (issuerId !== issuer) throw new Error(`iss ${issuer} is not the credential's issuer ${issuerId}`);
  const status = await checkStatus({
    credential,
    documentLoader: securityLoader({ fetchRemoteContexts: true }).build(),
    suite: [new DataIntegrityProof({ cryptosuite })],
    verifyBitstringStatusListCredential: true,
    verifyMatchingIssuers: true,
  });
  if (status.error) throw status.error;
  // false when the credential's bit is set (revoked), the status list itself verified.
  report.revocation_status = status.verified;
} catch (e) {
  report.error = String(e && e.message || e);
}
console.log = log; console.error = err;
console.log(JSON.stringify(report));
process.exit(report.valid_signature && report.revocation_status && !report.error ? 0 : 1);
