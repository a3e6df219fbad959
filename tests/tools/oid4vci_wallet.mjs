// A wallet app's side of OpenID4VCI (pre-authorized code flow), driven by an independent client
// library: @openid4vc/openid4vci + @openid4vc/oauth2 (OpenWallet Foundation, npm).
// usage: node tests/.tools/oid4vci/oid4vci_wallet.mjs '<openid-credential-offer://...>' <configuration id>
//   (build_ob_validators.sh copies it next to its node_modules)
// The library resolves the offer, fetches the issuer's and the authorization server's metadata
// (the well-known URLs), redeems the pre-authorized code at the token endpoint, asks the nonce
// endpoint for a c_nonce, signs the holder's proof JWT with a fresh Ed25519 key (our callback
// only does the signing) and requests the credential.  Then it redeems the same code again,
// which the issuer must refuse.
// Prints {"credential", "format", "holder_jwk", "access_token_type", "second_redemption",
// "error"}; exits 0 only when a credential came back and the second redemption was refused.
import crypto from 'node:crypto';
import { clientAuthenticationAnonymous } from '@openid4vc/oauth2';
import { Openid4vciClient } from '@openid4vc/openid4vci';

const [offerLink, configurationId] = process.argv.slice(2);
const report = { credential: null, format: null, holder_jwk: null, access_token_type: null,
                 second_redemption: null, error: null };

const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
const publicJwk = publicKey.export({ format: 'jwk' });
const b64url = (value) => Buffer.from(value).toString('base64url');

const callbacks = {
  // The pre-authorized code flow with anonymous access: the wallet is no registered client.
  clientAuthentication: clientAuthenticationAnonymous(),
  fetch: (...args) => fetch(...args),
  generateRandom: (length) => new Uint8Array(crypto.randomBytes(length)),
  hash: (data, algorithm) =>
    new Uint8Array(crypto.createHash(algorithm.replace('-', '').toLowerCase()).update(data).digest()),
  signJwt: async (signer, { header, payload }) => {
    if (signer.method !== 'jwk' || signer.alg !== 'EdDSA') throw new Error(`no key for ${signer.method}`);
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    const signature = crypto.sign(null, Buffer.from(input), privateKey);
    return { jwt: `${input}.${b64url(signature)}`, signerJwk: publicJwk };
  },
};

try {
  const client = new Openid4vciClient({ callbacks });
  const credentialOffer = await client.resolveCredentialOffer(offerLink);
  const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
  const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
    credentialOffer, issuerMetadata,
  });
  report.access_token_type = accessTokenResponse.token_type;
  const { c_nonce: nonce } = await client.requestNonce({ issuerMetadata });
  const signer = { method: 'jwk', publicJwk, alg: 'EdDSA' };
  const proof = await client.createCredentialRequestJwtProof({
    issuerMetadata, signer, nonce, credentialConfigurationId: configurationId,
  });
  const response = await client.retrieveCredentials({
    issuerMetadata,
    accessToken: accessTokenResponse.access_token,
    credentialConfigurationId: configurationId,
    proofs: { jwt: [proof.jwt] },
  });
  const body = response.credentialResponse;
  report.credential = body.credentials ? body.credentials[0].credential : body.credential;
  report.format = issuerMetadata.credentialIssuer.credential_configurations_supported[configurationId].format;
  report.holder_jwk = publicJwk;
  try {
    await client.retrievePreAuthorizedCodeAccessTokenFromOffer({ credentialOffer, issuerMetadata });
    report.second_redemption = { refused: false };
  } catch (e) {
    const answer = e.errorResponse || {};
    report.second_redemption = { refused: true, error: answer.error || String(e.message || e),
                                 status: e.response && e.response.status };
  }
} catch (e) {
  report.error = String((e && (e.stack || e.message)) || e);
  if (e && e.errorResponse) report.error += ' ' + JSON.stringify(e.errorResponse);
  if (e && e.zodError) report.error += ' ' + JSON.stringify(e.zodError);
}
console.log(JSON.stringify(report));
process.exit(report.credential && report.second_redemption && report.second_redemption.refused ? 0 : 1);
