/**
 * CHILD_SAs: their state, the algorithms their proposal names, keying material
 * (RFC 7296 §2.17) and their installation in the kernel as SAs and policies.
 *
 * Installation order matters for make-before-break: the inbound SA first (so
 * the peer's traffic is accepted as soon as it switches), then the outbound SA,
 * then the policies. Removal runs the other way round.
 */

import { deriveChildSaKeys } from '../crypto/kdf/index.js';
import { getEncr, getInteg } from '../crypto/registry.js';
import type { EncrAlgorithm, IntegAlgorithm, PrfAlgorithm } from '../crypto/types.js';
import { isKernelError } from '../kernel/errors.js';
import type {
  IpsecKernel,
  PolicyId,
  PolicySpec,
  PolicyTemplate,
  SaId,
  SaSpec,
  XfrmMode,
  XfrmProto,
} from '../kernel/types.js';
import type { ChildConnection } from './connection.js';
import type { Endpoint } from './ports.js';
import type { ChosenProposal } from './proposals.js';
import { formatAddress, rangeToPrefixes, type TrafficSelector } from './traffic-selectors.js';

export type ChildSaState = 'creating' | 'installed' | 'rekeying' | 'deleting' | 'deleted';

/** IPComp transform ID DEFLATE (RFC 7296 §3.10.1 IPCOMP_SUPPORTED, IANA). */
export const IPCOMP_DEFLATE = 2;

let nextChildId = 1;

export interface ChildAlgorithms {
  readonly encr?: EncrAlgorithm;
  readonly integ?: IntegAlgorithm;
  readonly esn: boolean;
}

export class ChildSa {
  readonly uniqueId = nextChildId++;
  state: ChildSaState = 'creating';
  /** Our inbound SPI (allocated by the kernel) and the peer's, host order. */
  spiIn = 0;
  spiOut = 0;
  /** IPComp CPIs when compression was negotiated (RFC 3173). */
  cpiIn = 0;
  cpiOut = 0;
  chosen: ChosenProposal | undefined;
  algorithms: ChildAlgorithms | undefined;
  localTs: TrafficSelector[] = [];
  remoteTs: TrafficSelector[] = [];
  mode: XfrmMode;
  installedAt = 0;
  readonly installedSas: SaId[] = [];
  readonly installedPolicies: PolicyId[] = [];
  /**
   * A rekey responder's new outbound SA, held back until the initiator deletes
   * the old CHILD_SA: the initiator installs its new inbound SA only once our
   * answer arrives, so sending on the new SA earlier would lose packets.
   */
  pendingOutbound: SaSpec | undefined;

  constructor(
    readonly config: ChildConnection,
    readonly reqid: number,
  ) {
    this.mode = config.mode;
  }

  get proto(): XfrmProto {
    return this.config.protocol;
  }
}

/** Looks up the chosen transforms in the registry; `undefined` if one is unknown. */
export function childAlgorithms(chosen: ChosenProposal): ChildAlgorithms | undefined {
  const encr = chosen.encr ? getEncr(chosen.encr.id, chosen.encr.keyLen) : undefined;
  if (chosen.encr && !encr) return undefined;
  const integ = chosen.integ !== undefined ? getInteg(chosen.integ) : undefined;
  if (chosen.integ !== undefined && !integ) return undefined;
  if (chosen.protocol === 'ah' && !integ) return undefined;
  if (chosen.protocol === 'esp' && (!encr || (!encr.aead && !integ))) return undefined;
  return { encr, integ, esn: chosen.esn === 1 };
}

function encrKeyLen(encr: EncrAlgorithm | undefined): number {
  return encr ? encr.keyLen + encr.saltLen : 0;
}

/**
 * The kernel limits of a CHILD_SA's SAs. The soft byte/packet limits make the
 * kernel send EXPIRE, which starts a rekey; strongSwan's rand_bytes/packets
 * lower them by a random part so both peers do not rekey at once. The random
 * part comes from the exchange's nonce: fresh random data per CHILD_SA
 * (RFC 7296 §2.10), so no second source is needed here.
 */
