// Configuration builders for scenarios that pair Styx with strongSwan on the
// gateways moon and sun: one description of a connection gives both Styx's
// YAML and strongSwan's swanctl.conf, so the two sides always agree unless a
// scenario makes them differ on purpose.
import type { TextExpectation } from '../runner/expect.js';
import type { DaemonSpec, Step } from '../runner/scenario.js';
import { ADDR, NET } from '../runner/topologies.js';

export type Gateway = 'moon' | 'sun';
export type Family = 'v4' | 'v6';

export const LAB_PSK = 'lab-only-pre-shared-key-0123456789';
export const styxSocket = (ns: Gateway) => `/tmp/styx-${ns}.sock`;
/** Where the lab's styxd keeps its configuration (a scenario may edit it and reload). */
export const styxConfigFile = (ns: Gateway) => `/tmp/styx-${ns}.yaml`;

export interface ChildSpec {
  readonly name: string;
  readonly mode?: 'tunnel' | 'transport';
  readonly protocol?: 'esp' | 'ah';
  /** strongSwan proposal keywords, e.g. `aes256gcm16` or `sha256` for AH. */
  readonly proposals: string;
  readonly ipcomp?: boolean;
  /** LAN selectors by side; absent for host-to-host (dynamic). */
  readonly nets?: { readonly moon: string; readonly sun: string };
}

export interface ConnSpec {
  readonly name: string;
  readonly family?: Family;
  /** IKE proposal as strongSwan writes it. */
  readonly ike: string;
  readonly children: readonly ChildSpec[];
  /** Identities (FQDNs) instead of the gateways' addresses. */
  readonly ids?: { readonly moon: string; readonly sun: string };
  /** Overrides per side (a scenario that makes the sides disagree). */
  readonly styx?: {
    readonly ike?: string;
    readonly psk?: string;
    readonly children?: readonly ChildSpec[];
  };
  readonly charon?: {
    readonly ike?: string;
    readonly psk?: string;
    readonly children?: readonly ChildSpec[];
  };
  /**
   * Extra settings per side and daemon (lifecycle scenarios): lines added under
   * the connection and under every child, the start action (default none) and
   * the addresses (default: the gateways' WAN addresses; `%any` for a peer
   * behind a NAT).
   */
  readonly extra?: {
    readonly [G in Gateway]?: SideExtra;
  };
  /** Certificate authentication instead of the PSK (absolute file paths, visible inside UML). */
  readonly certs?: CertAuthSpec;
  /** Authentication written out per gateway (EAP, two rounds); wins over `certs` and the PSK. */
  readonly rawAuth?: { readonly [G in Gateway]: RawAuth };
}

/** One gateway's authentication settings as its daemon writes them. */
export interface RawAuth {
  /** Styx: lines under the connection (`local:`, `remote:`, `local2:`, ...), indented 4. */
  readonly styx: readonly string[];
  /** Styx: top-level lines (`eap_users:` ...), indented 0. */
  readonly styxTop?: readonly string[];
  /** strongSwan: the connection's `local`/`remote` sections, indented 4. */
  readonly charon: string;
  /** strongSwan: `secrets` entries, indented 2. */
  readonly charonSecrets?: readonly string[];
  /** strongSwan: private key files swanctl must load. */
  readonly charonKeys?: readonly string[];
  /** strongSwan: intermediate CA files it sends along with its certificate. */
  readonly charonIntermediates?: readonly string[];
}

/** One gateway's certificate: what it sends and the identity it claims. */
export interface CertSide {
  readonly cert: string;
  readonly key: string;
  /** Sent along with the certificate (Styx: further `certs` files; strongSwan: authorities). */
  readonly intermediates?: readonly string[];
  /** The identity it uses; the peer expects `expect` (default: the same). */
  readonly id: string;
}

export interface CertAuthSpec {
  readonly moon: CertSide;
  readonly sun: CertSide;
  /** CA certificates both trust; Styx also takes CRL files here. */
  readonly cacerts: readonly string[];
  readonly crls?: readonly string[];
  /** The identity each gateway expects of its peer when it is not the peer's `id`. */
  readonly expect?: { readonly moon?: string; readonly sun?: string };
  /** This gateway authenticates with the lab PSK instead (its `id` only), the other with its certificate. */
  readonly psk?: Gateway;
}

