/**
 * The typed, immutable configuration the rest of Styx sees (architecture
 * principle 5). Produced only by `parseConfig`/`loadConfigFile`; every object is
 * frozen. Times are in milliseconds, sizes in bytes, counts in packets; `0`
 * means "no limit / disabled" as in strongSwan.
 */
import type { IdentitySpec } from '../auth/identity-types.js';
import type { Secret } from './secret.js';

export type IpFamily = 4 | 6;

/** An IP address in canonical text form (RFC 5952 for IPv6). */
export interface IpAddress {
  readonly family: IpFamily;
  readonly text: string;
}

/** One entry of `local_addrs` / `remote_addrs`. */
export type AddressSpec =
  | { readonly kind: 'any' }
  | { readonly kind: 'ip'; readonly address: IpAddress }
  | { readonly kind: 'subnet'; readonly network: IpAddress; readonly prefix: number }
  | { readonly kind: 'range'; readonly from: IpAddress; readonly to: IpAddress }
  /** Resolved each time it is used (the manual: no DNS caching, DynDNS works). */
  | { readonly kind: 'fqdn'; readonly name: string };

// Identities are shared with the engine, which must not depend on the configuration.
export type { Identity, IdentitySpec, Rdn } from '../auth/identity-types.js';

export type AuthMethod = 'psk' | 'pubkey' | 'eap-md5' | 'eap-mschapv2' | 'eap-tls';

/** One authentication round (`local`, `local2`, `remote`, `remote2`). */
export interface AuthRound {
  readonly auth: AuthMethod;
  readonly id: IdentitySpec;
  /** EAP identity; local: the one we send, remote: the one we expect (`any` = every user). */
  readonly eapId?: IdentitySpec;
  /** Local rounds: certificate files (PEM or DER), first is ours. */
  readonly certs: readonly string[];
  /** Remote rounds: trust anchors for the peer's certificate. */
  readonly cacerts: readonly string[];
  /** Remote rounds: CRL files (PEM or DER) checked against the peer's chain. */
  readonly crls: readonly string[];
  /** Local pubkey / eap-tls rounds: the private key file. */
  readonly key?: string;
  readonly keyPassphrase?: Secret;
  /** Local EAP-MD5 / EAP-MSCHAPv2 rounds: the password we authenticate with. */
  readonly eapPassword?: Secret;
}

/** One transform in a proposal, with its IANA number (RFC 7296 §3.3.2). */
export interface TransformSpec {
  /** The keyword as written, lower-case (e.g. `aes256gcm16`). */
  readonly keyword: string;
  readonly type: 'encr' | 'integ' | 'prf' | 'ke' | 'esn';
  /** IANA transform ID. */
  readonly id: number;
  /** Key length attribute in bits for variable-length ciphers (AES, Camellia). */
  readonly keyBits?: number;
  /** ENCR only: an AEAD cipher (integrity built in). */
  readonly aead?: boolean;
}

/**
 * A proposal in strongSwan syntax (`aes256-sha256-modp3072`): each list holds
 * the alternatives offered for that transform type, in order of preference.
 */
export interface Proposal {
  readonly text: string;
  readonly protocol: 'ike' | 'esp' | 'ah';
  readonly encryption: readonly TransformSpec[];
  readonly integrity: readonly TransformSpec[];
  readonly prf: readonly TransformSpec[];
  /** Key exchange methods; for ESP/AH, non-empty means PFS. */
  readonly ke: readonly TransformSpec[];
  /** ESP/AH only: extended sequence numbers (default: no ESN). */
  readonly esn: readonly TransformSpec[];
}

export type StartAction = 'none' | 'start' | 'trap' | 'start+trap';
export type CloseAction = 'none' | 'start' | 'trap';
export type DpdAction = 'clear' | 'trap' | 'restart';
export type ChildMode = 'tunnel' | 'transport';
export type IpsecProtocol = 'esp' | 'ah';
/** The manual's transport-mode "Traffic Selector". */
export type TransportTraffic = 'any' | 'gre' | 'vxlan';
export type Fragmentation = 'yes' | 'accept' | 'force' | 'no';
export type NatTraversal = 'auto' | 'force';
export type UniquePolicy = 'no' | 'never' | 'keep' | 'replace';

/** A traffic selector (RFC 7296 §3.13.1) as configured. */
export type TrafficSelectorSpec =
  /** The address the SA uses (strongSwan `dynamic`), narrowed to a single host. */
  | {
      readonly kind: 'dynamic';
      readonly protocol: number;
      readonly fromPort: number;
      readonly toPort: number;
    }
  | {
      readonly kind: 'range';
      readonly family: IpFamily;
      readonly from: IpAddress;
      readonly to: IpAddress;
      /** Display form as written (`10.1.0.0/16`, `10.0.0.1-10.0.0.9`). */
      readonly text: string;
      /** IP protocol number, 0 = any. */
      readonly protocol: number;
      readonly fromPort: number;
      readonly toPort: number;
    };

export interface DpdSettings {
  /** Interval of liveness checks when no traffic was received; 0 disables DPD. */
  readonly delayMs: number;
  readonly timeoutMs: number;
  readonly action: DpdAction;
}

/** A route into the XFRM interface, added while the tunnel is up (the manual's custom routes). */
export interface XfrmRoute {
  readonly to: { readonly from: IpAddress; readonly to: IpAddress; readonly prefix: number };
  readonly metric?: number;
}

