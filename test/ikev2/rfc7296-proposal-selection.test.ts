import { describe, expect, it } from 'vitest';
import { acceptChosenProposal, type Proposal, selectProposal } from '../../src/ikev2/proposals.js';

// IANA numbers (RFC 7296 §3.3.2): ENCR_AES_CBC 12, ENCR_AES_GCM_16 20,
// PRF_HMAC_SHA2_256 5, AUTH_HMAC_SHA2_256_128 12, groups 14, 19, 31.
const ikeCbc: Proposal = {
  protocol: 'ike',
  encr: [{ id: 12, keyLen: 256 }],
  prf: [5],
  integ: [12],
  ke: [14],
  esn: [],
};
const ikeGcm: Proposal = {
  protocol: 'ike',
  encr: [{ id: 20, keyLen: 256 }],
  prf: [5],
  integ: [],
  ke: [31, 19],
  esn: [],
};
const espGcm: Proposal = {
  protocol: 'esp',
  encr: [{ id: 20, keyLen: 256 }],
  prf: [],
  integ: [],
  ke: [],
  esn: [0],
};

describe('selectProposal (RFC 7296 §2.7)', () => {
  const table: {
    name: string;
    ours: Proposal[];
    theirs: Proposal[];
    expect: Partial<Record<'encr' | 'ke' | 'num' | 'integ' | 'esn', unknown>> | null;
    ignoreKe?: boolean;
  }[] = [
    {
      name: 'identical single proposal',
      ours: [ikeCbc],
      theirs: [{ ...ikeCbc, num: 1 }],
      expect: { encr: { id: 12, keyLen: 256 }, ke: 14, num: 1 },
    },
    {
      name: 'our order wins over the peer order',
      ours: [ikeGcm, ikeCbc],
      theirs: [
        { ...ikeCbc, num: 1 },
        { ...ikeGcm, num: 2 },
      ],
      expect: { encr: { id: 20, keyLen: 256 }, ke: 31, num: 2 },
    },
    {
      name: 'group chosen from the intersection in our order',
      ours: [ikeGcm],
      theirs: [{ ...ikeGcm, ke: [19, 31], num: 1 }],
      expect: { ke: 31 },
    },
    {
      name: 'key length must match',
      ours: [ikeCbc],
      theirs: [{ ...ikeCbc, encr: [{ id: 12, keyLen: 128 }], num: 1 }],
      expect: null,
    },
    {
      name: 'no common group is NO_PROPOSAL_CHOSEN',
      ours: [ikeCbc],
      theirs: [{ ...ikeCbc, ke: [19], num: 1 }],
      expect: null,
    },
    {
      name: 'unknown transform type rejects the proposal (§3.3.6)',
      ours: [ikeCbc],
      theirs: [{ ...ikeCbc, num: 1, unknownTypes: [240] }],
      expect: null,
    },
    {
      name: 'explicit INTEG NONE with an AEAD is accepted',
      ours: [espGcm],
      theirs: [{ ...espGcm, integ: [0], num: 3 }],
      expect: { num: 3, integ: undefined },
    },
    {
      name: 'missing ESN type from the peer means no ESN',
      ours: [espGcm],
      theirs: [{ ...espGcm, esn: [], num: 1 }],
      expect: { esn: 0 },
    },
    {
      name: 'ESN required by us but peer offers only none',
      ours: [{ ...espGcm, esn: [1] }],
      theirs: [{ ...espGcm, esn: [0], num: 1 }],
      expect: null,
    },
    {
      name: 'KE ignored in IKE_AUTH child proposals',
      ours: [espGcm],
      theirs: [{ ...espGcm, ke: [31], num: 1 }],
      ignoreKe: true,
      expect: { num: 1, ke: undefined },
    },
    {
      name: 'KE offered but not configured is no match when not ignored',
      ours: [espGcm],
      theirs: [{ ...espGcm, ke: [31], num: 1 }],
      expect: null,
    },
    {
      name: 'protocol must match',
      ours: [espGcm],
      theirs: [{ ...espGcm, protocol: 'ah', num: 1 }],
      expect: null,
    },
  ];
  for (const row of table) {
    it(row.name, () => {
      const got = selectProposal(row.ours, row.theirs, { ignoreKe: row.ignoreKe ?? false });
      if (row.expect === null) {
        expect(got).toBeNull();
        return;
      }
      expect(got).not.toBeNull();
      for (const [k, v] of Object.entries(row.expect)) {
        expect(got?.[k as keyof typeof got]).toEqual(v);
      }
    });
  }

  it('rejects a non-AEAD cipher without integrity when told how to recognise AEADs', () => {
    const noInteg: Proposal = { ...ikeCbc, integ: [] };
    const isAead = (e: { id: number }) => e.id === 20;
    expect(selectProposal([noInteg], [{ ...noInteg, num: 1 }], { isAead })).toBeNull();
    expect(selectProposal([ikeGcm], [{ ...ikeGcm, num: 1 }], { isAead })).not.toBeNull();
  });
});

describe('acceptChosenProposal (initiator checks the reply)', () => {
  it('accepts a reply that picks one of each from the numbered proposal', () => {
    const sent = [
      { ...ikeCbc, num: 1 },
      { ...ikeGcm, num: 2 },
    ];
    const reply: Proposal = { ...ikeGcm, ke: [19], num: 2 };
    expect(acceptChosenProposal(sent, reply)?.ke).toBe(19);
  });
  it('rejects a reply with two alternatives of one type', () => {
    expect(acceptChosenProposal([{ ...ikeGcm, num: 1 }], { ...ikeGcm, num: 1 })).toBeNull();
  });
  it('rejects a reply we never offered', () => {
    const reply: Proposal = { ...ikeCbc, ke: [2], num: 1 };
    expect(acceptChosenProposal([{ ...ikeCbc, num: 1 }], reply)).toBeNull();
  });
});