const expectedPeerId = (ns: Gateway, a: CertAuthSpec): string => a.expect?.[ns] ?? a[peerOf(ns)].id;

/** The certificate this gateway signs with, unless it uses the PSK. */
const ownCert = (ns: Gateway, a: CertAuthSpec): CertSide | undefined =>
  a.psk === ns ? undefined : a[ns];

function styxAuthLines(ns: Gateway, a: CertAuthSpec): string[] {
  const me = a[ns];
  const cert = ownCert(ns, a);
  const certs = cert ? [cert.cert, ...(cert.intermediates ?? [])].join(', ') : '';
  const cacerts = [...a.cacerts, ...(a.crls ?? [])].join(', ');
  const peerId = expectedPeerId(ns, a);
  return [
    cert
      ? `    local: { auth: pubkey, id: "${me.id}", certs: [${certs}], key: ${cert.key} }`
      : `    local: { auth: psk, id: "${me.id}" }`,
    a.psk === peerOf(ns)
      ? `    remote: { auth: psk, id: "${peerId}" }`
      : `    remote: { auth: pubkey, id: "${peerId}", cacerts: [${cacerts}] }`,
    ...(a.psk ? [`    psk: { secret: ${LAB_PSK} }`] : []),
  ];
}

function charonAuthLines(ns: Gateway, a: CertAuthSpec): string {
  const me = a[ns];
  const cert = ownCert(ns, a);
  const local = cert
    ? `      auth = pubkey\n      certs = ${cert.cert}\n      id = "${me.id}"`
    : `      auth = psk\n      id = "${me.id}"`;
  const remote =
    a.psk === peerOf(ns)
      ? `      auth = psk\n      id = "${expectedPeerId(ns, a)}"`
      : `      auth = pubkey\n      cacerts = ${a.cacerts.join(', ')}\n      id = "${expectedPeerId(ns, a)}"`;
  return `    local {\n${local}\n    }\n    remote {\n${remote}\n    }`;
}

/** strongSwan's private keys: swanctl loads them only from its `private/` directory. */
function charonKeyFiles(ns: Gateway, conns: readonly ConnSpec[]) {
  const keys = new Set(
    conns.flatMap((c) => {
      if (c.rawAuth) return [...(c.rawAuth[ns].charonKeys ?? [])];
      const cert = c.certs && ownCert(ns, c.certs);
      return cert ? [cert.key] : [];
    }),
  );
  return [...keys].map((from, i) => ({ path: `private/key-${i}.pem`, from }));
}

/** The intermediates strongSwan sends along with its certificate. */
function charonAuthorities(ns: Gateway, conns: readonly ConnSpec[]): string {
  const files = new Set(
    conns.flatMap(
      (c) =>
        c.rawAuth?.[ns].charonIntermediates ??
        ((c.certs && ownCert(ns, c.certs)?.intermediates) || []),
    ),
  );
  if (files.size === 0) return '';
  const entries = [...files].map((f, i) => `  im-${i} {\n    cacert = ${f}\n  }`);
  return `authorities {\n${entries.join('\n')}\n}\n`;
}

/** The PSK of the mixed connections, for both gateways' identities (sections must start with `ike`). */
function charonMixedSecrets(conns: readonly ConnSpec[]): string[] {
  return conns.flatMap((c, i) =>
    c.certs?.psk
      ? [
          `  ike-mixed-${i} {\n    id-a = "${c.certs.moon.id}"\n    id-b = "${c.certs.sun.id}"\n    secret = ${LAB_PSK}\n  }`,
        ]
      : [],
  );
}

export interface SideExtra {
  readonly conn?: readonly string[];
  readonly child?: readonly string[];
  readonly startAction?: string;
  readonly localAddr?: string;
  readonly remoteAddr?: string;
}

const peerOf = (ns: Gateway): Gateway => (ns === 'moon' ? 'sun' : 'moon');

export function lanNets(family: Family): { moon: string; sun: string } {
  return { moon: NET.moonLan[family], sun: NET.sunLan[family] };
}