export function kernelLifetime(cfg: ChildConnection, nonce: Uint8Array): SaSpec['lifetime'] {
  const fraction = (((nonce[0] ?? 0) << 8) | (nonce[1] ?? 0)) / 65536;
  const soft = (limit: number | undefined, rand: number | undefined) =>
    limit ? Math.max(1, limit - Math.floor(fraction * Math.min(rand ?? 0, limit - 1))) : undefined;
  return {
    // XFRM counts whole seconds: a sub-second remainder is rounded up.
    hardAddSeconds: cfg.lifeMs ? Math.ceil(cfg.lifeMs / 1000) : undefined,
    softBytes: soft(cfg.rekeyBytes, cfg.randBytes),
    softPackets: soft(cfg.rekeyPackets, cfg.randPackets),
    hardBytes: cfg.lifeBytes || undefined,
    hardPackets: cfg.lifePackets || undefined,
  };
}

export interface InstallContext {
  readonly kernel: IpsecKernel;
  readonly prf: PrfAlgorithm;
  readonly skD: Uint8Array;
  readonly ni: Uint8Array;
  readonly nr: Uint8Array;
  /** Were we the initiator of the exchange that created this CHILD_SA? */
  readonly weInitiated: boolean;
  readonly local: Endpoint;
  readonly remote: Endpoint;
  /** Shared secret of a CREATE_CHILD_SA key exchange (PFS), if any. */
  readonly pfsSecret?: Uint8Array;
  /** UDP encapsulation when a NAT was detected (RFC 7296 §2.23, RFC 3948). */
  readonly encap?: { sport: number; dport: number };
  /** Keep the outbound SA in `pendingOutbound` (a rekey responder, make-before-break). */
  readonly deferOutbound?: boolean;
}

function algorithmFields(algs: ChildAlgorithms, encKey: Uint8Array, integKey: Uint8Array) {
  const out: Pick<SaSpec, 'aead' | 'crypt' | 'auth'> = {};
  const { encr, integ } = algs;
  if (encr?.aead) {
    out.aead = { name: encr.kernelName!, key: encKey, icvBits: encr.icvLen * 8 };
  } else if (encr) {
    out.crypt = { name: encr.kernelName!, key: encKey };
  }
  if (integ) out.auth = { name: integ.kernelName!, key: integKey, truncBits: integ.icvLen * 8 };
  return out;
}

/**
 * Derives the CHILD_SA's keys and installs its SAs and policies. The SAs carry
 * the reqid that ties them to the policies' templates.
 */
export async function installChildSa(child: ChildSa, ctx: InstallContext): Promise<void> {
  const algs = child.algorithms!;
  const keys = deriveChildSaKeys(
    ctx.prf,
    ctx.skD,
    ctx.ni,
    ctx.nr,
    {
      encrKeyLen: encrKeyLen(algs.encr),
      integKeyLen: algs.integ?.keyLen ?? 0,
    },
    ctx.pfsSecret ? { sharedSecret: ctx.pfsSecret } : undefined,
  );
  // RFC 7296 §2.17: the first keys protect initiator-to-responder traffic.
  const outKeys = ctx.weInitiated ? [keys.encrI, keys.integI] : [keys.encrR, keys.integR];
  const inKeys = ctx.weInitiated ? [keys.encrR, keys.integR] : [keys.encrI, keys.integI];
  const local = ctx.local.address;
  const remote = ctx.remote.address;
  const compressed = child.cpiIn !== 0 && child.cpiOut !== 0;
  // With IPComp the compression SA carries the tunnel and ESP/AH runs in transport
  // mode over it, as the kernel applies templates innermost first.
  const ipsecMode: XfrmMode = compressed ? 'transport' : child.mode;
  const lifetime = kernelLifetime(child.config, ctx.ni);
  const encap = ctx.encap
    ? { type: 'espinudp' as const, sport: ctx.encap.sport, dport: ctx.encap.dport }
    : undefined;
  const flags: SaSpec['flags'] = [];
  // A tunnel may carry the other address family inside (e.g. IPv6 over IPv4).
  if (ipsecMode === 'tunnel') flags.push('af-unspec');
  // RFC 4302 §3.3.3.2.1: over IPv4 the AH ICV is padded to 32 bits, not Linux's default 64.
  if (child.proto === 'ah' && !local.includes(':')) flags.push('align4');
  const ifId = child.config.ifId ? { ifId: child.config.ifId } : {};
  const base = {
    ...ifId,
    proto: child.proto,
    mode: ipsecMode,
    reqid: child.reqid,
    replayWindow: child.config.replayWindow,
    esn: algs.esn,
    lifetime,
    ...(flags.length > 0 ? { flags } : {}),
  };
  try {
    const inbound: SaSpec = {
      ...base,
      src: remote,
      dst: local,
      spi: child.spiIn,
      ...algorithmFields(algs, inKeys[0]!, inKeys[1]!),
      ...(encap ? { encap: { ...encap, sport: encap.dport, dport: encap.sport } } : {}),
    };
    await installInbound(ctx.kernel, inbound);
    child.installedSas.push({ dst: local, spi: child.spiIn, proto: child.proto, src: remote });
    const outbound: SaSpec = {
      ...base,
      src: local,
      dst: remote,
      spi: child.spiOut,
      ...algorithmFields(algs, outKeys[0]!, outKeys[1]!),
      ...(encap ? { encap } : {}),
    };
    if (ctx.deferOutbound) {
      child.pendingOutbound = structuredClone(outbound);
    } else {
      await ctx.kernel.addSa(outbound);
      child.installedSas.push({ dst: remote, spi: child.spiOut, proto: child.proto, src: local });
    }
    if (compressed) await installIpcompSas(child, ctx);
  } finally {
    for (const k of [keys.encrI, keys.integI, keys.encrR, keys.integR]) k.fill(0);
  }
  await installPolicies(child, ctx, compressed);
  child.state = 'installed';
}

