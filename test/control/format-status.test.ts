import { describe, expect, it } from 'vitest';
import { formatStatus } from '../../src/control/format.js';

describe('formatStatus', () => {
  it('lists connections on standby before the IKE_SAs, with the reason', () => {
    const text = formatStatus({
      ikeSas: [],
      standby: [{ name: 'ha', reason: 'none of its local addresses (192.0.2.1) is on this host' }],
    });
    expect(text.split('\n')).toEqual([
      'ha: on standby (none of its local addresses (192.0.2.1) is on this host)',
      'no IKE_SAs',
    ]);
  });

  it('says nothing of standby when no connection is', () => {
    expect(formatStatus({ ikeSas: [] }, 'gw')).toBe('no IKE_SA for connection gw');
  });
});
