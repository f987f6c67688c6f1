/**
 * The IANA registries: one number per name within each registry, reverse
 * lookup, and values spot-checked against the RFC text that assigns them.
 */

import { describe, expect, it } from 'vitest';
import {
  AuthMethod,
  CertEncoding,
  CfgAttributeType,
  CfgType,
  EncrId,
  EsnId,
  ExchangeType,
  HashAlgorithm,
  IdType,
  IntegId,
  isNotifyError,
  KeMethod,
  lookupName,
  NotifyErrorType,
  NotifyStatusType,
  NotifyType,
  nameOf,
  PayloadType,
  PrfId,
  ProtocolId,
  TransformAttributeType,
  TransformType,
  TsType,
} from '../../../src/wire/ikev2/index.js';

const registries = {
  ExchangeType,
  PayloadType,
  ProtocolId,
  IdType,
  CertEncoding,
  AuthMethod,
  HashAlgorithm,
  TsType,
  CfgType,
  CfgAttributeType,
  NotifyType,
  TransformType,
  EncrId,
  PrfId,
  IntegId,
  KeMethod,
  EsnId,
  TransformAttributeType,
};

describe('IANA registries', () => {
  it.each(Object.entries(registries))('%s assigns each number once', (_name, registry) => {
    const values = Object.values(registry);
    expect(new Set(values).size).toBe(values.length);
    for (const [name, value] of Object.entries(registry)) {
      expect(lookupName(registry, value)).toBe(name);
    }
  });

  it('prints unknown numbers readably', () => {
    expect(nameOf(ExchangeType, 34)).toBe('IKE_SA_INIT');
    expect(nameOf(ExchangeType, 99)).toBe('UNKNOWN(99)');
  });

  it('splits notify errors (< 16384) from status types (RFC 7296 §3.10.1)', () => {
    for (const v of Object.values(NotifyErrorType)) expect(isNotifyError(v)).toBe(true);
    for (const v of Object.values(NotifyStatusType)) expect(isNotifyError(v)).toBe(false);
  });

  it.each([
    // RFC 7296 §3.1, §3.2, §3.10.1, §3.3.2
    [ExchangeType.IKE_SA_INIT, 34],
    [ExchangeType.INFORMATIONAL, 37],
    [ExchangeType.IKE_INTERMEDIATE, 43], // RFC 9242 §5
    [PayloadType.SK, 46],
    [PayloadType.EAP, 48],
    [PayloadType.SKF, 53], // RFC 7383 §4
    [NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD, 1],
    [NotifyType.INVALID_KE_PAYLOAD, 17],
    [NotifyType.CHILD_SA_NOT_FOUND, 44],
    [NotifyType.INITIAL_CONTACT, 16384],
    [NotifyType.NAT_DETECTION_SOURCE_IP, 16388],
    [NotifyType.COOKIE, 16390],
    [NotifyType.USE_TRANSPORT_MODE, 16391],
    [NotifyType.REKEY_SA, 16393],
    [NotifyType.ESP_TFC_PADDING_NOT_SUPPORTED, 16394],
    [NotifyType.NON_FIRST_FRAGMENTS_ALSO, 16395],
    [NotifyType.MOBIKE_SUPPORTED, 16396], // RFC 4555 §6
    [NotifyType.MULTIPLE_AUTH_SUPPORTED, 16404], // RFC 4739 §5
    [NotifyType.ANOTHER_AUTH_FOLLOWS, 16405],
    [NotifyType.EAP_ONLY_AUTHENTICATION, 16417], // RFC 5998 §5
    [NotifyType.CHILDLESS_IKEV2_SUPPORTED, 16418], // RFC 6023 §5
    [NotifyType.IKEV2_FRAGMENTATION_SUPPORTED, 16430], // RFC 7383 §4
    [NotifyType.SIGNATURE_HASH_ALGORITHMS, 16431], // RFC 7427 §7
    [NotifyType.USE_PPK, 16435], // RFC 8784 §6
    [TransformType.ESN, 5],
    [EncrId.AES_GCM_16, 20],
    [EncrId.CHACHA20_POLY1305, 28],
    [PrfId.AES128_CMAC, 8],
    [IntegId.HMAC_SHA2_512_256, 14],
    [KeMethod.CURVE25519, 31],
    [KeMethod.CURVE448, 32],
    [KeMethod.ML_KEM_512, 35],
    [KeMethod.ML_KEM_1024, 37],
    [TransformAttributeType.KEY_LENGTH, 14],
    [AuthMethod.DIGITAL_SIGNATURE, 14], // RFC 7427 §7
    [IdType.ID_NULL, 13], // RFC 7619 §5
    [TsType.TS_IPV6_ADDR_RANGE, 8],
    [CfgAttributeType.INTERNAL_IP6_SUBNET, 15],
    [ProtocolId.ESP, 3],
    [CertEncoding.HASH_URL_X509_CERT, 12],
  ])('value %i is %i', (actual, expected) => {
    expect(actual).toBe(expected);
  });
});