function styxConnection(ns: Gateway, c: ConnSpec): string {
  const f = c.family ?? 'v4';
  const x = c.extra?.[ns];
  const me = x?.localAddr ?? ADDR[ns][f];
  const peer = x?.remoteAddr ?? ADDR[peerOf(ns)][f];
  const children = c.styx?.children ?? c.children;
  const myId = c.ids?.[ns] ?? me;
  const peerId = c.ids?.[peerOf(ns)] ?? peer;
  const lines = [
    `  ${c.name}:`,
    '    version: 2',
    `    local_addrs: [${me}]`,
    `    remote_addrs: [${peer}]`,
    `    proposals: [${c.styx?.ike ?? c.ike}]`,
    ...(c.rawAuth
      ? c.rawAuth[ns].styx
      : c.certs
        ? styxAuthLines(ns, c.certs)
        : [
            `    local: { auth: psk, id: "${myId}" }`,
            `    remote: { auth: psk, id: "${peerId}" }`,
            `    psk: { secret: ${c.styx?.psk ?? LAB_PSK} }`,
          ]),
    `    start_action: ${x?.startAction ?? 'none'}`,
    ...(x?.conn ?? []).map((l) => `    ${l}`),
    '    children:',
  ];
  for (const ch of children) {
    lines.push(`      ${ch.name}:`);
    if (ch.nets) {
      lines.push(
        `        local_ts: [${ch.nets[ns]}]`,
        `        remote_ts: [${ch.nets[peerOf(ns)]}]`,
      );
    }
    lines.push(`        mode: ${ch.mode ?? 'tunnel'}`);
    lines.push(`        ${ch.protocol === 'ah' ? 'ah' : 'esp'}_proposals: [${ch.proposals}]`);
    if (ch.ipcomp) lines.push('        ipcomp: yes');
    for (const l of x?.child ?? []) lines.push(`        ${l}`);
  }
  return lines.join('\n');
}

/** styxd's YAML with the given connections; `daemon` adds lines under `daemon:`. */
export function styxYaml(
  ns: Gateway,
  conns: readonly ConnSpec[],
  daemon: readonly string[] = [],
): string {
  return [
    'daemon:',
    `  socket: ${styxSocket(ns)}`,
    ...daemon.map((l) => `  ${l}`),
    '  log:',
    '    level: debug',
    ...conns.flatMap((c) => c.rawAuth?.[ns].styxTop ?? []),
    'connections:',
    ...conns.map((c) => styxConnection(ns, c)),
    '',
  ].join('\n');
}

function charonConnection(ns: Gateway, c: ConnSpec): string {
  const f = c.family ?? 'v4';
  const x = c.extra?.[ns];
  const me = x?.localAddr ?? ADDR[ns][f];
  const peer = x?.remoteAddr ?? ADDR[peerOf(ns)][f];
  const childExtra = (x?.child ?? []).map((l) => `        ${l}\n`).join('');
  const children = (c.charon?.children ?? c.children)
    .map((ch) => {
      const ts = ch.nets
        ? `        local_ts = ${ch.nets[ns]}\n        remote_ts = ${ch.nets[peerOf(ns)]}\n`
        : '';
      const props = `        ${ch.protocol === 'ah' ? 'ah' : 'esp'}_proposals = ${ch.proposals}\n`;
      return `      ${ch.name} {\n${ts}${props}        mode = ${ch.mode ?? 'tunnel'}\n        ipcomp = ${ch.ipcomp ? 'yes' : 'no'}\n        start_action = ${x?.startAction ?? 'none'}\n${childExtra}      }`;
    })
    .join('\n');
  return `  ${c.name} {
    version = 2
    local_addrs = ${me}
    remote_addrs = ${peer}
    proposals = ${c.charon?.ike ?? c.ike}
${(x?.conn ?? []).map((l) => `    ${l}\n`).join('')}${charonAuth(ns, c, me, peer)}
    children {
${children}
    }
  }`;
}

function charonAuth(ns: Gateway, c: ConnSpec, me: string, peer: string): string {
  if (c.rawAuth) return c.rawAuth[ns].charon;
  return c.certs ? charonAuthLines(ns, c.certs) : charonPskAuth(ns, c, me, peer);
}

function charonPskAuth(ns: Gateway, c: ConnSpec, me: string, peer: string): string {
  return `    local {
      auth = psk
      id = ${c.ids?.[ns] ?? me}
    }
    remote {
      auth = psk
      id = ${c.ids?.[peerOf(ns)] ?? peer}
    }`;
}

