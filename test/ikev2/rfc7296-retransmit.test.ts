import { describe, expect, it } from 'vitest';
import {
  giveUpAfterMs,
  retransmitDelay,
  STRONGSWAN_RETRANSMIT,
} from '../../src/ikev2/retransmit.js';

describe('retransmission schedule (RFC 7296 §2.1, strongSwan defaults)', () => {
  it('grows by 1.8 from 4 s', () => {
    const delays = [0, 1, 2, 3, 4, 5].map((i) => retransmitDelay(STRONGSWAN_RETRANSMIT, i));
    expect(delays).toEqual([4000, 7200, 12960, 23328, 41990, 75583]);
  });
  it('gives up after about 165 s', () => {
    expect(giveUpAfterMs(STRONGSWAN_RETRANSMIT)).toBe(165061);
  });
  it('caps a timeout when a maximum is set', () => {
    expect(retransmitDelay({ ...STRONGSWAN_RETRANSMIT, maxTimeoutMs: 10000 }, 3)).toBe(10000);
  });
});