/**
 * Keys the inbound SA over the larval state of its allocated SPI. The kernel
 * keeps that state only XFRM_ACQ_EXPIRES (30 s); an answer that arrives later
 * (retransmissions under loss) finds it gone (ESRCH). The SPI is still ours,
 * the peer already uses it, so the SA is added under it; should the kernel
 * have handed the SPI out again meanwhile (EEXIST), the CHILD_SA fails as any
 * other installation error.
 */
async function installInbound(kernel: IpsecKernel, spec: SaSpec): Promise<void> {
  try {
    await kernel.updateSa(spec);
  } catch (e) {
    if (!isKernelError(e, 'ESRCH')) throw e;
    await kernel.addSa(spec);
  }
}

async function installIpcompSas(child: ChildSa, ctx: InstallContext): Promise<void> {
  const local = ctx.local.address;
  const remote = ctx.remote.address;
  const comp = { name: 'deflate' };
  const common = {
    proto: 'comp' as const,
    mode: child.mode,
    reqid: child.reqid,
    comp,
    ...(child.config.ifId ? { ifId: child.config.ifId } : {}),
  };
  await installInbound(ctx.kernel, { ...common, src: remote, dst: local, spi: child.cpiIn });
  child.installedSas.push({ dst: local, spi: child.cpiIn, proto: 'comp', src: remote });
  await ctx.kernel.addSa({ ...common, src: local, dst: remote, spi: child.cpiOut });
  child.installedSas.push({ dst: remote, spi: child.cpiOut, proto: 'comp', src: local });
}

function templates(
  child: ChildSa,
  src: string,
  dst: string,
  compressed: boolean,
  inbound: boolean,
): PolicyTemplate[] {
  const tunnel = child.mode === 'tunnel';
  const ends = tunnel ? { src, dst } : {};
  if (!compressed) return [{ ...ends, proto: child.proto, mode: child.mode, reqid: child.reqid }];
  return [
    // Small packets are sent uncompressed (RFC 3173 §2.2): inbound IPComp is optional.
    { ...ends, proto: 'comp', mode: child.mode, reqid: child.reqid, optional: inbound },
    { proto: child.proto, mode: 'transport', reqid: child.reqid },
  ];
}

const POLICY_PRIORITY = 1000;

/** The full spec behind each installed policy, to put it back for a sharing CHILD_SA. */
const policySpecs = new WeakMap<PolicyId, PolicySpec>();

/** The key XFRM identifies a policy by: direction and selector. */
export function policyKey(p: PolicyId): string {
  const s = p.selector;
  return [
    p.dir,
    s.src,
    s.srcPrefixLen,
    s.dst,
    s.dstPrefixLen,
    s.proto ?? 0,
    s.sport ?? 0,
    s.dport ?? 0,
  ].join('|');
}

/**
 * `child` is about to go while `heirs` (other live CHILD_SAs of the same
 * configuration, e.g. the survivor of two IKE_SAs created at once) list the
 * same policies: each shared policy is pointed at an heir's SA (its reqid) in
 * one update instead of being deleted, so the heir's traffic never loses its
 * policy. The policies taken over leave `child`'s list.
 */
