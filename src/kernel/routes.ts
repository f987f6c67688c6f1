import { RT_TABLE_MAIN, RTN_UNICAST } from './rtnl/constants.js';
import type { RouteInfo } from './types.js';

/** The default route of the main table: prefix 0, unicast, lowest metric. */
export function pickDefaultRoute(routes: RouteInfo[]): RouteInfo | undefined {
  return routes
    .filter((r) => r.prefixLen === 0 && r.type === RTN_UNICAST && r.table === RT_TABLE_MAIN)
    .sort((a, b) => (a.metric ?? 0) - (b.metric ?? 0))[0];
}
