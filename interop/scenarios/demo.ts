// The README's main job (`npm run demo`): Styx on moon brings up an IKEv2 tunnel
// to strongSwan on sun, alice pings bob through it, and the state is shown from
// both daemons and the kernel.
import type { Scenario } from '../runner/scenario.js';
import { ADDR } from '../runner/topologies.js';
import {
  type ConnSpec,
  charonDaemon,
  countersMoved,
  lanNets,
  styxctl,
  styxDaemon,
} from './styx-pair.js';

const conn: ConnSpec = {
  name: 'gw',
  ike: 'aes256gcm16-prfsha256-x25519',
  children: [{ name: 'net', proposals: 'aes256gcm16', nets: lanNets('v4') }],
};

export const demo: Scenario = {
  name: 'demo-styx-strongswan',
  summary:
    'Styx (moon) <-> strongSwan (sun): IKEv2 PSK tunnel, alice pings bob through ESP, styxctl status',
  topology: 'net2net',
  daemons: [charonDaemon('sun', [conn]), styxDaemon('moon', [conn])],
  captures: [{ name: 'wan', ns: 'wan', dev: 'br0' }],
  steps: [
    styxctl('moon', ['up', 'gw'], { match: [/established/] }),
    { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 5, expect: 'reply' },
    styxctl('moon', ['status'], {
      match: [/gw: #\d+, ESTABLISHED, IKEv2/, /net: #\d+, reqid \d+, INSTALLED/],
    }),
    {
      do: 'swanctl',
      ns: 'sun',
      args: ['--list-sas'],
      expect: { match: [/net: #\d+, reqid \d+, INSTALLED, TUNNEL, ESP:AES_GCM_16-256/] },
    },
    countersMoved('moon'),
    {
      do: 'capture',
      name: 'wan',
      expect: { match: [/ESP\(spi=0x[0-9a-f]+/], noMatch: [/ICMP echo request/] },
    },
  ],
  timeoutMs: 90_000,
};
