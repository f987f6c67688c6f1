/**
 * The ISAKMP number tables: no two names share a number within a table (a
 * copy-paste slip would make nameOf lie), values fit their wire fields, and
 * nameOf finds names and reports unknown numbers as undefined.
 */

import { describe, expect, it } from 'vitest';
import * as isakmp from '../../../src/wire/isakmp/index.js';

const { nameOf } = isakmp;

/** [table name, table, bits of the wire field that carries it] */
const tables: [string, Readonly<Record<string, number>>, number][] = [
  ['ExchangeType', isakmp.ExchangeType, 8],
  ['PayloadType', isakmp.PayloadType, 8],
  ['IsakmpNotify', isakmp.IsakmpNotify, 16],
  ['Doi', isakmp.Doi, 32],
  ['IpsecSituation', isakmp.IpsecSituation, 32],
  ['ProtocolId', isakmp.ProtocolId, 8],
  ['IsakmpTransformId', isakmp.IsakmpTransformId, 8],
  ['AhTransformId', isakmp.AhTransformId, 8],
  ['EspTransformId', isakmp.EspTransformId, 8],
  ['IpcompTransformId', isakmp.IpcompTransformId, 8],
  ['Phase1Attribute', isakmp.Phase1Attribute, 15],
  ['Phase1Encryption', isakmp.Phase1Encryption, 16],
  ['Phase1Hash', isakmp.Phase1Hash, 16],
  ['AuthMethod', isakmp.AuthMethod, 16],
  ['GroupDescription', isakmp.GroupDescription, 16],
  ['GroupType', isakmp.GroupType, 16],
  ['LifeType', isakmp.LifeType, 16],
  ['Phase2Attribute', isakmp.Phase2Attribute, 15],
  ['EncapsulationMode', isakmp.EncapsulationMode, 16],
  ['Phase2AuthAlgorithm', isakmp.Phase2AuthAlgorithm, 16],
  ['IdType', isakmp.IdType, 8],
  ['CertEncoding', isakmp.CertEncoding, 8],
  ['CfgType', isakmp.CfgType, 8],
  ['CfgAttribute', isakmp.CfgAttribute, 15],
  ['XauthType', isakmp.XauthType, 16],
  ['XauthStatus', isakmp.XauthStatus, 16],
];

describe('ISAKMP constants', () => {
  it.each(tables)('%s: distinct values that fit the wire field', (_name, table, bits) => {
    const values = Object.values(table);
    expect(new Set(values).size).toBe(values.length);
    for (const v of values) {
      expect(Number.isInteger(v) && v >= 0 && v < 2 ** bits).toBe(true);
    }
  });

  it('names numbers for logs and leaves unknown ones undefined', () => {
    expect(nameOf(isakmp.ExchangeType, 32)).toBe('QUICK_MODE');
    expect(nameOf(isakmp.PayloadType, 130)).toBe('NAT_D_DRAFT');
    expect(nameOf(isakmp.IsakmpNotify, 24578)).toBe('INITIAL_CONTACT');
    expect(nameOf(isakmp.EncapsulationMode, 61443)).toBe('UDP_ENCAPSULATED_TUNNEL_DRAFT');
    expect(nameOf(isakmp.AuthMethod, 65002)).toBe('XAUTH_RESP_PRE_SHARED');
    expect(nameOf(isakmp.ExchangeType, 99)).toBeUndefined();
  });
});
