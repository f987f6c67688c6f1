// A NAT that changes its mapping mid-tunnel (RFC 7296 §2.23): strongSwan on
// moon sits behind a masquerading router; once the tunnel is up the router's
// UDP mappings expire and new ones take ports 40000-40999. The first ESP
// packet from the new port makes sun's kernel report an XFRM MAPPING event;
// Styx must move its ESP-in-UDP SAs (and the IKE_SA) to the new port, so
// bob's traffic reaches alice again.
import type { Scenario, Step } from '../runner/scenario.js';
import { ADDR } from '../runner/topologies.js';
import { charonDaemon, styxctl, styxDaemon } from './styx-pair.js';
import { natConn, styxLog } from './styx-strongswan-lifecycle.js';

/** The destination ports of Styx's outbound ESP-in-UDP SAs on sun (to the router). */
async function outboundEncapPort(lab: Parameters<Extract<Step, { do: 'run' }>['run']>[0]) {
  const r = await lab.exec('sun', ['ip', 'xfrm', 'state']);
  const outbound = r.stdout
    .split(/^(?=src )/m)
    .filter((block) => block.startsWith(`src ${ADDR.sun.v4} dst ${ADDR.natOutside.v4}`));
  return outbound.flatMap((block) => {
    const m = /encap type espinudp sport \d+ dport (\d+)/.exec(block);
    return m ? [Number(m[1])] : [];
  });
}

const nat = (argv: string[]): Step => ({ do: 'exec', ns: 'nat', argv });

export const natMappingChange: Scenario = {
  name: 'styx-responder-nat-mapping-change',
  summary:
    "strongSwan on moon behind a NAT whose mapping changes mid-tunnel: sun's kernel reports the new port (MAPPING), Styx moves its ESP-in-UDP SAs there and bob reaches alice again",
  topology: 'net2net-nat',
  daemons: [
    // No NAT keepalives and no DPD: nothing may refresh the old mapping while it expires.
    charonDaemon(
      'moon',
      [natConn({ moon: { localAddr: ADDR.moonPrivate.v4 } })],
      'keep_alive = 0s',
    ),
    styxDaemon('sun', [natConn({ sun: { remoteAddr: '%any', conn: ['dpd: { delay: 0s }'] } })]),
  ],
  steps: [
    // The router forgets a UDP mapping 2-3 s after its last packet (a packet
    // sets the timeout of its entry, so this comes before any traffic).
    nat(['sysctl', '-w', 'net.netfilter.nf_conntrack_udp_timeout=2']),
    nat(['sysctl', '-w', 'net.netfilter.nf_conntrack_udp_timeout_stream=3']),
    { do: 'swanctl', ns: 'moon', args: ['--initiate', '--child', 'net', '--timeout', '30'] },
    { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 2, expect: 'reply' },
    {
      do: 'run',
      what: 'the router rewrites moon to a port outside 40000-40999 so far',
      async run(lab) {
        const ports = await outboundEncapPort(lab);
        lab.log(`Styx's ESP-in-UDP destination port(s): ${ports.join(', ')}`);
        if (ports.length !== 1 || ports[0]! >= 40000)
          throw new Error(`expected one outbound ESP-in-UDP SA before the change, got ${ports}`);
      },
    },
    // New mappings now use 40000-40999.
    nat([
      'iptables-legacy',
      '-t',
      'nat',
      '-I',
      'POSTROUTING',
      '1',
      '-o',
      'eth1',
      '-p',
      'udp',
      '-j',
      'MASQUERADE',
      '--to-ports',
      '40000-40999',
    ]),
    { do: 'sleep', ms: 6000 },
    // alice's packet leaves moon as ESP in UDP from a fresh mapping.
    { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 3, expect: 'reply' },
    styxLog('sun', { match: [/peer's NAT port \d+ -> 4\d{4}; [1-9]\d* SA\(s\) updated/] }),
    {
      do: 'run',
      what: "Styx's outbound ESP-in-UDP SA now goes to the new port",
      async run(lab) {
        const ports = await outboundEncapPort(lab);
        lab.log(`Styx's ESP-in-UDP destination port(s): ${ports.join(', ')}`);
        if (ports.length !== 1 || ports[0]! < 40000 || ports[0]! > 40999)
          throw new Error(`expected the outbound SA on a port in 40000-40999, got ${ports}`);
      },
    },
    { do: 'ping', from: 'bob', to: ADDR.alice.v4, count: 3, expect: 'reply' },
    styxctl('sun', ['status'], { match: [/gw: #\d+, ESTABLISHED, IKEv2/] }),
    { do: 'swanctl', ns: 'moon', args: ['--terminate', '--ike', 'gw', '--timeout', '20'] },
  ],
  timeoutMs: 120_000,
};
