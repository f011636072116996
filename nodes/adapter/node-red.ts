/** Node-RED's runtime types as this package uses them (from @types/node-red). */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';

export type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow };

export type SendFunction = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;
export type DoneFunction = (err?: Error) => void;

/** The identity written into order events: which node made a change. */
export function actorOf(node: Pick<Node, 'type' | 'id'>): string {
  return `${node.type}:${node.id}`;
}
