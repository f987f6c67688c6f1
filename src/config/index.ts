/** The configuration: YAML → immutable, validated, typed connection definitions. */
export { addressMatches, formatAddressSpec, ipToBytes, parseIpAddress } from './addresses.js';
export { DAEMON_DEFAULTS } from './daemon-settings.js';
export { dnMatches, formatIdentity, identityMatches, parseIdentity } from './identity.js';
export {
  findConnection,
  formatConfigError,
  loadConfigFile,
  type ParseOptions,
  parseConfig,
} from './load.js';
export { DEFAULT_PROPOSALS, parseProposal } from './proposals.js';
export { isSecret, REDACTED, Secret } from './secret.js';
export { formatTrafficSelector, parseTrafficSelector } from './traffic-selectors.js';
export type * from './types.js';
export { formatDuration, parseDuration, parseSize } from './units.js';
