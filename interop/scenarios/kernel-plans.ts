// Building blocks of the kernel scenarios: SA and policy plans for the xfrm
// driver (interop/drivers/xfrm.ts, which calls src/kernel/'s NetlinkKernel),
// and the patterns that `ip xfrm` (a decoder we did not write) must show for
// them.
import { escapeRegExp as esc } from '../runner/expect.js';
import type { Family } from '../runner/scenario.js';
import { ADDR, NET } from '../runner/topologies.js';

/** A deterministic test key of `bytes` octets, as hex (lab only, never a real key). */
export function testKey(bytes: number, seed: number): string {
  let hex = '';
  for (let i = 0; i < bytes; i++)
    hex += ((seed * 37 + i * 11) & 0xff).toString(16).padStart(2, '0');
  return hex;
}

export interface Algorithms {
  readonly aead?: { readonly name: string; readonly keyBytes: number; readonly icvBits: number };
  readonly crypt?: { readonly name: string; readonly keyBytes: number };
  readonly auth?: { readonly name: string; readonly keyBytes: number; readonly truncBits: number };
}

export interface DatapathCase {
  readonly name: string;
  readonly summary: string;
  readonly family: Family;
  readonly mode: 'tunnel' | 'transport';
  /** The outer protocol carrying the traffic. */
  readonly proto: 'esp' | 'ah';
  readonly algorithms: Algorithms;
  /** IPComp (deflate) inside the ESP SA: IPComp tunnel mode + ESP transport mode, as RFC 3173 §3 stacks them. */
  readonly ipcomp?: boolean;
  /** ESP in UDP (RFC 3948), port 4500 both ways. */
  readonly encap?: boolean;
  /** Remove with flushSas/flushPolicies instead of one delete per SA and policy. */
  readonly removeByFlush?: boolean;
  /** ping payload size (IPComp compresses only packets above a threshold). */
  readonly pingSize?: number;
}

export type Side = 'moon' | 'sun';

export const REQID = 7;
export const PRIORITY = 2000;
const SPI = { moon: 0xc0de0001, sun: 0xc0de0002 } as const;
const CPI = { moon: 0x1001, sun: 0x1002 } as const;

export function peer(side: Side): Side {
  return side === 'moon' ? 'sun' : 'moon';
}

/** The SPI of the SA that carries traffic *from* `side`. */
export function spiFrom(side: Side): number {
  return SPI[side];
}

export function spiHex(spi: number): string {
  return `0x${spi.toString(16).padStart(8, '0')}`;
}

function outer(side: Side, family: Family): string {
  return ADDR[side][family];
}

function lan(side: Side, family: Family): { addr: string; len: number } {
  const cidr = side === 'moon' ? NET.moonLan[family] : NET.sunLan[family];
  const [addr, len] = cidr.split('/');
  return { addr: addr!, len: Number(len) };
}

function host(side: Side, family: Family): { addr: string; len: number } {
  return { addr: outer(side, family), len: family === 'v4' ? 32 : 128 };
}

/** The traffic of the case: LAN to LAN in tunnel mode, gateway to gateway in transport mode. */
export function endpoints(c: DatapathCase, side: Side) {
  return c.mode === 'tunnel' ? lan(side, c.family) : host(side, c.family);
}

function algorithms(c: DatapathCase, from: Side): Record<string, unknown> {
  const seed = from === 'moon' ? 1 : 2;
  const a = c.algorithms;
  const out: Record<string, unknown> = {};
  if (a.aead)
    out.aead = { name: a.aead.name, key: testKey(a.aead.keyBytes, seed), icvBits: a.aead.icvBits };
  if (a.crypt) out.crypt = { name: a.crypt.name, key: testKey(a.crypt.keyBytes, seed + 10) };
  if (a.auth) {
    out.auth = {
      name: a.auth.name,
      key: testKey(a.auth.keyBytes, seed + 20),
      truncBits: a.auth.truncBits,
    };
  }
  return out;
}

/** The SAs carrying traffic from `from` to its peer, as the xfrm driver's SaSpec JSON. */
export function sasFrom(c: DatapathCase, from: Side): Record<string, unknown>[] {
  const src = outer(from, c.family);
  const dst = outer(peer(from), c.family);
  const main: Record<string, unknown> = {
    src,
    dst,
    proto: c.proto,
    spi: spiFrom(from),
    mode: c.ipcomp ? 'transport' : c.mode,
    reqid: REQID,
    replayWindow: 32,
    ...algorithms(c, from),
  };
  if (c.encap) main.encap = { type: 'espinudp', sport: 4500, dport: 4500 };
  const sas = [main];
  if (c.ipcomp) {
    sas.push({
      src,
      dst,
      proto: 'comp',
      spi: CPI[from],
      mode: 'tunnel',
      reqid: REQID,
      comp: { name: 'deflate' },
    });
  }
  return sas;
}

function templates(c: DatapathCase, from: Side, inbound: boolean): Record<string, unknown>[] {
  const src = outer(from, c.family);
  const dst = outer(peer(from), c.family);
  const main = { src, dst, proto: c.proto, mode: c.ipcomp ? 'transport' : c.mode, reqid: REQID };
  if (!c.ipcomp) return [main];
  // IPComp first (applied innermost); optional inbound, since a packet below
  // the compression threshold arrives as plain IP-in-IP (RFC 3173 §2.2).
  return [
    {
      src,
      dst,
      proto: 'comp',
      mode: 'tunnel',
      reqid: REQID,
      ...(inbound ? { optional: true } : {}),
    },
    main,
  ];
}

