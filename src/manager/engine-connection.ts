/**
 * Turns validated configuration (`src/config`) into the IKEv2 engine's
 * connection definitions, in protocol terms: IANA numbers, identity octets,
 * address ranges. The engine never sees the YAML-level types.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { CredentialError } from '../auth/errors.js';
import { identityToWire } from '../auth/identity.js';
import { isSecret } from '../config/secret.js';
import type {
  AddressSpec,
  ChildConfig,
  Proposal as ConfigProposal,
  ConnectionConfig,
  IdentitySpec,
  StyxConfig,
  TrafficSelectorSpec,
} from '../config/types.js';
import {
  ANY_IDENTITY,
  type ChildConnection,
  type DynamicSelector,
  type Identity,
  type IkeConnection,
} from '../ikev2/connection.js';
import { addressIdentity } from '../ikev2/identities.js';
import type { Proposal } from '../ikev2/proposals.js';
import { parseAddress, type TrafficSelector } from '../ikev2/traffic-selectors.js';
import { IdType } from '../wire/ikev2/index.js';
import {
  type ConnectionCredentials,
  type EapUsers,
  loadConnectionCredentials,
  localRound,
  remoteRound,
} from './auth-rounds.js';
import type { ManagedConnection, RemoteEndpoint } from './connection-manager.js';
import { policyOf } from './policy.js';

const text = new TextEncoder();

/** Address specs as the engine matches them: IPs, CIDRs, `a-b` ranges, `%any`. */
export function addressStrings(specs: readonly AddressSpec[]): string[] {
  return specs.map((s) => {
    switch (s.kind) {
      case 'any':
        return '%any';
      case 'ip':
        return s.address.text;
      case 'subnet':
        return `${s.network.text}/${s.prefix}`;
      case 'range':
        return `${s.from.text}-${s.to.text}`;
      default:
        return s.name;
    }
  });
}

/** A configured identity as ID payload type and octets (RFC 7296 §3.5). */
export function engineIdentity(id: IdentitySpec, fallbackAddress?: string): Identity {
  switch (id.type) {
    case 'any':
      return ANY_IDENTITY;
    case 'address':
      return fallbackAddress && parseAddress(fallbackAddress)
        ? addressIdentity(fallbackAddress)
        : ANY_IDENTITY;
    case 'ipv4':
    case 'ipv6':
      return addressIdentity(id.value);
    case 'fqdn':
      return { type: IdType.ID_FQDN, data: text.encode(id.value) };
    case 'rfc822':
      return { type: IdType.ID_RFC822_ADDR, data: text.encode(id.value) };
    case 'keyid':
      return {
        type: IdType.ID_KEY_ID,
        data: Uint8Array.from(Buffer.from(id.value.replace(/^0x/, ''), 'hex')),
      };
    case 'dn': {
      // RFC 7296 §3.5: ID_DER_ASN1_DN carries the DER of the Name.
      const wire = identityToWire(id);
      return wire ?? { type: IdType.ID_DER_ASN1_DN, data: text.encode(id.value) };
    }
  }
}

/**
 * The engine connections of `configs` with their credentials loaded; an
 * error names the connection and the file.
 */
export async function buildEngineConnections(
  configs: readonly ConnectionConfig[],
  now: Date = new Date(),
  eapUsers: EapUsers = [],
): Promise<IkeConnection[]> {
  const out: IkeConnection[] = [];
  for (const c of configs) {
    try {
      out.push(engineConnection(c, await loadConnectionCredentials(c, now), eapUsers));
    } catch (e) {
      if (e instanceof CredentialError) throw new Error(`connection ${c.name}: ${e.message}`);
      throw e;
    }
  }
  return out;
}

/**
 * The manager's view of each configured connection: the engine's definition,
 * the appliance policy, the remote endpoints in order and a fingerprint that
 * tells a reload whether anything changed.
 */
export async function buildManagedConnections(
  config: Pick<StyxConfig, 'connections' | 'eapUsers' | 'daemon'>,
  now: Date = new Date(),
): Promise<ManagedConnection[]> {
  const engines = await buildEngineConnections(config.connections, now, config.eapUsers);
  return config.connections.map((c, i) => {
    const base = engines[i]!;
    const engine: IkeConnection = {
      ...base,
      natKeepaliveMs: config.daemon.natKeepaliveMs,
    };
    return {
      name: c.name,
      engine,
      policy: policyOf(c),
      endpoints: remoteEndpoints(c.remoteAddrs),
      fingerprint: configFingerprint(c, config.daemon.natKeepaliveMs),
      config: c,
    };
  });
}

/** Remote addresses and host names to initiate to, in configured order. */
export function remoteEndpoints(specs: readonly AddressSpec[]): RemoteEndpoint[] {
  return specs.flatMap((s): RemoteEndpoint[] =>
    s.kind === 'ip'
      ? [{ kind: 'ip', address: s.address.text }]
      : s.kind === 'fqdn'
        ? [{ kind: 'name', name: s.name }]
        : [],
  );
}

