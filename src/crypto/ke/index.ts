/**
 * Key exchange methods (IKEv2 Transform Type 4, IANA "Transform Type 4 - Key
 * Exchange Method Transform IDs"): MODP 2, 5, 14-18; ECP 19-21; Brainpool 27-30;
 * Curve25519 (31), Curve448 (32); ML-KEM-512/768/1024 (35-37).
 *
 * Each Diffie-Hellman group has two engines, `@noble/*` (pure JavaScript) and
 * `node:crypto` (OpenSSL), behind `DhEngine`; both pass the same vectors.
 * `KE_BACKEND_CHOICE` records which one `KE_METHODS` uses, chosen by measurement
 * (`npm run bench:crypto`, see bench/README.md).
 */

import type { KeMethod, Usage } from '../types.js';
import {
  createDhMethod,
  drawEcpScalar,
  drawModpExponent,
  drawMontgomeryScalar,
} from './dh-method.js';
import { ECP_CURVES, type EcpCurve, nobleEcpEngine, nodeEcpEngine } from './ecp.js';
import type { DhEngine, KeBackendName } from './engine.js';
import { MLKEM_METHODS } from './mlkem.js';
import { modpParams, nobleModpEngine, nodeModpEngine } from './modp.js';
import { MODP_GROUPS, type ModpGroup } from './modp-groups.js';
import {
  CURVE448,
  CURVE25519,
  type MontgomeryCurve,
  nobleMontgomeryEngine,
  nodeMontgomeryEngine,
} from './montgomery.js';

export { dhKeyExchange } from './dh-method.js';
export { ECP_CURVES } from './ecp.js';
export type { DhEngine, KeBackendName } from './engine.js';
export { MLKEM_MESSAGE_LEN, MLKEM_SEED_LEN } from './mlkem.js';
export { MODP_GROUPS } from './modp-groups.js';
export { CURVE448, CURVE25519 } from './montgomery.js';

/** DH groups are negotiated in IKEv2 (IKE and CHILD_SA PFS) and in IKEv1. */
const DH_USAGES: readonly Usage[] = ['ike', 'esp', 'ikev1'];

export interface DhGroupEntry {
  readonly id: number;
  readonly name: string;
  readonly keyword: string;
  readonly kind: 'modp' | 'ecp' | 'curve';
  readonly engines: Record<KeBackendName, () => DhEngine>;
  readonly drawSecret: (random: (n: number) => Uint8Array) => Uint8Array;
}

function modpEntry(group: ModpGroup): DhGroupEntry {
  const params = modpParams(group);
  return {
    id: group.id,
    name: `MODP_${group.bits}`,
    keyword: `modp${group.bits}`,
    kind: 'modp',
    engines: { noble: () => nobleModpEngine(params), node: () => nodeModpEngine(params) },
    drawSecret: drawModpExponent(group.exponentLen),
  };
}

const ECP_NAMES: Record<number, [string, string]> = {
  19: ['ECP_256', 'ecp256'],
  20: ['ECP_384', 'ecp384'],
  21: ['ECP_521', 'ecp521'],
  27: ['ECP_224_BP', 'ecp224bp'],
  28: ['ECP_256_BP', 'ecp256bp'],
  29: ['ECP_384_BP', 'ecp384bp'],
  30: ['ECP_512_BP', 'ecp512bp'],
};

function ecpEntry(curve: EcpCurve): DhGroupEntry {
  const [name, keyword] = ECP_NAMES[curve.id]!;
  return {
    id: curve.id,
    name,
    keyword,
    kind: 'ecp',
    engines: { noble: () => nobleEcpEngine(curve), node: () => nodeEcpEngine(curve) },
    drawSecret: drawEcpScalar(curve.coordinateLen, curve.order, curve.orderBits),
  };
}

function montgomeryEntry(curve: MontgomeryCurve, name: string, keyword: string): DhGroupEntry {
  return {
    id: curve.id,
    name,
    keyword,
    kind: 'curve',
    engines: {
      noble: () => nobleMontgomeryEngine(curve),
      node: () => nodeMontgomeryEngine(curve),
    },
    drawSecret: drawMontgomeryScalar(curve.keyLen),
  };
}

/** Every Diffie-Hellman group with both of its engines, in IANA order. */
export const DH_GROUPS: readonly DhGroupEntry[] = [
  ...MODP_GROUPS.map(modpEntry),
  ...ECP_CURVES.map(ecpEntry),
  montgomeryEntry(CURVE25519, 'CURVE25519', 'curve25519'),
  montgomeryEntry(CURVE448, 'CURVE448', 'curve448'),
];

/** The engine of one group on one backend, for tests and `bench/crypto-backends.ts`. */
export function dhEngine(id: number, backend: KeBackendName): DhEngine {
  const entry = DH_GROUPS.find((g) => g.id === id);
  if (!entry) throw new RangeError(`no Diffie-Hellman group ${id}`);
  return entry.engines[backend]();
}

/**
 * The backend `KE_METHODS` uses per group kind. `node:crypto` (OpenSSL) was faster
 * for every group in a full initiate + computeSharedSecret round (2-core machine
 * under load, 26 Nov 2026): MODP 4.6-7x, P-256 28x, P-384/P-521 1.4-2x, Brainpool
 * 2.3-4.7x, X25519 2.1x, X448 5x. bench/crypto-backends.ts re-measures (see
 * bench/README.md); `dhEngine(id, backend)` gives it both engines.
 */
export const KE_BACKEND_CHOICE: Readonly<Record<'modp' | 'ecp' | 'curve', KeBackendName>> = {
  modp: 'node',
  ecp: 'node',
  curve: 'node',
};

/** All methods on one backend (ML-KEM is `@noble/post-quantum` on both). */
export function createKeMethods(
  choice: Readonly<Record<'modp' | 'ecp' | 'curve', KeBackendName>> = KE_BACKEND_CHOICE,
): readonly KeMethod[] {
  const dh = DH_GROUPS.map((g) =>
    createDhMethod(
      {
        id: g.id,
        name: g.name,
        keyword: g.keyword,
        kind: g.kind,
        usages: DH_USAGES,
        drawSecret: g.drawSecret,
      },
      g.engines[choice[g.kind]](),
    ),
  );
  return [...dh, ...MLKEM_METHODS];
}

export const KE_METHODS: readonly KeMethod[] = createKeMethods();

export function keMethodById(id: number): KeMethod | undefined {
  return KE_METHODS.find((m) => m.id === id);
}