/** The policies of `side`: out towards its peer, in (and fwd, in tunnel mode) from it. */
export function policiesOf(c: DatapathCase, side: Side): Record<string, unknown>[] {
  const here = endpoints(c, side);
  const there = endpoints(c, peer(side));
  const outSel = {
    src: here.addr,
    srcPrefixLen: here.len,
    dst: there.addr,
    dstPrefixLen: there.len,
  };
  const inSel = {
    src: there.addr,
    srcPrefixLen: there.len,
    dst: here.addr,
    dstPrefixLen: here.len,
  };
  const list = [
    { selector: outSel, dir: 'out', priority: PRIORITY, templates: templates(c, side, false) },
    { selector: inSel, dir: 'in', priority: PRIORITY, templates: templates(c, peer(side), true) },
  ];
  if (c.mode === 'tunnel') {
    list.push({
      selector: inSel,
      dir: 'fwd',
      priority: PRIORITY,
      templates: templates(c, peer(side), true),
    });
  }
  return list;
}

/** Driver operations installing everything on `side`. */
export function installOps(c: DatapathCase, side: Side): unknown[] {
  return [
    ...sasFrom(c, side).map((sa) => ({ op: 'addSa', sa })),
    ...sasFrom(c, peer(side)).map((sa) => ({ op: 'addSa', sa })),
    ...policiesOf(c, side).map((policy) => ({ op: 'addPolicy', policy })),
  ];
}

/** Driver operations removing everything from `side`, one by one or by flushing. */
export function removeOps(c: DatapathCase, side: Side): unknown[] {
  if (c.removeByFlush) return [{ op: 'flushPolicies' }, { op: 'flushSas' }];
  const sas = [...sasFrom(c, side), ...sasFrom(c, peer(side))];
  return [
    ...policiesOf(c, side).map((p) => ({
      op: 'deletePolicy',
      id: { selector: (p as { selector: unknown }).selector, dir: (p as { dir: string }).dir },
    })),
    ...sas.map((sa) => ({ op: 'deleteSa', id: { dst: sa.dst, spi: sa.spi, proto: sa.proto } })),
  ];
}

/** What `ip xfrm state` must show for the SAs from `from` (iproute2's own decoding). */
export function statePatterns(c: DatapathCase, from: Side): RegExp[] {
  const src = esc(outer(from, c.family));
  const dst = esc(outer(peer(from), c.family));
  const seed = from === 'moon' ? 1 : 2;
  const a = c.algorithms;
  const mode = c.ipcomp ? 'transport' : c.mode;
  const head = `src ${src} dst ${dst}\\s+proto ${c.proto} spi ${spiHex(spiFrom(from))} reqid ${REQID} mode ${mode}`;
  const body: string[] = ['replay-window 32'];
  if (a.aead)
    body.push(`aead ${esc(a.aead.name)} 0x${testKey(a.aead.keyBytes, seed)} ${a.aead.icvBits}`);
  if (a.auth)
    body.push(
      `auth-trunc ${esc(a.auth.name)} 0x${testKey(a.auth.keyBytes, seed + 20)} ${a.auth.truncBits}`,
    );
  if (a.crypt) body.push(`enc ${esc(a.crypt.name)} 0x${testKey(a.crypt.keyBytes, seed + 10)}`);
  if (c.encap)
    body.push(
      `encap type espinudp sport 4500 dport 4500 addr ${c.family === 'v4' ? '0\\.0\\.0\\.0' : '::'}`,
    );
  // Each element must follow the SA's header line before the next SA begins.
  const patterns = body.map((b) => new RegExp(`${head}\\n(?:\\s[^\\n]*\\n)*?\\s+${b}`));
  if (c.ipcomp) {
    patterns.push(
      new RegExp(
        `src ${src} dst ${dst}\\s+proto comp spi ${spiHex(CPI[from])} reqid ${REQID} mode tunnel\\n(?:\\s[^\\n]*\\n)*?\\s+comp deflate`,
      ),
    );
  }
  return patterns;
}

/** What `ip xfrm policy` must show for the policies of `side`. */
export function policyPatterns(c: DatapathCase, side: Side): RegExp[] {
  return policiesOf(c, side).map((p) => {
    const sel = p.selector as {
      src: string;
      srcPrefixLen: number;
      dst: string;
      dstPrefixLen: number;
    };
    const tmpls = (
      p.templates as { src: string; dst: string; proto: string; mode: string; optional?: boolean }[]
    )
      .map(
        (t) =>
          `\\s+tmpl src ${esc(t.src)} dst ${esc(t.dst)}\\s+proto ${t.proto} reqid ${REQID} mode ${t.mode}${t.optional ? '\\s+level use' : ''}`,
      )
      .join('');
    return new RegExp(
      `src ${esc(sel.src)}/${sel.srcPrefixLen} dst ${esc(sel.dst)}/${sel.dstPrefixLen}\\s*\\n\\s+dir ${p.dir} priority ${PRIORITY} ptype main\\s*\\n${tmpls}`,
    );
  });
}
