/**
 * Conversions between the wire codec's payload structures and the engine's
 * normalised views (proposals, traffic selectors), kept in one place so the
 * exchange modules speak only the engine's terms.
 */

import {
  type AddressRangeSelector,
  isAddressRangeSelector,
  ProtocolId,
  TransformAttributeType,
  TransformType,
  transformKeyLength,
  type Proposal as WireProposal,
  type TrafficSelector as WireSelector,
  type Transform as WireTransform,
} from '../wire/ikev2/index.js';
import type { Proposal, SaProtocol } from './proposals.js';
import type { TrafficSelector } from './traffic-selectors.js';

const PROTOCOL_IDS: Record<SaProtocol, number> = {
  ike: ProtocolId.IKE,
  ah: ProtocolId.AH,
  esp: ProtocolId.ESP,
};

function protocolOf(id: number): SaProtocol | undefined {
  if (id === ProtocolId.IKE) return 'ike';
  if (id === ProtocolId.ESP) return 'esp';
  if (id === ProtocolId.AH) return 'ah';
  return undefined;
}

/** Wire proposals to the engine's view; proposals of unknown protocols are dropped. */
export function proposalsFromWire(proposals: readonly WireProposal[]): Proposal[] {
  const out: Proposal[] = [];
  for (const p of proposals) {
    const protocol = protocolOf(p.protocolId);
    if (!protocol) continue;
    const encr: { id: number; keyLen?: number }[] = [];
    const prf: number[] = [];
    const integ: number[] = [];
    const ke: number[] = [];
    const esn: number[] = [];
    const unknownTypes: number[] = [];
    for (const t of p.transforms) {
      switch (t.type) {
        case TransformType.ENCR: {
          const keyLen = transformKeyLength(t);
          encr.push(keyLen === undefined ? { id: t.id } : { id: t.id, keyLen });
          break;
        }
        case TransformType.PRF:
          prf.push(t.id);
          break;
        case TransformType.INTEG:
          integ.push(t.id);
          break;
        case TransformType.KE:
          ke.push(t.id);
          break;
        case TransformType.ESN:
          esn.push(t.id);
          break;
        default:
          unknownTypes.push(t.type);
      }
    }
    out.push({ protocol, num: p.number, spi: p.spi, encr, prf, integ, ke, esn, unknownTypes });
  }
  return out;
}

function transform(type: number, id: number, keyLen?: number): WireTransform {
  return {
    type,
    id,
    attributes:
      keyLen === undefined
        ? []
        : [{ format: 'TV', type: TransformAttributeType.KEY_LENGTH, value: keyLen }],
  };
}

/** One wire proposal from the engine's view, numbered `num`, with our SPI. */
export function proposalToWire(p: Proposal, num: number, spi: Uint8Array): WireProposal {
  const transforms: WireTransform[] = [
    ...p.encr.map((e) => transform(TransformType.ENCR, e.id, e.keyLen)),
    ...p.prf.map((id) => transform(TransformType.PRF, id)),
    ...p.integ.map((id) => transform(TransformType.INTEG, id)),
    ...p.ke.map((id) => transform(TransformType.KE, id)),
    // ESP and AH proposals always carry ESN (RFC 7296 §3.3.3); none configured means "no ESN".
    ...(p.protocol === 'ike'
      ? []
      : (p.esn.length > 0 ? p.esn : [0]).map((id) => transform(TransformType.ESN, id))),
  ];
  return { number: num, protocolId: PROTOCOL_IDS[p.protocol], spi, transforms };
}

export function proposalsToWire(ps: readonly Proposal[], spi: Uint8Array): WireProposal[] {
  return ps.map((p, i) => proposalToWire(p, i + 1, spi));
}

/** Only address-range selectors are usable for IPsec policies; others are ignored. */
export function selectorsFromWire(sels: readonly WireSelector[]): TrafficSelector[] {
  const out: TrafficSelector[] = [];
  for (const s of sels) {
    if (!isAddressRangeSelector(s)) continue;
    out.push({
      family: s.tsType === 7 ? 4 : 6,
      protocol: s.ipProtocol,
      startPort: s.startPort,
      endPort: s.endPort,
      start: s.startAddress,
      end: s.endAddress,
    });
  }
  return out;
}

export function selectorsToWire(sels: readonly TrafficSelector[]): AddressRangeSelector[] {
  return sels.map((s) => ({
    tsType: s.family === 4 ? 7 : 8,
    ipProtocol: s.protocol,
    startPort: s.startPort,
    endPort: s.endPort,
    startAddress: s.start,
    endAddress: s.end,
  }));
}
