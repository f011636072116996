import type { RoutingRules } from '../../core/routing/routing-rules';
import type { Node, NodeAPI } from '../adapter/node-red';

/** What other nodes read from a deployed dropship-router: its parsed rules (undefined while they are invalid). */
export interface RouterNode extends Node {
  routingRules(): RoutingRules | undefined;
}

/** The rules of the router node `routerNodeId`, when it is deployed and its rules are valid. */
export function routingRulesOf(RED: NodeAPI, routerNodeId: string | undefined): RoutingRules | undefined {
  if (!routerNodeId) return undefined;
  const router = RED.nodes.getNode(routerNodeId) as Partial<RouterNode> | null;
  return typeof router?.routingRules === 'function' ? router.routingRules() : undefined;
}
