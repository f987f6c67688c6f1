/**
 * Policy messages: NEWPOLICY/UPDPOLICY (xfrm_userpolicy_info + XFRMA_TMPL),
 * DELPOLICY/GETPOLICY (xfrm_userpolicy_id), FLUSHPOLICY, and the decoder of
 * the form the kernel answers GETPOLICY and dumps with.
 */
import { familyOf } from '../address.js';
import { NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST } from '../netlink/constants.js';
import {
  type Attributes,
  type ByteReader,
  type ByteWriter,
  buildMessage,
  NetlinkParseError,
  parseAttributes,
} from '../netlink/message.js';
import type { Mark, PolicyId, PolicyInfo, PolicySpec, PolicyTemplate } from '../types.js';
import {
  SIZE,
  XFRM_MSG,
  XFRM_POLICY_ACTION,
  XFRM_POLICY_FLAG,
  XFRM_POLICY_TYPE,
  XFRMA,
} from './constants.js';
import {
  dirName,
  dirNumber,
  readLifetimeCfg,
  readLifetimeCur,
  readMark,
  readSelector,
  readTemplate,
  writeLifetimeCfg,
  writeLifetimeCur,
  writeMark,
  writeSelector,
  writeTemplate,
} from './structs.js';

function policyFlags(spec: PolicySpec): number {
  let flags = 0;
  for (const f of spec.flags ?? []) flags |= XFRM_POLICY_FLAG[f];
  return flags;
}

function writeCommonAttributes(
  w: ByteWriter,
  p: { mark?: Mark; ifId?: number; type?: 'main' | 'sub' },
): void {
  const mark = p.mark;
  if (mark) w.attr(XFRMA.MARK, (a) => writeMark(a, mark));
  if (p.ifId !== undefined) w.attr(XFRMA.IF_ID, (a) => a.u32(p.ifId ?? 0));
  if (p.type && p.type !== 'main') {
    // struct xfrm_userpolicy_type: type u8, reserved1 u16, reserved2 u8 (6 bytes with padding)
    w.attr(XFRMA.POLICY_TYPE, (a) =>
      a.u8(XFRM_POLICY_TYPE[p.type ?? 'main']).zeros(SIZE.userpolicyType - 1),
    );
  }
}

/** NEWPOLICY or UPDPOLICY request. */
export function encodePolicyRequest(
  type: 'add' | 'update',
  spec: PolicySpec,
  seq: number,
  pid = 0,
): Uint8Array {
  const family = familyOf(spec.selector.src);
  const templates = spec.templates ?? [];
  return buildMessage(
    {
      type: type === 'add' ? XFRM_MSG.NEWPOLICY : XFRM_MSG.UPDPOLICY,
      flags: NLM_F_REQUEST | NLM_F_ACK,
      seq,
      pid,
    },
    (w) => {
      writeSelector(w, spec.selector);
      writeLifetimeCfg(w, spec.lifetime);
      writeLifetimeCur(w, undefined);
      w.u32(spec.priority ?? 0)
        .u32(spec.index ?? 0)
        .u8(dirNumber(spec.dir))
        .u8(XFRM_POLICY_ACTION[spec.action ?? 'allow'])
        .u8(policyFlags(spec))
        .u8(0) // share: XFRM_SHARE_ANY
        .zeros(4);
      if (templates.length) {
        w.attr(XFRMA.TMPL, (a) => {
          for (const t of templates) writeTemplate(a, t, family);
        });
      }
      writeCommonAttributes(w, spec);
    },
  );
}

/** struct xfrm_userpolicy_id (64 bytes) and the attributes that narrow it. */
function writePolicyId(w: ByteWriter, id: PolicyId): void {
  writeSelector(w, id.selector);
  w.u32(id.index ?? 0)
    .u8(dirNumber(id.dir))
    .zeros(3);
  writeCommonAttributes(w, id);
}

export function encodeDeletePolicy(id: PolicyId, seq: number, pid = 0): Uint8Array {
  return buildMessage(
    { type: XFRM_MSG.DELPOLICY, flags: NLM_F_REQUEST | NLM_F_ACK, seq, pid },
    (w) => writePolicyId(w, id),
  );
}

export function encodeGetPolicy(id: PolicyId, seq: number, pid = 0): Uint8Array {
  return buildMessage({ type: XFRM_MSG.GETPOLICY, flags: NLM_F_REQUEST, seq, pid }, (w) =>
    writePolicyId(w, id),
  );
}

export function encodeDumpPolicies(seq: number, pid = 0): Uint8Array {
  return buildMessage(
    { type: XFRM_MSG.GETPOLICY, flags: NLM_F_REQUEST | NLM_F_DUMP, seq, pid },
    (w) => w.zeros(SIZE.userpolicyId),
  );
}

export function encodeFlushPolicies(seq: number, pid = 0): Uint8Array {
  return buildMessage(
    { type: XFRM_MSG.FLUSHPOLICY, flags: NLM_F_REQUEST | NLM_F_ACK, seq, pid },
    () => {},
  );
}

// ---------------------------------------------------------------- decoding

export function readTemplates(attrs: Attributes): PolicyTemplate[] {
  const out: PolicyTemplate[] = [];
  for (const tmpl of attrs.all(XFRMA.TMPL)) {
    if (tmpl.length % SIZE.userTmpl !== 0) {
      throw new NetlinkParseError(
        `XFRMA_TMPL length ${tmpl.length} is not a multiple of 64`,
        tmpl.base,
      );
    }
    for (let at = 0; at < tmpl.length; at += SIZE.userTmpl) out.push(readTemplate(tmpl, at));
  }
  return out;
}

/** Decodes xfrm_userpolicy_info at `at` (168 bytes). */
export function readUserpolicyInfo(r: ByteReader, at: number): PolicyInfo {
  r.need(at, SIZE.userpolicyInfo, 'xfrm_userpolicy_info');
  const selector = readSelector(r, at);
  if (!selector)
    throw new NetlinkParseError('policy selector has no address family', r.base + at + 40);
  const actionByte = r.u8(at + 161);
  const flagsByte = r.u8(at + 162);
  const policy: PolicyInfo = {
    selector,
    dir: dirName(r.u8(at + 160), r.base + at + 160),
    action: actionByte === XFRM_POLICY_ACTION.block ? 'block' : 'allow',
    priority: r.u32(at + 152),
    index: r.u32(at + 156),
    templates: [],
    lifetime: readLifetimeCfg(r, at + 56),
    counters: readLifetimeCur(r, at + 120),
  };
  const flags = (Object.entries(XFRM_POLICY_FLAG) as ['localok' | 'icmp', number][])
    .filter(([, bit]) => flagsByte & bit)
    .map(([name]) => name);
  if (flags.length) policy.flags = flags;
  return policy;
}

export function applyPolicyAttributes(policy: PolicyInfo, attrs: Attributes): void {
  policy.templates = readTemplates(attrs);
  const mark = attrs.get(XFRMA.MARK);
  if (mark) policy.mark = readMark(mark);
  const ifId = attrs.get(XFRMA.IF_ID);
  if (ifId) policy.ifId = ifId.u32(0);
  const type = attrs.get(XFRMA.POLICY_TYPE);
  if (type && type.u8(0) === XFRM_POLICY_TYPE.sub) policy.type = 'sub';
}

/** Decodes the payload of a NEWPOLICY message (GETPOLICY reply, dump entry). */
export function decodePolicy(payload: ByteReader): PolicyInfo {
  const policy = readUserpolicyInfo(payload, 0);
  applyPolicyAttributes(policy, parseAttributes(payload, SIZE.userpolicyInfo));
  return policy;
}
