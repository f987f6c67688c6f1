/**
 * Key derivation for IKEv2 (RFC 7296 §2.13-§2.18) and IKEv1 (RFC 2409 §5, App. B):
 * pure functions over the registry's `PrfAlgorithm`.
 */

export {
  deriveIkev1SaKeys,
  type Ikev1Hash,
  type Ikev1KeyingInput,
  type Ikev1Phase1HashInput,
  type Ikev1SaKeys,
  ikev1EncryptionKey,
  ikev1ExpandKeymat,
  ikev1Hash1,
  ikev1Hash2,
  ikev1Hash3,
  ikev1HashI,
  ikev1HashR,
  ikev1Phase1Iv,
  ikev1Phase2Iv,
  ikev1QuickModeKeymat,
  skeyidPreSharedKey,
  skeyidSignature,
} from './ikev1.js';
export {
  authSignedOctets,
  type ChildSaKeys,
  childSaKeymat,
  deriveChildSaKeys,
  deriveIkeSaKeys,
  IKEV2_KEY_PAD,
  type IkeSaKeyLengths,
  type IkeSaKeys,
  ikeSaKeymatLength,
  rekeySkeyseed,
  sharedKeyAuth,
  skeyseed,
  usesTruncatedNonces,
} from './ikev2.js';
export { PRF_PLUS_MAX_ITERATIONS, prfPlus, prfPlusMaxLength } from './prf-plus.js';
