/**
 * The control API between `styxctl` (or any local client) and the daemon: the
 * handler interface the daemon implements, the status objects it returns and
 * the newline-delimited JSON messages on the Unix socket.
 *
 * Request:   {"id":1,"cmd":"up","args":{"name":"gw-gw"}}
 * Response:  {"id":1,"ok":true,"result":{...}}  or  {"id":1,"ok":false,"error":{"code":"NOT_FOUND","message":"..."}}
 * Stream:    {"id":2,"event":"log","line":"..."} (for `log` with follow, until the client disconnects)
 */

/** IKE_SA states, as strongSwan names them in `swanctl --list-sas`. */
export type IkeSaState =
  | 'CREATED'
  | 'CONNECTING'
  | 'ESTABLISHED'
  | 'PASSIVE'
  | 'REKEYING'
  | 'REKEYED'
  | 'DELETING'
  | 'DESTROYING';

export type ChildSaState =
  | 'CREATED'
  | 'ROUTED'
  | 'INSTALLING'
  | 'INSTALLED'
  | 'UPDATING'
  | 'REKEYING'
  | 'REKEYED'
  | 'RETRYING'
  | 'DELETING'
  | 'DESTROYING';

export interface IkeEndpointStatus {
  readonly address: string;
  readonly port: number;
  /** The identity as text (`moon.example.org`, `C=CH, O=Example, CN=moon`). */
  readonly id: string;
  /** This side is behind a NAT (RFC 7296 §2.23). */
  readonly nat?: boolean;
}

export interface IkeAlgorithms {
  /** IANA-style names, e.g. `AES_GCM_16`, `HMAC_SHA2_256_128`, `PRF_HMAC_SHA2_256`, `CURVE_25519`. */
  readonly encryption: string;
  readonly keySize?: number;
  readonly integrity?: string;
  readonly prf: string;
  readonly ke: string;
}

export interface IkeSaStatus {
  /** Connection name. */
  readonly name: string;
  readonly uniqueId: number;
  readonly state: IkeSaState;
  readonly version: 1 | 2;
  /** Whether we initiated this IKE_SA. */
  readonly initiator: boolean;
  /** SPIs as 16 hex digits. */
  readonly initiatorSpi: string;
  readonly responderSpi: string;
  readonly local: IkeEndpointStatus;
  readonly remote: IkeEndpointStatus;
  readonly algorithms?: IkeAlgorithms;
  /** Seconds since establishment. */
  readonly establishedSeconds?: number;
  readonly rekeyInSeconds?: number;
  readonly reauthInSeconds?: number;
  readonly children: readonly ChildSaStatus[];
}

export interface ChildAlgorithms {
  readonly encryption?: string;
  readonly keySize?: number;
  readonly integrity?: string;
  /** Key exchange method for PFS, if any. */
  readonly ke?: string;
  readonly esn: boolean;
}

export interface ChildSaStatus {
  readonly name: string;
  readonly uniqueId: number;
  readonly reqid?: number;
  readonly state: ChildSaState;
  readonly mode: 'tunnel' | 'transport';
  readonly protocol: 'esp' | 'ah';
  /** UDP encapsulation (NAT-T, RFC 3948). */
  readonly encap: boolean;
  /** SPIs as 8 hex digits. */
  readonly spiIn: string;
  readonly spiOut: string;
  /** IPComp CPIs (4 hex digits), when IPComp is used. */
  readonly cpiIn?: string;
  readonly cpiOut?: string;
  readonly algorithms?: ChildAlgorithms;
  readonly localTs: readonly string[];
  readonly remoteTs: readonly string[];
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly packetsIn: number;
  readonly packetsOut: number;
  /** Seconds since the last packet, if any. */
  readonly lastInSeconds?: number;
  readonly lastOutSeconds?: number;
  readonly installedSeconds?: number;
  readonly rekeyInSeconds?: number;
  readonly lifeInSeconds?: number;
}

export interface StatusResult {
  readonly ikeSas: readonly IkeSaStatus[];
  /** Connections on standby (a VRRP backup) and why; absent when none is. */
  readonly standby?: readonly { readonly name: string; readonly reason: string }[];
}

export interface ActionResult {
  /** One line for the operator, e.g. `IKE_SA gw-gw[3] established`. */
  readonly message: string;
}

export interface ReloadResult {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
  readonly unchanged: readonly string[];
}

export interface LogsOptions {
  readonly follow: boolean;
  /** How many recent lines to send first (default: all kept). */
  readonly lines?: number;
}

/**
 * What the daemon implements. Failures are thrown as {@link ControlError}; any
 * other exception is reported to the client as INTERNAL without its text.
 */
export interface ControlHandler {
  up(name: string): Promise<ActionResult>;
  down(name: string): Promise<ActionResult>;
  status(name?: string): Promise<StatusResult>;
  /** Loads the configuration again; a bad file throws CONFIG_INVALID and changes nothing. */
  reload(): Promise<ReloadResult>;
  /**
   * Calls `onLine` for recent lines, then (with `follow`) for every new line
   * until the returned function is called.
   */
  logs(options: LogsOptions, onLine: (line: string) => void): () => void;
}

export type ControlErrorCode =
  | 'BAD_REQUEST'
  | 'UNKNOWN_COMMAND'
  | 'NOT_FOUND'
  | 'FAILED'
  | 'CONFIG_INVALID'
  | 'TOO_LARGE'
  | 'BUSY'
  | 'INTERNAL';

export class ControlError extends Error {
  override readonly name = 'ControlError';
  constructor(
    readonly code: ControlErrorCode,
    message: string,
    /** Further lines, e.g. every configuration error for CONFIG_INVALID. */
    readonly details?: readonly string[],
  ) {
    super(message);
  }
}

export const COMMANDS = ['up', 'down', 'status', 'reload', 'log'] as const;
export type Command = (typeof COMMANDS)[number];

export interface ControlRequest {
  readonly id: number | string;
  readonly cmd: Command;
  readonly args?: { readonly name?: string; readonly follow?: boolean; readonly lines?: number };
}

export interface WireError {
  readonly code: ControlErrorCode;
  readonly message: string;
  readonly details?: readonly string[];
}

export type ControlResponse =
  | { readonly id: number | string | null; readonly ok: true; readonly result: unknown }
  | { readonly id: number | string | null; readonly ok: false; readonly error: WireError }
  | { readonly id: number | string; readonly event: 'log'; readonly line: string };

export const DEFAULT_SOCKET_PATH = '/run/styx/styx.sock';
