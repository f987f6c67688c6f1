/**
 * A plain-data picture of every gateway at one instant: the IKE_SAs and
 * CHILD_SAs its engine lists and the SAs and policies in its kernel. The
 * invariant checkers read only snapshots, so tests can plant violations in
 * them directly.
 */

import type { IkeSa } from '../ikev2/ike-sa.js';
import { spiHex } from '../ikev2/ike-sa.js';
import type { PolicyId, PolicyInfo, SaId, SaInfo } from '../kernel/types.js';
import type { SimHost } from './host.js';

export interface ChildView {
  readonly name: string;
  readonly state: string;
  readonly reqid: number;
  readonly spiIn: number;
  readonly spiOut: number;
  readonly installedSas: readonly SaId[];
  readonly installedPolicies: readonly PolicyId[];
}

export interface IkeSaView {
  readonly conn: string | undefined;
  readonly role: 'initiator' | 'responder';
  readonly state: string;
  readonly spiI: string;
  readonly spiR: string;
  /** The peer's address. */
  readonly peer: string;
  readonly establishedAt: number;
  readonly outstanding: boolean;
  readonly children: readonly ChildView[];
}

export interface HostSnapshot {
  readonly name: string;
  readonly address: string;
  readonly sas: readonly IkeSaView[];
  readonly kernelSas: readonly SaInfo[];
  readonly policies: readonly PolicyInfo[];
  /** The engine's trap policies (on-demand): they own kernel policies too. */
  readonly traps: readonly (PolicyId & { readonly reqid: number })[];
}

export function ikeSaView(sa: IkeSa): IkeSaView {
  return {
    conn: sa.conn?.name,
    role: sa.role,
    state: sa.state,
    spiI: spiHex(sa.spiI),
    spiR: spiHex(sa.spiR),
    peer: sa.remote.address,
    establishedAt: sa.establishedAt,
    outstanding: sa.outstanding !== undefined,
    children: sa.children.map((c) => ({
      name: c.config.name,
      state: c.state,
      reqid: c.reqid,
      spiIn: c.spiIn,
      spiOut: c.spiOut,
      installedSas: c.installedSas.map((s) => ({ ...s })),
      installedPolicies: c.installedPolicies.map((p) => ({ ...p })),
    })),
  };
}

export async function snapshotHost(host: SimHost): Promise<HostSnapshot> {
  return {
    name: host.name,
    address: host.address,
    sas: host.sas().map(ikeSaView),
    kernelSas: await host.kernel.listSas(),
    policies: await host.kernel.listPolicies(),
    traps: host.engine.traps
      .list()
      .map((t) => ({ selector: t.spec.selector, dir: t.spec.dir, reqid: t.reqid })),
  };
}

/** The key that names an IKE_SA on both sides. */
export const ikeKey = (sa: { spiI: string; spiR: string }): string => `${sa.spiI}_${sa.spiR}`;
