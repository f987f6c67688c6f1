/**
 * NetlinkKernel's handling of what the kernel sends back, with a scripted
 * transport: errno replies become KernelError naming the object, dumps are
 * collected until NLMSG_DONE, and anything that does not parse is logged and
 * counted without breaking pending requests or the event stream.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KernelError } from '../../src/kernel/errors.js';
import {
  NETLINK_XFRM,
  NLM_F_MULTI,
  NLMSG_DONE,
  NLMSG_ERROR,
} from '../../src/kernel/netlink/constants.js';
import { buildMessage, splitMessages } from '../../src/kernel/netlink/message.js';
import type { NetlinkTransport } from '../../src/kernel/netlink/socket.js';
import { NetlinkKernel } from '../../src/kernel/netlink-kernel.js';
import type { KernelEvent, PolicySpec } from '../../src/kernel/types.js';
import { XFRM_MSG } from '../../src/kernel/xfrm/constants.js';
import { encodePolicyRequest } from '../../src/kernel/xfrm/policy.js';

class ScriptedTransport implements NetlinkTransport {
  readonly sent: Uint8Array[] = [];
  private listener: ((b: Uint8Array) => void) | undefined;
  constructor(
    readonly protocol: number,
    readonly groups: number[],
    readonly port: number,
  ) {}
  async send(bytes: Uint8Array): Promise<void> {
    this.sent.push(bytes);
  }
  onDatagram(l: (b: Uint8Array) => void): void {
    this.listener = l;
  }
  onError(): void {}
  close(): void {}
  deliver(bytes: Uint8Array): void {
    this.listener?.(bytes);
  }
  lastSeq(): number {
    const last = this.sent.at(-1);
    if (!last) throw new Error('nothing sent');
    return splitMessages(last)[0]!.seq;
  }
}

function setup() {
  const transports: ScriptedTransport[] = [];
  const warnings: string[] = [];
  const kernel = new NetlinkKernel({
    timeoutMs: 200,
    logger: { warn: (m) => warnings.push(m) },
    transport: (protocol, opts) => {
      const t = new ScriptedTransport(protocol, opts.groups ?? [], 100 + transports.length);
      transports.push(t);
      return t;
    },
  });
  const xfrm = transports.find((t) => t.protocol === NETLINK_XFRM && t.groups.length === 0)!;
  return { kernel, transports, warnings, xfrm };
}

const errorReply = (seq: number, errno: number) =>
  buildMessage({ type: NLMSG_ERROR, flags: 0, seq, pid: 100 }, (w) => {
    w.i32(-errno);
    w.u32(16).u16(0).u16(0).u32(seq).u32(100); // the echoed request header
  });

const policy: PolicySpec = {
  selector: { src: '10.1.0.0', srcPrefixLen: 16, dst: '10.2.0.0', dstPrefixLen: 16 },
  dir: 'out',
  templates: [{ src: '192.0.2.1', dst: '192.0.2.2', proto: 'esp', mode: 'tunnel', reqid: 1 }],
};

/** A policy as the kernel dumps it: the NEWPOLICY layout, flagged multi-part. */
const dumpPart = (seq: number, spec: PolicySpec) => {
  const bytes = encodePolicyRequest('add', spec, seq, 100);
  const b = Buffer.from(bytes);
  b.writeUInt16LE(XFRM_MSG.NEWPOLICY, 4);
  b.writeUInt16LE(NLM_F_MULTI, 6);
  return new Uint8Array(b);
};

describe('NetlinkKernel replies', () => {
  it('turns an errno reply into a KernelError that names the policy', async () => {
    const { kernel, xfrm } = setup();
    const pending = kernel.addPolicy(policy);
    await Promise.resolve();
    xfrm.deliver(errorReply(xfrm.lastSeq(), 17));
    const e = await pending.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(KernelError);
    expect((e as KernelError).code).toBe('EEXIST');
    expect((e as KernelError).message).toBe('add policy out 10.1.0.0/16 -> 10.2.0.0/16: EEXIST');
    expect(kernel.stats()).toMatchObject({ requests: 1, errors: 1 });
  });

  it('resolves on an ACK (errno 0)', async () => {
    const { kernel, xfrm } = setup();
    const pending = kernel.addPolicy(policy);
    await Promise.resolve();
    xfrm.deliver(errorReply(xfrm.lastSeq(), 0));
    await expect(pending).resolves.toBeUndefined();
  });

  it('collects a dump, drops and counts the part that does not parse, and ends at NLMSG_DONE', async () => {
    const { kernel, xfrm, warnings } = setup();
    const pending = kernel.listPolicies();
    await Promise.resolve();
    const seq = xfrm.lastSeq();
    const broken = dumpPart(seq, policy);
    broken[16 + 160] = 9; // a direction that does not exist
    const done = buildMessage({ type: NLMSG_DONE, flags: NLM_F_MULTI, seq, pid: 100 }, (w) =>
      w.i32(0),
    );
    xfrm.deliver(
      Buffer.concat([dumpPart(seq, policy), broken, dumpPart(seq, { ...policy, dir: 'in' }), done]),
    );
    const list = await pending;
    expect(list.map((p) => p.dir)).toEqual(['out', 'in']);
    expect(kernel.stats().unparsable).toBe(1);
    expect(warnings).toHaveLength(1);
  });

  it('survives a datagram with a bad length and still answers the pending request', async () => {
    const { kernel, xfrm } = setup();
    const pending = kernel.flushPolicies();
    await Promise.resolve();
    xfrm.deliver(Uint8Array.from([0xff, 0xff, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]));
    xfrm.deliver(errorReply(xfrm.lastSeq(), 0));
    await expect(pending).resolves.toBeUndefined();
    expect(kernel.stats().unparsable).toBe(1);
  });

  it('times out with ETIMEDOUT when the kernel never answers', async () => {
    const { kernel } = setup();
    await expect(kernel.flushSas()).rejects.toMatchObject({
      code: 'ETIMEDOUT',
      operation: 'flush SAs',
    });
  });

  it('delivers events, and counts random bytes on the event socket without throwing', () => {
    const { kernel, transports } = setup();
    const events: KernelEvent[] = [];
    kernel.onEvent((e) => events.push(e));
    const xfrmEvents = transports.find((t) => t.protocol === NETLINK_XFRM && t.groups.length > 0)!;
    const vectors = JSON.parse(
      readFileSync(new URL('../../test-vectors/kernel/xfrm-events.json', import.meta.url), 'utf8'),
    ) as { vectors: { hex: string }[] };
    for (const v of vectors.vectors) xfrmEvents.deliver(Buffer.from(v.hex, 'hex'));
    expect(events.map((e) => e.type)).toEqual([
      'expire',
      'polexpire',
      'acquire',
      'migrate',
      'mapping',
    ]);
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.constantFrom(0x17, 0x18, 0x1b, 0x21, 0x26),
        (body, type) => {
          const msg = buildMessage({ type, flags: 0, seq: 0, pid: 0 }, (w) => w.bytes(body));
          const before = kernel.stats();
          xfrmEvents.deliver(msg);
          const after = kernel.stats();
          expect(after.unparsable + after.events).toBe(before.unparsable + before.events + 1);
        },
      ),
      { numRuns: 500 },
    );
  });
});
