/**
 * Authentication for the IKE engines: credentials, AUTH signatures, X.509
 * validation and identities, CERT/CERTREQ, EAP. See docs/auth.md for which
 * function the engine calls at which step.
 */

export {
  type PeerCertificateAuthInput,
  type PeerCertificateAuthResult,
  verifyPeerCertificateAuth,
} from './cert-auth.js';
export {
  type CertPayloadData,
  certificatesFromPayloads,
  certPayloads,
  certReqData,
  type OwnCertificate,
  parseCertReqData,
  selectCertificateForCertReq,
} from './certreq.js';
export { type ChainInput, type ChainResult, validateChain } from './chain.js';
export {
  type CertificateLoadOptions,
  checkKeyMatchesCertificate,
  type LocalCredentials,
  loadCaCertificates,
  loadCertificates,
  loadCrls,
  loadLocalCredentials,
  loadPrivateKey,
  type Passphrase,
  parseCaCertificates,
  parseCertificates,
  parseCrls,
  parsePrivateKey,
} from './credentials.js';
export type { Crl } from './crl.js';
export { type DistinguishedName, decodeDn, dnEquals, encodeDn, formatDn } from './dn.js';
export type { EapOutcome, EapStep, PasswordLookup, RandomBytes } from './eap/method.js';
export { decodeEap, EapCode, type EapPacket, EapType, encodeEap } from './eap/packet.js';
export { EapPeer } from './eap/peer.js';
export { EapServer, type EapServerOutcome, type EapServerStep } from './eap/server.js';
export type { EapTlsOptions, EapTlsPeerOptions } from './eap/tls.js';
export {
  createEapPeer,
  createEapServer,
  EAP_METHOD_TYPES,
  type EapMethodName,
  type EapPeerSetup,
  type EapServerSetup,
  eapAuthData,
  verifyEapAuthData,
} from './eap-auth.js';
export { CredentialError, type CredentialErrorCode } from './errors.js';
export {
  certificateIdentity,
  certificateMatchesIdentity,
  describeIdentity,
  type IkeIdentity,
  identityToWire,
} from './identity.js';
export { identityMatchesConfig, localIdentity } from './identity-config.js';
export type { KeyAlgorithm, PrivateKey, PublicKey } from './keys.js';
export {
  type AuthData,
  type SignOptions,
  signAuth,
  type VerifyOptions,
  type VerifyResult,
  verifyAuth,
} from './signature.js';
export {
  decodeSignatureHashAlgorithms,
  encodeSignatureHashAlgorithms,
  negotiateSignatureHashes,
  SUPPORTED_SIGNATURE_HASHES,
} from './signature-hash.js';
export type { Certificate } from './x509.js';
