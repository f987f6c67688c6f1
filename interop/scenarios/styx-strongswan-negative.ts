// What must go wrong, and how: a wrong PSK, no common proposal, unacceptable
// traffic selectors and an unknown critical payload each end with the right
// notify and log line, while the daemon keeps serving its working tunnel. Also
// the key exchange retry (INVALID_KE_PAYLOAD) and a cookie exchange forced by a
// threshold of 0, with Styx in both roles.
import type { Scenario, Step } from '../runner/scenario.js';
import { ADDR } from '../runner/topologies.js';
import {
  type ConnSpec,
  charonDaemon,
  lanNets,
  styxConfigFile,
  styxctl,
  styxDaemon,
} from './styx-pair.js';

const IKE = 'aes256gcm16-prfsha256-x25519';
const net = { name: 'net', proposals: 'aes256gcm16', nets: lanNets('v4') };
const good: ConnSpec = { name: 'gw', ike: IKE, children: [net] };

const stillServing = (styx: 'moon' | 'sun'): Step[] => [
  { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 2, expect: 'reply' },
  styxctl(styx, ['status', 'gw'], {
    match: [/gw: #\d+, ESTABLISHED, IKEv2/, /net: #\d+, reqid \d+, INSTALLED/],
  }),
];

/** swanctl --initiate that must fail (the peer refuses). */
const initiateFails = (child: string, ike: string): Step => ({
  do: 'run',
  what: `strongSwan's initiation of ${ike} is refused`,
  async run(lab) {
    const scenario = lab.dir.split('/').pop();
    const uri = `unix:///tmp/lab/${scenario}/moon/charon.vici`;
    const r = await lab.exec(
      'moon',
      ['swanctl', '--initiate', '--uri', uri, '--ike', ike, '--child', child, '--timeout', '20'],
      30_000,
    );
    if (r.code === 0) throw new Error(`swanctl --initiate ${ike} succeeded; it should have failed`);
  },
});

const initiatorNegative: Scenario = {
  name: 'styx-initiator-negative',
  summary:
    'Styx on moon: wrong PSK, no common proposal and unacceptable selectors fail with the right notify while gw keeps working',
  topology: 'net2net',
  daemons: [
    charonDaemon('sun', [good]),
    styxDaemon('moon', [
      good,
      { ...good, name: 'badpsk', styx: { psk: 'not-the-pre-shared-key-of-sun' } },
      { ...good, name: 'noprop', styx: { ike: 'aes128-sha1-modp3072' } },
      {
        ...good,
        name: 'badts',
        styx: { children: [{ ...net, nets: { moon: '10.98.0.0/16', sun: '10.99.0.0/16' } }] },
      },
    ]),
  ],
  steps: [
    styxctl('moon', ['up', 'gw'], { match: [/established/] }),
    ...stillServing('moon'),
    // styxctl reports the failure on stderr and exits 1; the daemon logs why.
    styxctl('moon', ['up', 'badpsk'], undefined, 1),
    {
      do: 'daemon-output',
      name: 'styxd-moon',
      expect: { match: [/\[badpsk\|#\d+\] IKE_SA closed: peer answered AUTHENTICATION_FAILED/] },
    },
    styxctl('moon', ['up', 'noprop'], undefined, 1),
    {
      do: 'daemon-output',
      name: 'styxd-moon',
      expect: { match: [/\[noprop\|#\d+\] IKE_SA closed: peer answered NO_PROPOSAL_CHOSEN/] },
    },
    styxctl('moon', ['up', 'badts'], { match: [/established/] }),
    {
      do: 'daemon-output',
      name: 'styxd-moon',
      expect: {
        match: [
          /\[badts\|#\d+\] CHILD_SA net not established: peer refused the CHILD_SA with TS_UNACCEPTABLE/,
        ],
      },
    },
    ...stillServing('moon'),
    {
      do: 'swanctl',
      ns: 'sun',
      args: ['--list-sas', '--ike', 'gw'],
      expect: { match: [/net: #\d+, reqid \d+, INSTALLED/] },
    },
    // A reload with a broken file is refused with file, line and setting; the tunnels stay.
    {
      do: 'exec',
      ns: 'moon',
      argv: ['sed', '-i', 's/mode: tunnel/mode: tunel/', styxConfigFile('moon')],
    },
    styxctl('moon', ['reload'], undefined, 1),
    {
      do: 'daemon-output',
      name: 'styxd-moon',
      expect: {
        match: [
          /reload refused: \/tmp\/styx-moon\.yaml:\d+:\d+: connections\.gw\.children\.net\.mode: "tunel" is not allowed/,
        ],
      },
    },
    ...stillServing('moon'),
  ],
  timeoutMs: 120_000,
};

/** The wrong-PSK peer uses its own identities, so that only its secret differs. */
const altIds = { moon: 'alt.moon.example', sun: 'alt.sun.example' };

const responderNegative: Scenario = {
  name: 'styx-responder-negative',
  summary:
    'Styx on sun: wrong PSK, no common proposal, unacceptable selectors and an unknown critical payload are refused while gw keeps working',
  topology: 'net2net',
  daemons: [
    charonDaemon('moon', [
      good,
      { ...good, name: 'badpsk', ids: altIds, charon: { psk: 'not-the-pre-shared-key-of-sun' } },
      { ...good, name: 'noprop', charon: { ike: 'aes128-sha1-modp3072' } },
      {
        ...good,
        name: 'badts',
        charon: { children: [{ ...net, nets: { moon: '10.98.0.0/16', sun: '10.99.0.0/16' } }] },
      },
    ]),
    styxDaemon('sun', [good, { ...good, name: 'alt', ids: altIds }]),
  ],
  steps: [
    {
      do: 'swanctl',
      ns: 'moon',
      args: ['--initiate', '--ike', 'gw', '--child', 'net', '--timeout', '30'],
    },
    ...stillServing('sun'),
    initiateFails('net', 'badpsk'),
    {
      do: 'daemon-output',
      name: 'styxd-sun',
      expect: { match: [/authentication of alt\.moon\.example with pre-shared key failed/] },
    },
    initiateFails('net', 'noprop'),
    {
      do: 'daemon-output',
      name: 'styxd-sun',
      expect: { match: [/IKE_SA_INIT from 192\.0\.2\.1 refused: no acceptable proposal/] },
    },
    initiateFails('net', 'badts'),
    {
      do: 'daemon-output',
      name: 'styxd-sun',
      expect: { match: [/CHILD_SA not established: traffic selectors unacceptable/] },
    },
    {
      do: 'driver',
      ns: 'moon',
      driver: 'ike-critical-probe',
      args: ['--to', ADDR.sun.v4],
      // UNSUPPORTED_CRITICAL_PAYLOAD (1) naming payload type 211 (0xd3).
      expect: {
        match: [/"event":"answer","response":true,"notifies":\[\{"type":1,"data":"d3"\}\]/],
      },
    },
    {
      do: 'daemon-output',
      name: 'styxd-sun',
      expect: { match: [/carries unsupported critical payload 211/] },
    },
    ...stillServing('sun'),
  ],
  timeoutMs: 150_000,
};

const keRetryInitiator: Scenario = {
  name: 'styx-initiator-invalid-ke',
  summary:
    'strongSwan on sun wants ECP-256; Styx offers X25519 first, gets INVALID_KE_PAYLOAD and retries with ECP-256',
  topology: 'net2net',
  daemons: [
    charonDaemon('sun', [{ ...good, ike: 'aes256gcm16-prfsha256-ecp256' }]),
    styxDaemon('moon', [{ ...good, ike: 'aes256gcm16-prfsha256-x25519-ecp256' }]),
  ],
  steps: [
    styxctl('moon', ['up', 'gw'], { match: [/established/] }),
    {
      do: 'daemon-output',
      name: 'styxd-moon',
      expect: { match: [/peer asked for key exchange method 19, retrying/] },
    },
    {
      do: 'swanctl',
      ns: 'sun',
      args: ['--list-sas'],
      expect: { match: [/AES_GCM_16-256\/PRF_HMAC_SHA2_256\/ECP_256/] },
    },
    { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 2, expect: 'reply' },
  ],
  timeoutMs: 90_000,
};

const keRetryResponder: Scenario = {
  name: 'styx-responder-invalid-ke',
  summary:
    'strongSwan on moon sends ECP-256 first; Styx on sun wants X25519 and answers INVALID_KE_PAYLOAD; strongSwan retries',
  topology: 'net2net',
  daemons: [
    charonDaemon('moon', [{ ...good, ike: 'aes256gcm16-prfsha256-ecp256-x25519' }]),
    styxDaemon('sun', [{ ...good, ike: 'aes256gcm16-prfsha256-x25519' }]),
  ],
  steps: [
    { do: 'swanctl', ns: 'moon', args: ['--initiate', '--child', 'net', '--timeout', '30'] },
    {
      do: 'daemon-output',
      name: 'styxd-sun',
      expect: { match: [/asked for key exchange method 31 instead of 19/] },
    },
    { do: 'swanctl', ns: 'moon', args: ['--list-sas'], expect: { match: [/CURVE_25519/] } },
    { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 2, expect: 'reply' },
  ],
  timeoutMs: 90_000,
};

const cookieResponder: Scenario = {
  name: 'styx-responder-cookie',
  summary:
    'Styx on sun with cookie_threshold 0 demands a COOKIE (RFC 7296 §2.6) before any key exchange; strongSwan returns it and the tunnel comes up',
  topology: 'net2net',
  daemons: [charonDaemon('moon', [good]), styxDaemon('sun', [good], ['cookie_threshold: 0'])],
  captures: [{ name: 'wan', ns: 'wan', dev: 'br0', filter: 'udp port 500' }],
  steps: [
    { do: 'swanctl', ns: 'moon', args: ['--initiate', '--child', 'net', '--timeout', '30'] },
    { do: 'daemon-output', name: 'styxd-sun', expect: { match: [/refused: asked for a cookie/] } },
    { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 2, expect: 'reply' },
  ],
  timeoutMs: 90_000,
};

export const STYX_NEGATIVE_SCENARIOS: readonly Scenario[] = [
  initiatorNegative,
  responderNegative,
  keRetryInitiator,
  keRetryResponder,
  cookieResponder,
];
