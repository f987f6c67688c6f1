/**
 * Our rtnetlink encoder against the bytes iproute2 6.1 sends for
 * `ip link add NAME type xfrm dev lo if_id 42`, `ip addr add` and
 * `ip route add ... table ... metric ...` (test-vectors/kernel/), and decode
 * round trips of links, addresses and routes.
 */
import { describe, expect, it } from 'vitest';
import { splitMessages } from '../../src/kernel/netlink/message.js';
import { RTPROT_BOOT } from '../../src/kernel/rtnl/constants.js';
import {
  decodeAddress,
  decodeLink,
  decodeRoute,
  encodeAddress,
  encodeGetLinkByName,
  encodeNewXfrmInterface,
  encodeRoute,
} from '../../src/kernel/rtnl/messages.js';
import { recorded, recordedAll, withoutSeqPid } from './iproute2-vectors.js';

const LO = 1; // the loopback's ifindex in the fresh namespace of the recording

describe('rtnetlink requests match iproute2', () => {
  it('ip link add xfrm42 type xfrm dev lo if_id 42', () => {
    const bytes = encodeNewXfrmInterface({ name: 'xfrm42', ifId: 42, underlyingIndex: LO }, 0);
    expect(withoutSeqPid(bytes)).toBe(recorded('link-add-xfrm'));
  });

  it('the GETLINK by name that resolves "lo" first', () => {
    expect(withoutSeqPid(encodeGetLinkByName('lo', 0))).toBe(recordedAll('link-add-xfrm')[0]);
  });

  it('ip addr add 10.9.0.1/24 dev lo', () => {
    const bytes = encodeAddress('add', { link: 'lo', address: '10.9.0.1', prefixLen: 24 }, LO, 0);
    expect(withoutSeqPid(bytes)).toBe(recorded('addr-add-v4'));
  });

  it('ip route add 10.8.0.0/16 dev lo table 220 metric 50', () => {
    const bytes = encodeRoute(
      'add',
      { dst: '10.8.0.0', prefixLen: 16, link: 'lo', table: 220, metric: 50, protocol: RTPROT_BOOT },
      LO,
      0,
    );
    expect(withoutSeqPid(bytes)).toBe(recorded('route-add-table-metric'));
  });
});

describe('rtnetlink decoding', () => {
  it('reads back an XFRM interface request as a link', () => {
    const [msg] = splitMessages(
      encodeNewXfrmInterface({ name: 'ipsec0', ifId: 7, underlyingIndex: 3 }, 1),
    );
    expect(decodeLink(msg!.payload)).toEqual({
      index: 0,
      name: 'ipsec0',
      up: false,
      flags: 0,
      kind: 'xfrm',
      xfrmIfId: 7,
      xfrmLink: 3,
    });
  });

  it('reads back IPv6 addresses with a peer', () => {
    const [msg] = splitMessages(
      encodeAddress(
        'add',
        { link: 2, address: '2001:db8::1', peer: '2001:db8::2', prefixLen: 64 },
        2,
        1,
      ),
    );
    expect(decodeAddress(msg!.payload)).toEqual({
      index: 2,
      family: 6,
      address: '2001:db8::1',
      peer: '2001:db8::2',
      prefixLen: 64,
      scope: 0,
    });
  });

  it('reads back a route in a table above 255 (RTA_TABLE) with gateway and source', () => {
    const [msg] = splitMessages(
      encodeRoute(
        'add',
        {
          dst: '0.0.0.0',
          prefixLen: 0,
          gateway: '192.0.2.254',
          src: '192.0.2.1',
          table: 1000,
          metric: 5,
        },
        4,
        1,
      ),
    );
    expect(decodeRoute(msg!.payload)).toEqual({
      family: 4,
      dst: '0.0.0.0',
      prefixLen: 0,
      gateway: '192.0.2.254',
      src: '192.0.2.1',
      oif: 4,
      table: 1000,
      metric: 5,
      protocol: 4,
      scope: 0,
      type: 1,
    });
  });
});
