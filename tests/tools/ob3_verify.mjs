// Run the Digital Credentials Consortium verifier-core on one credential, offline.
// usage: node tests/.tools/ob3/ob3_verify.mjs credential.json   (build_ob_validators.sh copies it there)
// Prints the verifier's result as JSON (without the credential) and exits 0 when the signature is
// valid and no check reports an error other than the schema check, which fetches
// purl.imsglobal.org and therefore always fails offline.
// Contexts are bundled in the package and did:key resolves locally; http(s) URLs (our key
// documents and status lists on 127.0.0.1) are fetched for real.
import { verifyCredential } from '@digitalcredentials/verifier-core';
import fs from 'fs';

const credential = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
// The library logs noisily to the console; keep stdout for the JSON report alone.
const [log, err] = [console.log, console.error];
console.log = console.error = () => {};
const result = await verifyCredential({ credential, knownDIDRegistries: [] });
console.log = log; console.error = err;
delete result.credential;
console.log(JSON.stringify(result, (k, v) => (k === 'stackTrace' ? String(v).slice(0, 300) : v), 1));

const entries = result.log || [];
const sig = entries.find((e) => e.id === 'valid_signature');
const fatal = (result.errors || []).filter((e) => !/schema/i.test(JSON.stringify(e)));
const failed = entries.filter((e) => e.valid === false && e.id !== 'registered_issuer');
process.exit(sig && sig.valid && fatal.length === 0 && failed.length === 0 ? 0 : 1);
