// Every lab scenario, in the order they run.
import type { Scenario } from '../runner/scenario.js';
import { APPLIANCE_FIREWALL_SCENARIOS } from './appliance-firewall.js';
import { APPLIANCE_NETWORK_SCENARIOS } from './appliance-network.js';
import { APPLIANCE_RESPONDER_SCENARIOS } from './appliance-responder.js';
import { APPLIANCE_VRRP_SCENARIOS } from './appliance-vrrp.js';
import { APPLIANCE_XFRM_SCENARIOS } from './appliance-xfrm-interface.js';
import { demo } from './demo.js';
import { IKE_SOCKET_SCENARIOS } from './ike-sockets.js';
import { DATAPATH_SCENARIOS } from './kernel-datapath.js';
import { LIFECYCLE_SCENARIOS } from './kernel-lifecycle.js';
import { readback } from './kernel-readback.js';
import { STRONGSWAN_TOPOLOGY_SCENARIOS } from './strongswan-nat-roadwarrior.js';
import { strongswanPskNet2net } from './strongswan-psk-net2net.js';
import { STYX_CERT_SCENARIOS } from './styx-strongswan-certs.js';
import { STYX_EAP_SCENARIOS } from './styx-strongswan-eap.js';
import { STYX_FEATURE_SCENARIOS } from './styx-strongswan-features.js';
import { STYX_INIT_TYPE_SCENARIOS } from './styx-strongswan-init-types.js';
import { STYX_LIFECYCLE_SCENARIOS } from './styx-strongswan-lifecycle.js';
import { natMappingChange } from './styx-strongswan-nat-mapping.js';
import { STYX_NEGATIVE_SCENARIOS } from './styx-strongswan-negative.js';
import { STYX_PSK_SCENARIOS } from './styx-strongswan-psk.js';
import { STYX_REKEY_SOAK_SCENARIOS } from './styx-strongswan-rekey-soak.js';

export const SCENARIOS: readonly Scenario[] = [
  demo,
  ...APPLIANCE_XFRM_SCENARIOS,
  ...APPLIANCE_NETWORK_SCENARIOS,
  ...APPLIANCE_RESPONDER_SCENARIOS,
  ...APPLIANCE_FIREWALL_SCENARIOS,
  ...APPLIANCE_VRRP_SCENARIOS,
  strongswanPskNet2net,
  ...STRONGSWAN_TOPOLOGY_SCENARIOS,
  ...DATAPATH_SCENARIOS,
  ...LIFECYCLE_SCENARIOS,
  readback,
  ...IKE_SOCKET_SCENARIOS,
  ...STYX_PSK_SCENARIOS,
  ...STYX_FEATURE_SCENARIOS,
  ...STYX_NEGATIVE_SCENARIOS,
  ...STYX_LIFECYCLE_SCENARIOS,
  ...STYX_INIT_TYPE_SCENARIOS,
  ...STYX_REKEY_SOAK_SCENARIOS,
  natMappingChange,
  ...STYX_CERT_SCENARIOS,
  ...STYX_EAP_SCENARIOS,
];
