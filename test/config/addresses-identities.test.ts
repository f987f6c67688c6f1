/** Addresses (RFC 5952 canonical IPv6), subnets, ranges and identities (RFC 7296 §3.5). */
import { describe, expect, it } from 'vitest';
import { addressMatches, parseAddressSpec, parseIpAddress } from '../../src/config/addresses.js';
import { dnMatches, identityMatches, parseDn, parseIdentity } from '../../src/config/identity.js';
import type { AddressSpec, Identity, Rdn } from '../../src/config/types.js';

describe('IP addresses', () => {
  const cases: [string, string | undefined][] = [
    ['192.0.2.1', '192.0.2.1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2:3:4:5:6'],
    ['fe80::1%eth0', undefined],
    ['192.0.2', undefined],
    ['256.1.1.1', undefined],
  ];
  for (const [text, canonical] of cases) {
    it(`${text} → ${canonical}`, () => expect(parseIpAddress(text)?.text).toBe(canonical));
  }
});

describe('address specs and matching (the manual: a responder accepts sources matching any entry)', () => {
  const spec = (text: string) => parseAddressSpec(text) as AddressSpec;
  const ip = (text: string) => parseIpAddress(text)!;
  it('matches subnets, ranges, single addresses and %any by family', () => {
    expect(addressMatches(spec('10.0.0.0/8'), ip('10.255.0.1'))).toBe(true);
    expect(addressMatches(spec('10.0.0.0/8'), ip('11.0.0.1'))).toBe(false);
    expect(addressMatches(spec('2001:db8::/32'), ip('2001:db8:ffff::1'))).toBe(true);
    expect(addressMatches(spec('2001:db8::/32'), ip('10.0.0.1'))).toBe(false);
    expect(addressMatches(spec('10.0.0.5-10.0.0.9'), ip('10.0.0.9'))).toBe(true);
    expect(addressMatches(spec('10.0.0.5-10.0.0.9'), ip('10.0.0.10'))).toBe(false);
    expect(addressMatches(spec('2001:db8::1'), ip('2001:0db8::1'))).toBe(true);
    expect(addressMatches(spec('%any'), ip('::1'))).toBe(true);
    expect(addressMatches(spec('0.0.0.0/0'), ip('203.0.113.7'))).toBe(true);
  });
  it('keeps host names for resolution at use (DynDNS) and never matches them unresolved', () => {
    expect(spec('Gw-1.Example.org')).toEqual({ kind: 'fqdn', name: 'gw-1.example.org' });
    expect(addressMatches(spec('gw.example.org'), ip('192.0.2.1'))).toBe(false);
  });
  it('rejects malformed entries', () => {
    expect(parseAddressSpec('10.0.0.1/8')).toEqual({
      error: 'host bits are set; did you mean 10.0.0.0/8?',
    });
    expect(parseAddressSpec('10.0.0.1-2001:db8::1')).toEqual({
      error: 'expected both ends of the range in one IP family',
    });
    expect(parseAddressSpec('bad host!')).toHaveProperty('error');
  });
});

describe('identities', () => {
  const cases: [string, unknown][] = [
    ['192.0.2.1', { type: 'ipv4', value: '192.0.2.1' }],
    ['2001:db8::0:1', { type: 'ipv6', value: '2001:db8::1' }],
    ['moon.example.org', { type: 'fqdn', value: 'moon.example.org' }],
    ['@moon', { type: 'fqdn', value: 'moon' }],
    ['fqdn:192.0.2.1.example', { type: 'fqdn', value: '192.0.2.1.example' }],
    ['carol@example.org', { type: 'rfc822', value: 'carol@example.org' }],
    ['email:carol@example.org', { type: 'rfc822', value: 'carol@example.org' }],
    ['keyid:0A1B2c', { type: 'keyid', value: '0a1b2c' }],
    ['@#cafe', { type: 'keyid', value: 'cafe' }],
    ['%any', { type: 'any' }],
    ['%address', { type: 'address' }],
    ['ipv6:2001:db8::1', { type: 'ipv6', value: '2001:db8::1' }],
    [
      'C=CH, O=strongSwan Project, CN=moon.strongswan.org',
      {
        type: 'dn',
        value: 'C=CH, O=strongSwan Project, CN=moon.strongswan.org',
        rdns: [
          { type: 'C', value: 'CH' },
          { type: 'O', value: 'strongSwan Project' },
          { type: 'CN', value: 'moon.strongswan.org' },
        ],
      },
    ],
    [
      '/C=CH/emailAddress=a@b.c/2.5.4.3=x\\, y',
      {
        type: 'dn',
        value: 'C=CH, E=a@b.c, CN=x\\, y',
        rdns: [
          { type: 'C', value: 'CH' },
          { type: 'E', value: 'a@b.c' },
          { type: 'CN', value: 'x, y' },
        ],
      },
    ],
  ];
  for (const [text, expected] of cases) {
    it(`parses ${text}`, () => expect(parseIdentity(text)).toEqual(expected));
  }

  it('rejects malformed identities with what is allowed', () => {
    expect(parseIdentity('keyid:abc')).toEqual({
      error: 'expected keyid: followed by an even number of hex digits',
    });
    expect(parseIdentity('ipv4:2001:db8::1')).toEqual({
      error: 'expected an IPV4 address after ipv4:',
    });
    expect(parseIdentity('C=CH, XX=y')).toEqual({
      error:
        'expected a known attribute type (C, ST, L, O, OU, CN, E, DC, UID, ...) or an OID in the DN, found "XX"',
    });
    expect(parseIdentity('C=CH, "O=open')).toEqual({
      error: 'expected a DN with balanced quotes and escapes',
    });
  });

  it('matches DNs RDN by RDN, case-insensitively, with * wildcards', () => {
    const dn = (t: string) => (parseDn(t) as { rdns: Rdn[] }).rdns;
    expect(dnMatches(dn('C=CH, O=Example, CN=*'), dn('c=ch, o=EXAMPLE,  CN=moon'))).toBe(true);
    expect(dnMatches(dn('C=CH, O=Example, CN=moon'), dn('C=CH, O=Example, CN=sun'))).toBe(false);
    expect(dnMatches(dn('C=CH, CN=moon'), dn('C=CH, O=Example, CN=moon'))).toBe(false);
    expect(dnMatches(dn('O=Example, C=CH'), dn('C=CH, O=Example'))).toBe(false);
  });

  it('matches identities by type, with %any and leading * wildcards', () => {
    const id = (t: string) => parseIdentity(t) as Identity;
    expect(identityMatches({ type: 'any' }, id('192.0.2.1'))).toBe(true);
    expect(identityMatches(id('*.example.org'), id('moon.example.org'))).toBe(true);
    expect(identityMatches(id('*@example.org'), id('carol@example.org'))).toBe(true);
    expect(identityMatches(id('moon.example.org'), id('MOON.example.org'))).toBe(true);
    expect(identityMatches(id('moon.example.org'), id('carol@moon.example.org'))).toBe(false);
    expect(identityMatches(id('192.0.2.1'), id('192.0.2.2'))).toBe(false);
    expect(identityMatches({ type: 'address' }, id('192.0.2.1'))).toBe(false);
  });
});
