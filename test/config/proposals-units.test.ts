/**
 * Proposal keywords → IANA transforms (RFC 7296 §3.3.2) with strongSwan's
 * combination rules, and the duration and size units of swanctl.conf.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROPOSALS, parseProposal } from '../../src/config/proposals.js';
import type { Proposal } from '../../src/config/types.js';
import { formatDuration, parseDuration, parseSize } from '../../src/config/units.js';

const ids = (p: Proposal) => ({
  encr: p.encryption.map((t) => [t.id, t.keyBits]),
  integ: p.integrity.map((t) => t.id),
  prf: p.prf.map((t) => t.id),
  ke: p.ke.map((t) => t.id),
  esn: p.esn.map((t) => t.id),
});

describe('proposals', () => {
  const valid: [string, Proposal['protocol'], ReturnType<typeof ids>][] = [
    [
      'aes256-sha256-modp3072',
      'ike',
      { encr: [[12, 256]], integ: [12], prf: [5], ke: [15], esn: [] },
    ],
    ['AES128-SHA1-MODP2048', 'ike', { encr: [[12, 128]], integ: [2], prf: [2], ke: [14], esn: [] }],
    [
      'aes256gcm16-prfsha384-ecp384',
      'ike',
      { encr: [[20, 256]], integ: [], prf: [6], ke: [20], esn: [] },
    ],
    [
      'chacha20poly1305-prfsha256-ecp256',
      'ike',
      { encr: [[28, undefined]], integ: [], prf: [5], ke: [19], esn: [] },
    ],
    [
      'aes128ctr-sha512-ecp384',
      'ike',
      { encr: [[13, 128]], integ: [14], prf: [7], ke: [20], esn: [] },
    ],
    [
      'aes-aes256-sha256-sha512-x25519-curve25519-mlkem768',
      'ike',
      {
        encr: [
          [12, 128],
          [12, 256],
        ],
        integ: [12, 14],
        prf: [5, 7],
        ke: [31, 36],
        esn: [],
      },
    ],
    [
      'aesxcbc-aes192-modp2048',
      'ike',
      { encr: [[12, 192]], integ: [5], prf: [4], ke: [14], esn: [] },
    ],
    ['aes256gcm16-x25519', 'esp', { encr: [[20, 256]], integ: [], prf: [], ke: [31], esn: [] }],
    [
      'aes256-sha256-esn-noesn',
      'esp',
      { encr: [[12, 256]], integ: [12], prf: [], ke: [], esn: [1, 0] },
    ],
    ['3des-md5', 'esp', { encr: [[3, undefined]], integ: [1], prf: [], ke: [], esn: [] }],
    ['sha384-modp2048', 'ah', { encr: [], integ: [13], prf: [], ke: [14], esn: [] }],
  ];
  for (const [text, protocol, expected] of valid) {
    it(`${protocol} ${text}`, () => {
      const parsed = parseProposal(text, protocol);
      expect('error' in parsed ? parsed : ids(parsed)).toEqual(expected);
    });
  }

  it('parses every built-in default', () => {
    for (const protocol of ['ike', 'esp', 'ah'] as const) {
      for (const text of DEFAULT_PROPOSALS[protocol])
        expect(parseProposal(text, protocol)).not.toHaveProperty('error');
    }
  });

  const invalid: [string, Proposal['protocol'], string][] = [
    [
      'aes256-sha256',
      'ike',
      'an IKE proposal needs a key exchange method (e.g. x25519, ecp256, modp3072)',
    ],
    ['sha256-modp2048', 'ike', 'expected an encryption algorithm (e.g. aes256 or aes256gcm16)'],
    ['aes256gcm16-ecp256', 'ike', 'an AEAD IKE proposal needs a PRF (e.g. prfsha256)'],
    [
      'aes256gcm16-sha256',
      'esp',
      'AEAD algorithm "aes256gcm16" takes no integrity algorithm; remove "sha256"',
    ],
    [
      'aes256gcm16-aes256-sha256',
      'esp',
      'AEAD and non-AEAD encryption algorithms cannot share a proposal; write them as two proposals',
    ],
    ['aes256', 'esp', '"aes256" needs an integrity algorithm (e.g. sha256)'],
    ['modp2048', 'ah', 'expected an integrity algorithm (e.g. sha256) in an AH proposal'],
    ['aes256-sha256-prfsha256', 'esp', '"prfsha256" cannot be used in ESP proposals'],
    ['aes256-sha256-modp2048-', 'ike', 'unknown algorithm ""'],
    ['aes256-sha265-modp2048', 'ike', 'unknown algorithm "sha265"; did you mean "sha256"?'],
  ];
  for (const [text, protocol, error] of invalid) {
    it(`rejects ${protocol} ${text}`, () =>
      expect(parseProposal(text, protocol)).toEqual({ error }));
  }
});

describe('units', () => {
  it('parses durations to milliseconds; a bare number is seconds', () => {
    expect([
      parseDuration('45'),
      parseDuration('10s'),
      parseDuration('5m'),
      parseDuration('4h'),
      parseDuration('1d'),
    ]).toEqual([45_000, 10_000, 300_000, 14_400_000, 86_400_000]);
    expect(parseDuration('1.5h')).toHaveProperty('error');
    expect(parseDuration('4w')).toHaveProperty('error');
    expect(parseDuration('99999999999999d')).toEqual({ error: 'expected a shorter duration' });
  });
  it('parses sizes with binary multiples', () => {
    expect([
      parseSize('1000'),
      parseSize('1k'),
      parseSize('10M'),
      parseSize('2G'),
      parseSize('1t'),
    ]).toEqual([1000, 1024, 10_485_760, 2_147_483_648, 1_099_511_627_776]);
    expect(parseSize('-1')).toHaveProperty('error');
  });
  it('formats durations in their largest exact unit', () => {
    expect([formatDuration(14_400_000), formatDuration(90_000), formatDuration(1500)]).toEqual([
      '4h',
      '90s',
      '1500ms',
    ]);
  });
});

describe('keywords come from the crypto registry', () => {
  it('rejects algorithms the registry does not implement and accepts strongSwan aliases', () => {
    expect(parseProposal('camellia256-sha256-modp2048', 'ike')).toEqual({
      error: 'unknown algorithm "camellia256"',
    });
    const aliases = parseProposal('aes128gcm128-aes256gcm-prfsha2_256-curve25519', 'ike');
    expect('error' in aliases ? aliases : ids(aliases)).toEqual({
      encr: [
        [20, 128],
        [20, 256],
      ],
      integ: [],
      prf: [5],
      ke: [31],
      esn: [],
    });
  });
  it('allows a PFS group in an AH proposal', () => {
    const ah = parseProposal('sha256-ecp256', 'ah');
    expect('error' in ah ? ah : ids(ah)).toEqual({
      encr: [],
      integ: [12],
      prf: [],
      ke: [19],
      esn: [],
    });
  });
});
