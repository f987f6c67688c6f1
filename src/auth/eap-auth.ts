/**
 * EAP in IKEv2 (RFC 7296 §2.16): building the EAP server and peer for a
 * configured method, and the AUTH payloads that follow EAP, keyed with the
 * MSK (or, for methods without one such as EAP-MD5, with SK_pi / SK_pr).
 */
import { timingSafeEqual } from 'node:crypto';
import { sharedKeyAuth } from '../crypto/kdf/index.js';
import type { PrfAlgorithm } from '../crypto/types.js';
import { Md5Peer, Md5Server } from './eap/md5.js';
import type { EapPeerMethod, Password, PasswordLookup, RandomBytes } from './eap/method.js';
import { MsChapV2Peer, MsChapV2Server } from './eap/mschapv2.js';
import { EapType } from './eap/packet.js';
import { EapPeer } from './eap/peer.js';
import { EapServer } from './eap/server.js';
import { type EapTlsOptions, EapTlsPeer, type EapTlsPeerOptions, EapTlsServer } from './eap/tls.js';

/** The configuration's EAP methods (`config/types.ts` AuthMethod) and their EAP types. */
export type EapMethodName = 'eap-md5' | 'eap-mschapv2' | 'eap-tls';

export const EAP_METHOD_TYPES: Readonly<Record<EapMethodName, number>> = {
  'eap-md5': EapType.MD5_CHALLENGE,
  'eap-mschapv2': EapType.MSCHAPV2,
  'eap-tls': EapType.TLS,
};

export interface EapServerSetup {
  /** Offered methods, preferred first (a peer may Nak to another one in the list). */
  readonly methods: readonly EapMethodName[];
  /** The peer's EAP identity when known (then no EAP-Identity round). */
  readonly identity?: string;
  /** Username/password store for EAP-MD5 and EAP-MSCHAPv2. */
  readonly passwords?: PasswordLookup;
  /** Our certificate, key and the CAs for client certificates, for EAP-TLS. */
  readonly tls?: EapTlsOptions;
  readonly random: RandomBytes;
}

export function createEapServer(setup: EapServerSetup): EapServer {
  const passwords = setup.passwords ?? (() => undefined);
  const methods = setup.methods.map((name) => ({
    eapType: EAP_METHOD_TYPES[name],
    create: (identity: string) => {
      switch (name) {
        case 'eap-md5':
          return new Md5Server(identity, passwords, setup.random);
        case 'eap-mschapv2':
          return new MsChapV2Server(identity, passwords, setup.random);
        case 'eap-tls':
          return setup.tls ? new EapTlsServer(setup.tls) : undefined;
      }
    },
  }));
  return new EapServer({
    methods,
    random: setup.random,
    ...(setup.identity !== undefined && { identity: setup.identity }),
  });
}

export interface EapPeerSetup {
  readonly methods: readonly EapMethodName[];
  /** Our EAP identity (`eap_id`, else the IKE identity as text). */
  readonly identity: string;
  /** For EAP-MD5 and EAP-MSCHAPv2. */
  readonly password?: Password;
  /** For EAP-TLS: our certificate and key, the CAs for the server's, the server's expected identity. */
  readonly tls?: EapTlsPeerOptions;
  readonly random: RandomBytes;
}

function peerMethod(name: EapMethodName, setup: EapPeerSetup): (() => EapPeerMethod) | undefined {
  const { password, tls } = setup;
  switch (name) {
    case 'eap-md5':
      return password === undefined ? undefined : () => new Md5Peer(password);
    case 'eap-mschapv2':
      return password === undefined
        ? undefined
        : () => new MsChapV2Peer(setup.identity, password, setup.random);
    case 'eap-tls':
      return tls ? () => new EapTlsPeer(tls) : undefined;
  }
}

/** A peer that can run each configured method it has credentials for (others it Naks). */
export function createEapPeer(setup: EapPeerSetup): EapPeer {
  const methods: { eapType: number; create: () => EapPeerMethod }[] = [];
  for (const name of setup.methods) {
    const create = peerMethod(name, setup);
    if (create) methods.push({ eapType: EAP_METHOD_TYPES[name], create });
  }
  return new EapPeer({ identity: setup.identity, methods });
}

/**
 * The AUTH payload data after EAP (RFC 7296 §2.16): prf(prf(key, "Key Pad for
 * IKEv2"), SignedOctets) with key = the MSK, or, when the method derived none,
 * SK_pi for the initiator's AUTH and SK_pr for the responder's (`skP`, the
 * same key `authSignedOctets` used). AUTH method: SHARED_KEY_MIC (2).
 */
export function eapAuthData(
  prf: PrfAlgorithm,
  msk: Uint8Array | undefined,
  skP: Uint8Array,
  signedOctets: Uint8Array,
): Uint8Array {
  return sharedKeyAuth(prf, msk ?? skP, signedOctets);
}

/** Constant-time check of the peer's AUTH after EAP. */
export function verifyEapAuthData(
  prf: PrfAlgorithm,
  msk: Uint8Array | undefined,
  skP: Uint8Array,
  signedOctets: Uint8Array,
  received: Uint8Array,
): boolean {
  const expected = eapAuthData(prf, msk, skP, signedOctets);
  return expected.length === received.length && timingSafeEqual(expected, received);
}
