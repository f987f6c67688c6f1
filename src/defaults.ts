/**
 * Every default of the daemon in one place, with where it comes from: the
 * manual (../shared/seed/ipsec-phase1-manual.txt), strongSwan 5.9's (what an
 * administrator coming from it expects) or an RFC. The configuration reader
 * (src/config) fills absent settings from here and the engine (src/ikev2)
 * uses the same values when embedded without a configuration, so the two
 * never disagree.
 */
export const DEFAULTS = {
  /** RFC 7296 §2: IKE on UDP 500. */
  ikePort: 500,
  /** RFC 3948 §2: NAT-T on UDP 4500. */
  natTPort: 4500,
  /** strongSwan charon.cookie_threshold: half-open IKE_SAs before cookies are asked for. */
  cookieThreshold: 30,
  /**
   * Ours: half-open IKE_SAs beyond which new IKE_SA_INITs are dropped
   * (strongSwan's init_limit_half_open is unlimited by default; a bound keeps
   * a flood from exhausting memory).
   */
  halfOpenLimit: 1000,
  /** strongSwan charon.retransmit_timeout, _base and _tries (RFC 7296 §2.1 leaves them open). */
  retransmitTimeoutMs: 4000,
  retransmitBase: 1.8,
  retransmitTries: 5,
  /** strongSwan charon.keep_alive (RFC 3948 §4 keepalives behind a NAT). */
  natKeepaliveMs: 20_000,
  /** The manual's DPD recommendation (strongSwan: dpd_delay 0, off). */
  dpdDelayMs: 10_000,
  dpdTimeoutMs: 30_000,
  /** strongSwan rekey_time of an IKE_SA. */
  ikeRekeyTimeMs: 4 * 3_600_000,
  /** strongSwan rekey_time of a CHILD_SA (life_time 10% later). */
  childRekeyTimeMs: 3_600_000,
  /**
   * Ours: the packet mark firewall_rule's nftables table sets (one bit, so it
   * combines with other marks; docs/appliance-firewall.md).
   */
  firewallMark: 0x0100_0000,
  /** The manual's Ping Check: every 5 minutes, 3 retries. */
  pingIntervalMs: 300_000,
  pingRetries: 3,
} as const;
