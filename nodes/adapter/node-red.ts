/** Node-RED's runtime types as this package uses them (from @types/node-red). */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import type { ConnectorLog } from '../../core/ports/connector';

export type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow };

export type SendFunction = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;
export type DoneFunction = (err?: Error) => void;

/** The identity written into order events: which node made a change. */
export function actorOf(node: Pick<Node, 'type' | 'id'>): string {
  return `${node.type}:${node.id}`;
}

const VERBOSE_LEVELS = new Set(['debug', 'trace']);

/**
 * Whether any of Node-RED's log handlers (settings.logging) reports debug messages. Node-RED builds an Error, for
 * its stack, on every node.debug() call before the level is checked: on a per-PO path that cost more than the
 * message was worth when nobody reads debug.
 */
export function debugLogged(RED: Pick<NodeAPI, 'settings'>): boolean {
  const logging = (RED.settings as { logging?: Record<string, { level?: string } | undefined> }).logging;
  if (!logging) return false;
  return Object.values(logging).some((handler) => VERBOSE_LEVELS.has(handler?.level ?? ''));
}

/** A connector's log through its node: info and warnings always, debug only when some handler reports it. */
export function connectorLogOf(RED: Pick<NodeAPI, 'settings'>, node: Node): ConnectorLog {
  const debug = debugLogged(RED);
  return {
    debug: debug ? (message) => node.debug(message) : () => undefined,
    info: (message) => node.log(message),
    warn: (message) => node.warn(message),
  };
}

/**
 * A warning for something a sender can repeat at will (a refused request): logged at most once per interval, the
 * ones held back counted into the next, so a flood of bad requests cannot flood the log.
 */
export function rateLimitedWarning(node: Pick<Node, 'warn'>, intervalMs = 10_000): (message: string) => void {
  let lastAt = -Infinity;
  let heldBack = 0;
  return (message) => {
    const now = Date.now();
    if (now - lastAt < intervalMs) {
      heldBack += 1;
      return;
    }
    lastAt = now;
    node.warn(heldBack > 0 ? `${message} (and ${heldBack} more refusals since the last warning)` : message);
    heldBack = 0;
  };
}

/**
 * The send of work that no input message started (a sweep, a webhook, a followed source): through the node. An
 * input handler sends through the `send` Node-RED gives it instead.
 */
export function sendOfNode(node: Pick<Node, 'send'>): SendFunction {
  return (out) => node.send(out);
}