/**
 * Everything that defines a connection as one string: where it was read from
 * is left out (moving a connection in the file changes nothing), secrets are
 * replaced by a hash of their value (a changed PSK is a change; the value
 * itself never lands in memory twice or in a log).
 */
export function configFingerprint(c: ConnectionConfig, natKeepaliveMs: number): string {
  const json = JSON.stringify({ c, natKeepaliveMs }, (key, value: unknown) => {
    if (key === 'source') return undefined;
    if (isSecret(value)) return `sha256:${bytesToHex(sha256(value.reveal()))}`;
    return value;
  });
  return bytesToHex(sha256(new TextEncoder().encode(json)));
}

export function engineProposal(p: ConfigProposal): Proposal {
  return {
    protocol: p.protocol,
    encr: p.encryption.map((t) => (t.keyBits ? { id: t.id, keyLen: t.keyBits } : { id: t.id })),
    prf: p.prf.map((t) => t.id),
    integ: p.integrity.map((t) => t.id),
    ke: p.ke.map((t) => t.id),
    esn: p.esn.map((t) => t.id),
  };
}

function engineSelectors(specs: readonly TrafficSelectorSpec[]): TrafficSelector[] {
  const out: TrafficSelector[] = [];
  for (const s of specs) {
    // `dynamic` (the SA's own address) is resolved by the engine when the list is empty.
    if (s.kind !== 'range') continue;
    const from = parseAddress(s.from.text);
    const to = parseAddress(s.to.text);
    if (!from || !to) continue;
    out.push({
      family: s.family,
      protocol: s.protocol,
      startPort: s.fromPort,
      endPort: s.toPort,
      start: from.bytes,
      end: to.bytes,
    });
  }
  return out;
}

/** The `dynamic` entry of a selector list, when there is one (its protocol and ports). */
function dynamicOf(specs: readonly TrafficSelectorSpec[]): DynamicSelector | undefined {
  const d = specs.find((s) => s.kind === 'dynamic');
  return d && { protocol: d.protocol, startPort: d.fromPort, endPort: d.toPort };
}

function engineChild(c: ChildConfig, ifId: number | undefined): ChildConnection {
  const localDynamic = dynamicOf(c.localTs);
  const remoteDynamic = dynamicOf(c.remoteTs);
  return {
    ...(ifId !== undefined && { ifId }),
    name: c.name,
    mode: c.mode,
    protocol: c.protocol,
    proposals: c.proposals.map(engineProposal),
    localTs: engineSelectors(c.localTs),
    remoteTs: engineSelectors(c.remoteTs),
    ...(localDynamic && { localDynamic }),
    ...(remoteDynamic && { remoteDynamic }),
    ipcomp: c.ipcomp,
    rekeyMs: c.rekeyTimeMs,
    lifeMs: c.lifeTimeMs,
    replayWindow: 32,
    rekeyJitterMs: c.randTimeMs,
    rekeyBytes: c.rekeyBytes,
    rekeyPackets: c.rekeyPackets,
    randBytes: c.randBytes,
    randPackets: c.randPackets,
    lifeBytes: c.lifeBytes,
    lifePackets: c.lifePackets,
  };
}

export function engineConnection(
  c: ConnectionConfig,
  creds: ConnectionCredentials = { local: [], remote: [] },
  eapUsers: EapUsers = [],
): IkeConnection {
  const localAddrs = addressStrings(c.localAddrs).filter((a) => a !== '%any');
  const remoteAddrs = addressStrings(c.remoteAddrs).filter((a) => a !== '%any');
  const id = (spec: IdentitySpec) => engineIdentity(spec, undefined);
  const remoteId = (spec: IdentitySpec) => engineIdentity(spec, remoteAddrs[0]);
  return {
    name: c.name,
    localAddrs,
    remoteAddrs,
    localPort: c.localPort,
    remotePort: c.remotePort,
    proposals: c.proposals.map(engineProposal),
    local: localRound(c, 0, creds, id),
    remote: remoteRound(c, 0, creds, remoteId, eapUsers),
    ...(c.localAuth[1] && { local2: localRound(c, 1, creds, id) }),
    ...(c.remoteAuth[1] && { remote2: remoteRound(c, 1, creds, remoteId, eapUsers) }),
    ...(c.psk ? { psk: c.psk } : {}),
    children: c.children.map((ch) => engineChild(ch, c.xfrmInterface?.ifId)),
    fragmentation: c.fragmentation !== 'no',
    fragmentSize: 1280,
    rekeyMs: c.rekeyTimeMs,
    overTimeMs: c.overTimeMs,
    dpdDelayMs: c.dpd.delayMs,
    dpdTimeoutMs: c.dpd.timeoutMs,
    rekey: c.rekey,
    rekeyJitterMs: c.randTimeMs,
    forceEncap: c.natTraversal === 'force',
  };
}
