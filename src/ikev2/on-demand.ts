/**
 * On-demand tunnels (the manual's Init Type "On Demand", strongSwan's trap
 * policies): for each configured child an outbound policy whose template has
 * no SA yet, so the kernel holds the first packet and sends ACQUIRE instead
 * of letting it leave unencrypted. The ACQUIRE starts the tunnel.
 *
 * A CHILD_SA installs policies with the same selectors, which replace the trap
 * ones in the kernel (XFRM keys policies by selector and direction); when the
 * CHILD_SA goes, the trap policies are put back.
 */

import type { AcquireEvent, PolicyId, PolicySpec } from '../kernel/types.js';
import type { ChildSa } from './child-sa.js';
import type { ChildConnection, IkeConnection } from './connection.js';
import type { EngineContext } from './context.js';
import { formatAddress, parseAddress, rangeToPrefixes, withDynamic } from './traffic-selectors.js';

/** The priority CHILD_SA policies use (child-sa.ts), so that they replace the trap. */
const TRAP_PRIORITY = 1000;

interface Trap {
  readonly conn: IkeConnection;
  readonly child: ChildConnection;
  readonly reqid: number;
  readonly specs: readonly PolicySpec[];
}

function trapSpecs(conn: IkeConnection, child: ChildConnection, reqid: number): PolicySpec[] {
  const local = conn.localAddrs[0];
  const remote = conn.remoteAddrs[0];
  if (!local || !remote || !parseAddress(local) || !parseAddress(remote)) return [];
  const specs: PolicySpec[] = [];
  for (const lts of withDynamic(child.localTs, child.localDynamic, local)) {
    for (const rts of withDynamic(child.remoteTs, child.remoteDynamic, remote)) {
      if (lts.family !== rts.family) continue;
      const proto = lts.protocol || rts.protocol;
      for (const lp of rangeToPrefixes(lts)) {
        for (const rp of rangeToPrefixes(rts)) {
          specs.push({
            selector: {
              src: formatAddress(lp.address),
              srcPrefixLen: lp.prefixLen,
              dst: formatAddress(rp.address),
              dstPrefixLen: rp.prefixLen,
              ...(proto ? { proto } : {}),
            },
            dir: 'out',
            priority: TRAP_PRIORITY,
            ...(child.ifId ? { ifId: child.ifId } : {}),
            templates: [
              {
                ...(child.mode === 'tunnel' ? { src: local, dst: remote } : {}),
                proto: child.protocol,
                mode: child.mode,
                reqid,
              },
            ],
          });
        }
      }
    }
  }
  return specs;
}

/** The trap policies of every connection that asked for them. */
export class TrapTable {
  private readonly traps = new Map<string, Trap[]>();

  constructor(private readonly ctx: EngineContext) {}

  has(connName: string): boolean {
    return this.traps.has(connName);
  }

  /** Installs trap policies for every child of `conn` (idempotent). */
  async install(conn: IkeConnection): Promise<number> {
    if (this.traps.has(conn.name)) return this.traps.get(conn.name)!.length;
    const list: Trap[] = conn.children.map((child) => {
      const reqid = this.ctx.allocateReqid();
      return { conn, child, reqid, specs: trapSpecs(conn, child, reqid) };
    });
    this.traps.set(conn.name, list);
    for (const t of list) for (const spec of t.specs) await this.ctx.kernel.updatePolicy(spec);
    this.ctx.ports.logger.log('info', conn.name, `trap policies installed for ${conn.name}`);
    return list.length;
  }

  /** Puts the trap policies of `connName` back (after its CHILD_SAs went), if it has any. */
  async restore(connName: string): Promise<void> {
    const list = this.traps.get(connName);
    if (!list) return;
    const installed = await this.ctx.kernel.listPolicies().catch(() => []);
    for (const t of list) {
      for (const spec of t.specs) {
        const present = installed.some(
          (p) => p.dir === 'out' && sameSelector(p.selector, spec.selector),
        );
        if (!present) await this.ctx.kernel.updatePolicy(spec).catch(() => undefined);
      }
    }
  }

  /**
   * A CHILD_SA of `connName` is about to be removed: outbound policies that a
   * trap of the connection covers are taken over by the trap (replaced in one
   * step) instead of being deleted, so no packet slips out in the clear
   * between the removal and the trap's return.
   */
  async claimPolicies(connName: string, child: ChildSa): Promise<void> {
    const list = this.traps.get(connName);
    if (!list) return;
    for (const t of list) {
      for (const spec of t.specs) {
        const i = child.installedPolicies.findIndex(
          (p) => p.dir === 'out' && sameSelector(p.selector, spec.selector),
        );
        if (i < 0) continue;
        child.installedPolicies.splice(i, 1);
        await this.ctx.kernel.updatePolicy(spec).catch(() => undefined);
      }
    }
  }

  /** Removes the trap policies of a connection (or of all). */
  async uninstall(connName?: string): Promise<void> {
    for (const [name, list] of [...this.traps]) {
      if (connName !== undefined && name !== connName) continue;
      this.traps.delete(name);
      for (const t of list) {
        for (const spec of t.specs) {
          const id: PolicyId = {
            selector: spec.selector,
            dir: spec.dir,
            ...(spec.ifId ? { ifId: spec.ifId } : {}),
          };
          const cur = await this.ctx.kernel.getPolicy(id).catch(() => undefined);
          // Only ours: a CHILD_SA may have replaced it (its reqid differs).
          if (cur?.templates[0]?.reqid === t.reqid)
            await this.ctx.kernel.deletePolicy(id).catch(() => undefined);
        }
      }
    }
  }

  /** Every trap policy (for status and the simulator's ownership check). */
  list(): { readonly conn: string; readonly reqid: number; readonly spec: PolicySpec }[] {
    return [...this.traps.values()].flatMap((list) =>
      list.flatMap((t) => t.specs.map((spec) => ({ conn: t.conn.name, reqid: t.reqid, spec }))),
    );
  }

  /** The reqid of the trap policy of a connection's child, if it has one. */
  reqidOf(connName: string, childName: string): number | undefined {
    return this.traps.get(connName)?.find((t) => t.child.name === childName)?.reqid;
  }

  /** The trap an ACQUIRE belongs to (by reqid), if any. */
  match(ev: AcquireEvent): { conn: IkeConnection; child: ChildConnection } | undefined {
    for (const list of this.traps.values()) {
      const t = list.find((x) => x.reqid === ev.reqid);
      if (t) return { conn: t.conn, child: t.child };
    }
    return undefined;
  }
}

function sameSelector(a: PolicySpec['selector'], b: PolicySpec['selector']): boolean {
  return (
    a.src === b.src &&
    a.dst === b.dst &&
    (a.srcPrefixLen ?? 32) === (b.srcPrefixLen ?? 32) &&
    (a.dstPrefixLen ?? 32) === (b.dstPrefixLen ?? 32) &&
    (a.proto ?? 0) === (b.proto ?? 0)
  );
}