export interface XfrmInterfaceSettings {
  readonly ifId: number;
  /** The interface's name; default `xfrm<if_id>`. An existing interface of that name is reused. */
  readonly name?: string;
  readonly routes: readonly XfrmRoute[];
}

/** The manual's "Ping Check": when to switch to the fallback connection. */
export interface PingCheck {
  readonly address: IpAddress;
  readonly intervalMs: number;
  /** Failed pings before switching; 0 disables the check. */
  readonly retries: number;
  /** Return to this (primary) connection once pings succeed again. */
  readonly returnToPrimary: boolean;
}

/** Appliance policies the connection manager applies (architecture principle 6). */
export interface ApplianceSettings {
  /** The manual's "Fallback IPSec": another connection that takes over. */
  readonly fallback?: string;
  readonly pingCheck?: PingCheck;
  /** The manual's "Restart Gateway Change": restart when the main table's default gateway changes. */
  readonly restartOnGatewayChange: boolean;
  /** The manual's "Associate Firewall Rule". */
  readonly firewallRule: boolean;
}

export interface ChildConfig {
  readonly name: string;
  readonly localTs: readonly TrafficSelectorSpec[];
  readonly remoteTs: readonly TrafficSelectorSpec[];
  readonly mode: ChildMode;
  readonly protocol: IpsecProtocol;
  /** ESP or AH proposals, matching `protocol`. */
  readonly proposals: readonly Proposal[];
  readonly ipcomp: boolean;
  readonly traffic: TransportTraffic;
  readonly rekeyTimeMs: number;
  readonly lifeTimeMs: number;
  readonly randTimeMs: number;
  readonly rekeyBytes: number;
  readonly lifeBytes: number;
  readonly randBytes: number;
  readonly rekeyPackets: number;
  readonly lifePackets: number;
  readonly randPackets: number;
  /** Resolved: the child's own setting or the connection's. */
  readonly startAction: StartAction;
  readonly closeAction: CloseAction;
  readonly dpdAction: DpdAction;
  /** Where the child is defined, for log and error messages. */
  readonly source: SourceRef;
}

export interface SourceRef {
  readonly file: string;
  readonly line: number;
}

export interface ConnectionConfig {
  readonly name: string;
  readonly version: 1 | 2;
  readonly localAddrs: readonly AddressSpec[];
  readonly remoteAddrs: readonly AddressSpec[];
  readonly localPort: number;
  readonly remotePort: number;
  readonly proposals: readonly Proposal[];
  /** One or two rounds (the manual's "Use Two Authentications"). */
  readonly localAuth: readonly AuthRound[];
  readonly remoteAuth: readonly AuthRound[];
  readonly psk?: Secret;
  readonly startAction: StartAction;
  readonly closeAction: CloseAction;
  readonly dpd: DpdSettings;
  readonly rekeyTimeMs: number;
  readonly reauthTimeMs: number;
  readonly overTimeMs: number;
  readonly randTimeMs: number;
  /** The manual's "Rekey": false means only the peer rekeys. */
  readonly rekey: boolean;
  readonly natTraversal: NatTraversal;
  readonly mobike: boolean;
  readonly fragmentation: Fragmentation;
  readonly splitConnection: boolean;
  readonly xfrmInterface?: XfrmInterfaceSettings;
  /** IKEv1 only: Aggressive Mode instead of Main Mode. */
  readonly aggressive: boolean;
  /** Attempts to establish before giving up (0 = forever). */
  readonly keyingTries: number;
  readonly unique: UniquePolicy;
  readonly children: readonly ChildConfig[];
  readonly appliance: ApplianceSettings;
  readonly source: SourceRef;
}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface DaemonSettings {
  readonly socket: string;
  readonly logLevel: LogLevel;
  /** Per-subsystem overrides, e.g. `{ ike: 'debug' }`. */
  readonly logLevels: Readonly<Record<string, LogLevel>>;
  readonly logFormat: 'text' | 'json';
  readonly ikePort: number;
  readonly natTPort: number;
  /** Half-open IKE_SAs above which responders demand a COOKIE (RFC 7296 §2.6). */
  readonly cookieThreshold: number;
  readonly halfOpenLimit: number;
  /** Retransmission (RFC 7296 §2.1), strongSwan's defaults. */
  readonly retransmitTimeoutMs: number;
  readonly retransmitBase: number;
  readonly retransmitTries: number;
  readonly natKeepaliveMs: number;
  /** The packet mark of firewall_rule's table, accepted by the appliance's ruleset. */
  readonly firewallMark: number;
}

export interface StyxConfig {
  readonly daemon: DaemonSettings;
  readonly connections: readonly ConnectionConfig[];
  /** EAP users a responder accepts: EAP identity text -> password. */
  readonly eapUsers: readonly { readonly id: string; readonly password: Secret }[];
  readonly file: string;
}

export interface ConfigError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Dotted setting path, e.g. `connections.gw-gw.children.net.mode`. */
  readonly path: string;
  readonly message: string;
}

export type ConfigResult =
  | { readonly ok: true; readonly config: StyxConfig; readonly warnings: readonly ConfigError[] }
  | {
      readonly ok: false;
      readonly errors: readonly ConfigError[];
      readonly warnings: readonly ConfigError[];
    };