/** swanctl.conf with the given connections and one PSK for both gateways' ids. */
export function charonConf(ns: Gateway, conns: readonly ConnSpec[]): string {
  const secrets = conns
    .filter((c) => !c.certs && !c.rawAuth)
    .map((c, i) => {
      const f = c.family ?? 'v4';
      const ids = c.ids ?? { moon: ADDR.moon[f], sun: ADDR.sun[f] };
      return `  ike-${i} {\n    id-a = ${ids.moon}\n    id-b = ${ids.sun}\n    secret = ${c.charon?.psk ?? LAB_PSK}\n  }`;
    })
    .join('\n');
  const raw = conns.flatMap((c) => c.rawAuth?.[ns].charonSecrets ?? []);
  const all = [secrets, ...charonMixedSecrets(conns), ...raw].filter((s) => s !== '').join('\n');
  return `connections {\n${conns.map((c) => charonConnection(ns, c)).join('\n')}\n}\nsecrets {\n${all}\n}\n${charonAuthorities(ns, conns)}`;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

export function styxDaemon(
  ns: Gateway,
  conns: readonly ConnSpec[],
  daemon: readonly string[] = [],
): DaemonSpec {
  return {
    kind: 'node',
    ns,
    name: `styxd-${ns}`,
    driver: 'styxd',
    args: ['--config-b64', b64(styxYaml(ns, conns, daemon)), '--config-file', styxConfigFile(ns)],
    ready: /styxd started/,
  };
}

export function charonDaemon(
  ns: Gateway,
  conns: readonly ConnSpec[],
  settings?: string,
): DaemonSpec {
  return {
    kind: 'charon',
    ns,
    swanctl: charonConf(ns, conns),
    ...(settings ? { charonSettings: settings } : {}),
    ...(conns.some((c) => c.certs || c.rawAuth) ? { files: charonKeyFiles(ns, conns) } : {}),
  };
}

/** A styxctl command in a gateway; `expectExit` defaults to success. */
export function styxctl(
  ns: Gateway,
  args: readonly string[],
  expect?: TextExpectation,
  expectExit = 0,
): Step {
  return {
    do: 'driver',
    ns,
    driver: 'styxctl',
    args: ['--socket', styxSocket(ns), ...args],
    expectExit,
    ...(expect ? { expect } : {}),
    timeoutMs: 45_000,
  };
}

/** Both ESP (or AH) SAs of a tunnel counted traffic: `  420(bytes), 5(packets)`. */
export function countersMoved(
  ns: Gateway,
  proto: 'esp' | 'ah' = 'esp',
  sas = 2,
  maxSas = 2 * sas,
): Step {
  return {
    do: 'xfrm',
    ns,
    show: 'stats',
    expect: {
      match: [new RegExp(`proto ${proto}`)],
      count: [{ pattern: /^\s*[1-9]\d*\(bytes\), [1-9]\d*\(packets\)$/m, min: sas, max: maxSas }],
    },
  };
}

/** How long a tshark run may take inside UML. */
export const TSHARK_MS = 120_000;

/** tshark decodes the WAN capture without malformed packets or expert errors. */
export const tsharkClean: Step = {
  do: 'run',
  what: 'tshark decodes the WAN capture cleanly',
  async run(lab) {
    const pcap = `${lab.dir}/wan.pcap`;
    // One run prints the packet list and then the expert errors (-z without -q).
    // tshark takes tens of seconds in a UML boot on a loaded machine (seen over 30 s in CI).
    const all = await lab.exec(
      'wan',
      ['tshark', '-n', '-r', pcap, '-z', 'expert,error'],
      TSHARK_MS,
    );
    if (all.code !== 0) throw new Error(`tshark failed (exit ${all.code}): ${all.stderr}`);
    if (!/ISAKMP|IKE/.test(all.stdout)) throw new Error('no IKE packet in the capture');
    const errors = /Errors \(\d+\)[\s\S]*/.exec(all.stdout);
    if (/Malformed/i.test(all.stdout) || errors) {
      throw new Error(`tshark reports problems:\n${(errors?.[0] ?? all.stdout).slice(0, 2000)}`);
    }
  },
};
