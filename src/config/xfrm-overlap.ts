/**
 * The manual's Interface rule: several tunnels may share one XFRM interface
 * only when their Phase 2 pairs do not overlap. Their SAs and policies carry
 * the same if_id, so two overlapping pairs would be one policy in the kernel
 * and one tunnel would take the other's traffic. Checked once every
 * connection is read; the error stands at the later connection's
 * xfrm_interface and names both. A `dynamic` selector (the SA's own address)
 * is not known at load and is not compared.
 */
import { isMap } from 'yaml';
import { ipToBigInt } from './addresses.js';
import type { ConfigReader, YamlNode } from './reader.js';
import type { ChildConfig, ConnectionConfig, TrafficSelectorSpec } from './types.js';

type Range = Extract<TrafficSelectorSpec, { kind: 'range' }>;

const interfaceName = (c: ConnectionConfig) =>
  c.xfrmInterface && (c.xfrmInterface.name ?? `xfrm${c.xfrmInterface.ifId}`);

function rangesOverlap(a: Range, b: Range): boolean {
  if (a.family !== b.family) return false;
  if (a.protocol !== 0 && b.protocol !== 0 && a.protocol !== b.protocol) return false;
  if (a.toPort < b.fromPort || b.toPort < a.fromPort) return false;
  return ipToBigInt(a.from) <= ipToBigInt(b.to) && ipToBigInt(b.from) <= ipToBigInt(a.to);
}

function sideOverlap(a: readonly TrafficSelectorSpec[], b: readonly TrafficSelectorSpec[]) {
  for (const x of a) {
    for (const y of b) {
      if (x.kind === 'range' && y.kind === 'range' && rangesOverlap(x, y))
        return `${x.text} / ${y.text}`;
    }
  }
  return undefined;
}

/** The first pair of children whose local and remote selectors both overlap, described. */
function overlappingPair(a: readonly ChildConfig[], b: readonly ChildConfig[]): string | undefined {
  for (const ca of a) {
    for (const cb of b) {
      const local = sideOverlap(ca.localTs, cb.localTs);
      const remote = local && sideOverlap(ca.remoteTs, cb.remoteTs);
      if (local && remote)
        return `children ${ca.name} and ${cb.name} overlap (local ${local}, remote ${remote})`;
    }
  }
  return undefined;
}

function xfrmNode(connectionNode: YamlNode): YamlNode {
  return isMap(connectionNode)
    ? (connectionNode.get('xfrm_interface', true) as YamlNode)
    : undefined;
}

export function checkSharedXfrmInterfaces(
  reader: ConfigReader,
  connections: readonly ConnectionConfig[],
  nodes: ReadonlyMap<string, YamlNode>,
): void {
  const seen: ConnectionConfig[] = [];
  for (const c of connections) {
    const name = interfaceName(c);
    if (!name || !c.xfrmInterface) continue;
    const path = `connections.${c.name}.xfrm_interface`;
    for (const other of seen) {
      const otherIfId = other.xfrmInterface!.ifId;
      const sameName = interfaceName(other) === name;
      if (sameName && otherIfId !== c.xfrmInterface.ifId) {
        reader.error(
          xfrmNode(nodes.get(c.name)),
          path,
          `interface ${name} has if_id ${otherIfId} in connection ${other.name}; a shared interface needs the same if_id`,
        );
        continue;
      }
      if (otherIfId !== c.xfrmInterface.ifId) continue;
      const overlap = overlappingPair(other.children, c.children);
      if (overlap)
        reader.error(
          xfrmNode(nodes.get(c.name)),
          path,
          `connections ${other.name} and ${c.name} share interface ${name} (if_id ${otherIfId}) but their Phase 2 pairs overlap: ${overlap}`,
        );
    }
    seen.push(c);
  }
}
