/**
 * Proposals in strongSwan syntax: `aes256-sha256-modp3072` is one proposal
 * whose tokens are alternatives per transform type (RFC 7296 §3.3). Checks the
 * combination rules: AEAD ciphers carry no integrity transform (RFC 5282 §8),
 * others need one; an IKE proposal needs a PRF (derived from the integrity
 * algorithm when omitted, as strongSwan does) and a key exchange method.
 */
import { allKeywords, lookupKeyword, prfKeywordForInteg } from './proposal-keywords.js';
import { closestMatch } from './suggest.js';
import type { Proposal, TransformSpec } from './types.js';

type Protocol = Proposal['protocol'];

/** strongSwan's `default` proposals (5.9), in its order of preference. */
export const DEFAULT_PROPOSALS: Readonly<Record<Protocol, readonly string[]>> = {
  ike: [
    'aes128-aes192-aes256-sha256-sha384-sha512-x25519-ecp256-ecp384-ecp521-modp3072-modp4096-modp6144-modp8192-modp2048',
    'aes128gcm16-aes192gcm16-aes256gcm16-chacha20poly1305-prfsha256-prfsha384-prfsha512-x25519-ecp256-ecp384-ecp521-modp3072-modp4096-modp6144-modp8192-modp2048',
  ],
  esp: [
    'aes128gcm16-aes192gcm16-aes256gcm16-chacha20poly1305',
    'aes128-aes192-aes256-sha256-sha384-sha512',
  ],
  ah: ['sha256-sha384-sha512'],
};

export function parseProposal(text: string, protocol: Protocol): Proposal | { error: string } {
  const groups: Record<TransformSpec['type'], TransformSpec[]> = {
    encr: [],
    integ: [],
    prf: [],
    ke: [],
    esn: [],
  };
  for (const token of text.toLowerCase().split('-')) {
    const entry = lookupKeyword(token);
    if (!entry) {
      const hint = closestMatch(token, allKeywords());
      return { error: `unknown algorithm "${token}"${hint ? `; did you mean "${hint}"?` : ''}` };
    }
    if (!entry.usages.includes(protocol)) {
      return { error: `"${token}" cannot be used in ${protocol.toUpperCase()} proposals` };
    }
    const { usages: _usages, ...spec } = entry;
    const group = groups[entry.type];
    if (!group.some((t) => t.id === spec.id && t.keyBits === spec.keyBits))
      group.push({ keyword: token, ...spec });
  }
  const problem = combinationProblem(groups, protocol);
  if (problem) return { error: problem };
  if (protocol === 'ike' && groups.prf.length === 0) {
    for (const integ of groups.integ) {
      const keyword = prfKeywordForInteg(integ.keyword);
      if (!keyword)
        return { error: `no PRF corresponds to "${integ.keyword}"; add one such as prfsha256` };
      const { usages: _usages, ...spec } = lookupKeyword(keyword)!;
      if (!groups.prf.some((t) => t.id === spec.id)) groups.prf.push({ keyword, ...spec });
    }
  }
  return {
    text: text.toLowerCase(),
    protocol,
    encryption: groups.encr,
    integrity: groups.integ,
    prf: groups.prf,
    ke: groups.ke,
    esn: groups.esn,
  };
}

function combinationProblem(
  g: Record<TransformSpec['type'], TransformSpec[]>,
  protocol: Protocol,
): string | undefined {
  const aead = g.encr.filter((t) => t.aead);
  if (protocol === 'ah') {
    return g.integ.length === 0
      ? 'expected an integrity algorithm (e.g. sha256) in an AH proposal'
      : undefined;
  }
  if (g.encr.length === 0) return 'expected an encryption algorithm (e.g. aes256 or aes256gcm16)';
  if (aead.length > 0 && aead.length < g.encr.length) {
    return 'AEAD and non-AEAD encryption algorithms cannot share a proposal; write them as two proposals';
  }
  if (aead.length > 0 && g.integ.length > 0) {
    return `AEAD algorithm "${aead[0]!.keyword}" takes no integrity algorithm; remove "${g.integ[0]!.keyword}"`;
  }
  if (aead.length === 0 && g.integ.length === 0) {
    return `"${g.encr[0]!.keyword}" needs an integrity algorithm (e.g. sha256)`;
  }
  if (protocol === 'ike') {
    if (aead.length > 0 && g.prf.length === 0)
      return 'an AEAD IKE proposal needs a PRF (e.g. prfsha256)';
    if (g.ke.length === 0)
      return 'an IKE proposal needs a key exchange method (e.g. x25519, ecp256, modp3072)';
  }
  return undefined;
}

/** Expands `default` and parses each proposal of a list. */
export function expandProposalKeyword(text: string, protocol: Protocol): readonly string[] {
  return text.trim().toLowerCase() === 'default' ? DEFAULT_PROPOSALS[protocol] : [text.trim()];
}

/** strongSwan's `default` proposals for a protocol, parsed. */
export function defaultProposals(protocol: Protocol): Proposal[] {
  return DEFAULT_PROPOSALS[protocol].map((text) => {
    const parsed = parseProposal(text, protocol);
    if ('error' in parsed) throw new Error(`built-in default proposal ${text}: ${parsed.error}`);
    return parsed;
  });
}

/**
 * Transforms that still interoperate but are weak: RFC 8247 §2 (IKEv2) and
 * RFC 8221 §5-6 (ESP/AH) demote them; the manual recommends AES-256, SHA-256
 * and DH group 16 as a minimum.
 */
const WEAK: Readonly<Record<string, string>> = {
  '3des': 'RFC 8247 §2.1 / RFC 8221 §5: SHOULD NOT; use aes256 or aes256gcm16',
  md5: 'RFC 8247 §2.3 / RFC 8221 §6: MUST NOT; use sha256',
  prfmd5: 'RFC 8247 §2.2: MUST NOT; use prfsha256',
  sha1: 'RFC 8247 §2.3: being phased out; use sha256',
  sha: 'RFC 8247 §2.3: being phased out; use sha256',
  prfsha1: 'RFC 8247 §2.2: being phased out; use prfsha256',
  modp1024: 'RFC 8247 §2.4: SHOULD NOT; use modp3072 or larger, ecp256 or x25519',
  modp1536: 'RFC 8247 §2.4: SHOULD NOT; use modp3072 or larger, ecp256 or x25519',
};

/**
 * Warnings for the weak transforms written in a proposal (a PRF derived from
 * `sha1` is not warned about twice).
 */
export function proposalWarnings(proposal: Proposal): string[] {
  return proposal.text
    .split('-')
    .flatMap((keyword) => (WEAK[keyword] ? [`"${keyword}" is weak (${WEAK[keyword]})`] : []));
}
