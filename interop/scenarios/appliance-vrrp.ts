// The manual's Interfaces with a VRRP virtual IP (issue "The connection
// manager, and the appliance's network settings": high availability): two
// Styx gateways, moon and mars, run keepalived, which gives the virtual IPs
// (192.0.2.1 on the WAN, 198.51.100.1 on the LAN) to the master. Both carry
// the same connection with `local_addrs: [192.0.2.1]`; only the node holding
// the address runs it, the other is on standby (neither initiates nor
// answers). Failing the master (its keepalived stops, as on a crash or a
// reboot) moves the addresses: mars brings the tunnel up, sun (strongSwan)
// drops the old IKE_SA on INITIAL_CONTACT, and moon holds nothing.

import type { NodeDaemon, ProcessDaemon, Scenario, Step } from '../runner/scenario.js';
import { ADDR } from '../runner/topologies.js';
import { charonDaemon, styxctl, styxDaemon, styxSocket, styxYaml } from './styx-pair.js';
import { conn, styxLog } from './styx-strongswan-lifecycle.js';

/** keepalived for one node: one VRRP instance on the WAN carrying both virtual IPs. */
function keepalived(ns: 'moon' | 'mars', priority: number): ProcessDaemon {
  const conf = [
    'global_defs {',
    `  router_id ${ns}`,
    '  enable_script_security',
    '}',
    'vrrp_instance ha {',
    '  state BACKUP',
    '  interface eth1',
    '  virtual_router_id 51',
    `  priority ${priority}`,
    '  advert_int 1',
    '  virtual_ipaddress {',
    `    ${ADDR.moon.v4}/24 dev eth1`,
    `    ${ADDR.moonLan.v4}/24 dev eth0`,
    '  }',
    '}',
    '',
  ].join('\n');
  const dir = `/tmp/lab/keepalived-${ns}`;
  const script = `mkdir -p ${dir} && printf '%s' "$KA_CONF" > ${dir}/keepalived.conf && exec keepalived --dont-fork --log-console --vrrp --use-file ${dir}/keepalived.conf --pid ${dir}/keepalived.pid --vrrp_pid ${dir}/vrrp.pid`;
  return {
    kind: 'process',
    ns,
    name: `keepalived-${ns}`,
    argv: ['env', `KA_CONF=${conf}`, 'sh', '-c', script],
    ready: /Starting VRRP child process/,
  };
}

const MARS_SOCKET = '/tmp/styx-mars.sock';
/** The connection both nodes carry: moon's, initiating at start. */
const HA_CONNS = [conn({ moon: { startAction: 'start' } })];

/** mars runs styxd with moon's configuration under its own control socket. */
function styxOnMars(): NodeDaemon {
  const yaml = styxYaml('moon', HA_CONNS).replace(styxSocket('moon'), MARS_SOCKET);
  return {
    kind: 'node',
    ns: 'mars',
    name: 'styxd-mars',
    driver: 'styxd',
    args: [
      '--config-b64',
      Buffer.from(yaml).toString('base64'),
      '--config-file',
      '/tmp/styx-mars.yaml',
    ],
    ready: /styxd started/,
  };
}

function styxctlMars(args: readonly string[], expect?: Parameters<typeof styxctl>[2]): Step {
  const s = styxctl('moon', args, expect);
  if (s.do !== 'driver') throw new Error('styxctl is a driver step');
  return { ...s, ns: 'mars', args: ['--socket', MARS_SOCKET, ...args] };
}

const noEsp = (ns: string): Step => ({
  do: 'xfrm',
  ns,
  show: 'state',
  expect: { noMatch: [/proto esp/] },
});

/** alice pings bob every 10 ms while moon's keepalived stops; counts what was lost. */
const failOverWhilePinging: Step = {
  do: 'run',
  what: "alice pings bob every 10 ms; 2 s in, moon's keepalived stops (the master fails)",
  async run(lab) {
    const ping = lab.exec(
      'alice',
      ['ping', '-4', '-q', '-c', '1500', '-i', '0.01', '-W', '1', ADDR.bob.v4],
      60_000,
    );
    await new Promise((r) => setTimeout(r, 2000));
    const failedAt = Date.now();
    await lab.exec('moon', ['sh', '-c', 'kill "$(cat /tmp/lab/keepalived-moon/keepalived.pid)"']);
    const r = await ping;
    const m = /(\d+) packets transmitted, (\d+) received/.exec(r.stdout);
    if (!m) throw new Error(`ping gave no summary: ${r.stdout.slice(-200)}`);
    const lost = Number(m[1]) - Number(m[2]);
    lab.log(
      `failover: ${lost} of ${m[1]} pings lost (about ${(lost * 10) / 1000} s at 10 ms); master failed at ${new Date(failedAt).toISOString()}`,
    );
    if (Number(m[2]) === 0) throw new Error('no ping answered across the failover');
    // The tunnel must come back well within the 15 s the ping runs.
    if (lost > 1000) throw new Error(`${lost} pings lost: the tunnel took over 10 s to move`);
  },
};

const vrrpFailover: Scenario = {
  name: 'appliance-vrrp-failover',
  summary:
    'VRRP pair moon/mars (keepalived) with the connection on the virtual IP: only the master runs the tunnel, the backup is on standby; the master fails, mars brings the tunnel up, pings lost counted',
  topology: 'net2net-ha',
  daemons: [
    charonDaemon('sun', [conn()]),
    keepalived('moon', 150),
    keepalived('mars', 100),
    styxDaemon('moon', HA_CONNS),
    styxOnMars(),
  ],
  steps: [
    {
      do: 'daemon-output',
      name: 'keepalived-moon',
      expect: { match: [/Entering MASTER STATE/] },
      timeoutMs: 20_000,
    },
    styxLog('moon', { match: [/CHILD_SA net\{\d+\} established/] }, 30_000),
    { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 3, expect: 'reply' },
    // The backup holds the same connection on standby: no IKE_SA, no kernel SA.
    styxctlMars(['status'], {
      match: [/gw: on standby \(none of its local addresses \(192\.0\.2\.1\)/],
    }),
    noEsp('mars'),
    failOverWhilePinging,
    { do: 'daemon-output', name: 'keepalived-mars', expect: { match: [/Entering MASTER STATE/] } },
    {
      do: 'daemon-output',
      name: 'styxd-mars',
      expect: { match: [/gw: active again/, /CHILD_SA net\{\d+\} established/] },
    },
    { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 3, expect: 'reply' },
    // The old master let go: standby, nothing in its kernel, no IKE_SA.
    styxctl('moon', ['status'], { match: [/gw: on standby/, /no IKE_SAs/] }),
    noEsp('moon'),
    // sun replaced the old IKE_SA (INITIAL_CONTACT from mars).
    {
      do: 'swanctl',
      ns: 'sun',
      args: ['--list-sas'],
      expect: { count: [{ pattern: /gw: #\d+, ESTABLISHED, IKEv2/, min: 1, max: 1 }] },
    },
    styxctlMars(['down', 'gw']),
  ],
  timeoutMs: 150_000,
};

export const APPLIANCE_VRRP_SCENARIOS: readonly Scenario[] = [vrrpFailover];
