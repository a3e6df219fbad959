// Verify the Data Integrity proof of a CLR 2.0 ClrCredential with the Digital Credentials
// Consortium libraries (the ones verifier-core uses), offline.
// usage: node tests/.tools/ob3/clr_verify.mjs clr.json clr-context.json
// verifier-core's own loader bundles no CLR 2.0 context (and would fetch it from
// purl.imsglobal.org), so this runner builds the same security loader with the CLR 2.0 context
// document given as the second argument added statically; did:key resolves locally.
// Prints {"verified": bool, "error": ...} and exits 0 when the proof verifies.
import { DataIntegrityProof } from '@digitalcredentials/data-integrity';
import { cryptosuite } from '@digitalcredentials/eddsa-rdfc-2022-cryptosuite';
import { securityLoader } from '@digitalcredentials/security-document-loader';
import * as vc from '@digitalcredentials/vc';
import fs from 'fs';

const CLR_CONTEXT = 'https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json';
const credential = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const loader = securityLoader({ fetchRemoteContexts: false });
loader.addStatic(CLR_CONTEXT, JSON.parse(fs.readFileSync(process.argv[3], 'utf8')));
const [log, err] = [console.log, console.error];
console.log = console.error = () => {};
const result = await vc.verifyCredential({
  credential,
  suite: [new DataIntegrityProof({ cryptosuite })],
  documentLoader: loader.build(),
  verifyMatchingIssuers: false,
});
console.log = log; console.error = err;
const error = result.error ? String(result.error.errors || result.error).slice(0, 1500) : null;
console.log(JSON.stringify({ verified: result.verified, error }));
process.exit(result.verified ? 0 : 1);
