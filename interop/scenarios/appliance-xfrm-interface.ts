// The manual's "Interface" (route-based VPN) against strongSwan: Styx on moon
// creates the XFRM interface xfrm42 (if_id 42) at load, down; the tunnel's SAs
// and policies carry if_id 42, so only traffic routed into xfrm42 is
// protected. moon's own route to sun's LAN is removed first: the configured
// route into xfrm42 (added when the IKE_SA comes up, removed when it goes) is
// then the only way there, and alice reaches bob only through it, as ESP.
import type { Scenario, Step } from '../runner/scenario.js';
import { ADDR, NET } from '../runner/topologies.js';
import { type ConnSpec, charonDaemon, lanNets, styxctl, styxDaemon } from './styx-pair.js';

const conn: ConnSpec = {
  name: 'gw',
  ike: 'aes256gcm16-prfsha256-x25519',
  children: [{ name: 'net', proposals: 'aes256gcm16', nets: lanNets('v4') }],
  extra: { moon: { conn: [`xfrm_interface: { if_id: 42, routes: [${NET.sunLan.v4}] }`] } },
};

const link = (expect: { match?: RegExp[]; noMatch?: RegExp[] }): Step => ({
  do: 'exec',
  ns: 'moon',
  argv: ['ip', '-d', 'link', 'show', 'xfrm42'],
  expect,
});
const routesOfXfrm42 = (expect: { match?: RegExp[]; noMatch?: RegExp[] }): Step => ({
  do: 'exec',
  ns: 'moon',
  argv: ['ip', 'route', 'show', 'dev', 'xfrm42'],
  expect,
});
const UP = /<[^>]*\bUP\b[^>]*>/;
const sunLanRoute = new RegExp(`^${NET.sunLan.v4.replace(/\./g, '\\.')}`, 'm');

const before: Step[] = [
  { do: 'exec', ns: 'moon', argv: ['ip', 'route', 'del', NET.sunLan.v4] },
  // Created at load, down until the tunnel is up.
  link({ match: [/xfrm if_id 0x2a/], noMatch: [UP] }),
  routesOfXfrm42({ noMatch: [sunLanRoute] }),
];

const whileUp: Step[] = [
  link({ match: [/xfrm if_id 0x2a/, UP] }),
  routesOfXfrm42({ match: [sunLanRoute] }),
  { do: 'exec', ns: 'moon', argv: ['ip', 'xfrm', 'state'], expect: { match: [/if_id 0x2a/] } },
  {
    do: 'exec',
    ns: 'moon',
    argv: ['ip', 'xfrm', 'policy'],
    expect: { match: [/if_id 0x2a/] },
  },
  { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 3, expect: 'reply' },
  { do: 'ping', from: 'bob', to: ADDR.alice.v4, count: 2, expect: 'reply' },
  {
    do: 'capture',
    name: 'wan',
    expect: { match: [/ESP\(spi=0x[0-9a-f]+/], noMatch: [/ICMP echo request/] },
  },
];

const afterDown: Step[] = [
  link({ match: [/xfrm if_id 0x2a/], noMatch: [UP] }),
  routesOfXfrm42({ noMatch: [sunLanRoute] }),
  { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 1, expect: 'no-reply' },
];

export const APPLIANCE_XFRM_SCENARIOS: readonly Scenario[] = [
  {
    name: 'appliance-xfrm-interface-initiator',
    summary:
      'Styx on moon initiates a route-based tunnel (xfrm_interface if_id 42 with a route to sun LAN) to strongSwan; the interface goes up and down with the IKE_SA, alice pings bob through it as ESP',
    topology: 'net2net',
    daemons: [charonDaemon('sun', [conn]), styxDaemon('moon', [conn])],
    captures: [{ name: 'wan', ns: 'wan', dev: 'br0' }],
    steps: [
      ...before,
      styxctl('moon', ['up', 'gw'], { match: [/established/] }),
      ...whileUp,
      styxctl('moon', ['down', 'gw'], { match: [/closed/] }),
      ...afterDown,
    ],
    timeoutMs: 90_000,
  },
  {
    name: 'appliance-xfrm-interface-responder',
    summary:
      'strongSwan on sun initiates to Styx on moon, whose CHILD_SA lands on xfrm42 (if_id 42): the interface comes up with the IKE_SA and goes down when strongSwan deletes it',
    topology: 'net2net',
    daemons: [charonDaemon('sun', [conn]), styxDaemon('moon', [conn])],
    captures: [{ name: 'wan', ns: 'wan', dev: 'br0' }],
    steps: [
      ...before,
      { do: 'swanctl', ns: 'sun', args: ['--initiate', '--child', 'net', '--timeout', '30'] },
      { do: 'sleep', ms: 500 },
      ...whileUp,
      { do: 'swanctl', ns: 'sun', args: ['--terminate', '--ike', 'gw', '--timeout', '30'] },
      { do: 'sleep', ms: 500 },
      ...afterDown,
    ],
    timeoutMs: 90_000,
  },
];