export async function bequeathPolicies(
  child: ChildSa,
  heirs: readonly ChildSa[],
  kernel: IpsecKernel,
): Promise<void> {
  for (const p of [...child.installedPolicies]) {
    const key = policyKey(p);
    for (const heir of heirs) {
      const theirs = heir.installedPolicies.find((q) => policyKey(q) === key);
      const spec = theirs && policySpecs.get(theirs);
      if (!spec) continue;
      await kernel.updatePolicy(spec);
      child.installedPolicies.splice(child.installedPolicies.indexOf(p), 1);
      break;
    }
  }
}

async function installPolicies(child: ChildSa, ctx: InstallContext, compressed: boolean) {
  const local = ctx.local.address;
  const remote = ctx.remote.address;
  for (const lts of child.localTs) {
    for (const rts of child.remoteTs) {
      if (lts.family !== rts.family) continue;
      for (const lp of rangeToPrefixes(lts)) {
        for (const rp of rangeToPrefixes(rts)) {
          const proto = lts.protocol || rts.protocol;
          const outSel = {
            src: formatAddress(lp.address),
            srcPrefixLen: lp.prefixLen,
            dst: formatAddress(rp.address),
            dstPrefixLen: rp.prefixLen,
            ...(proto ? { proto } : {}),
            ...portFields('s', lts),
            ...portFields('d', rts),
          };
          const inSel = {
            src: outSel.dst,
            srcPrefixLen: outSel.dstPrefixLen,
            dst: outSel.src,
            dstPrefixLen: outSel.srcPrefixLen,
            ...(proto ? { proto } : {}),
            ...portFields('s', rts),
            ...portFields('d', lts),
          };
          const specs: PolicySpec[] = [
            {
              selector: outSel,
              dir: 'out',
              priority: POLICY_PRIORITY,
              templates: templates(child, local, remote, compressed, false),
            },
            {
              selector: inSel,
              dir: 'in',
              priority: POLICY_PRIORITY,
              templates: templates(child, remote, local, compressed, true),
            },
          ];
          if (child.mode === 'tunnel') {
            specs.push({
              selector: inSel,
              dir: 'fwd',
              priority: POLICY_PRIORITY,
              templates: templates(child, remote, local, compressed, true),
            });
          }
          for (const spec of specs) {
            if (child.config.ifId) spec.ifId = child.config.ifId;
            await ctx.kernel.updatePolicy(spec);
            const id: PolicyId = {
              selector: spec.selector,
              dir: spec.dir,
              ...(spec.ifId ? { ifId: spec.ifId } : {}),
            };
            policySpecs.set(id, spec);
            child.installedPolicies.push(id);
          }
        }
      }
    }
  }
}

function portFields(which: 's' | 'd', ts: TrafficSelector) {
  if (ts.startPort === 0 && ts.endPort === 65535) return {};
  // Kernel selectors hold one port and a mask; a single port is exact.
  if (ts.startPort === ts.endPort) {
    return which === 's'
      ? { sport: ts.startPort, sportMask: 0xffff }
      : { dport: ts.startPort, dportMask: 0xffff };
  }
  return {};
}

/** Installs an outbound SA held back by `deferOutbound`. */
export async function installPendingOutbound(child: ChildSa, kernel: IpsecKernel): Promise<void> {
  const spec = child.pendingOutbound;
  if (!spec) return;
  child.pendingOutbound = undefined;
  try {
    await kernel.addSa(spec);
    child.installedSas.push({ dst: spec.dst, spi: spec.spi, proto: spec.proto, src: spec.src });
  } finally {
    wipeSpec(spec);
  }
}

function wipeSpec(spec: SaSpec): void {
  spec.aead?.key.fill(0);
  spec.crypt?.key.fill(0);
  spec.auth?.key.fill(0);
}

/** Removes the CHILD_SA's policies, then its SAs; missing entries are not errors. */
export async function removeChildSa(child: ChildSa, kernel: IpsecKernel): Promise<void> {
  child.state = 'deleting';
  if (child.pendingOutbound) wipeSpec(child.pendingOutbound);
  child.pendingOutbound = undefined;
  for (const p of child.installedPolicies.splice(0)) {
    await kernel.deletePolicy(p).catch(() => undefined);
  }
  for (const s of child.installedSas.splice(0)) {
    await kernel.deleteSa(s).catch(() => undefined);
  }
  child.state = 'deleted';
}
