import { DropshipError } from '../../core/errors';
import type { OrderStore } from '../../core/store/order-store';
import type { Node, NodeAPI } from './node-red';

/** What the `dropship-store` config node offers the other nodes. */
export interface StoreConfigNode extends Node {
  /** Resolves once the store is open and migrated; rejects with the reason it could not be opened. */
  store(): Promise<OrderStore>;
}

/** The store a node is configured with, or a configuration error naming the missing property. */
export function storeOf(RED: NodeAPI, node: Node, storeNodeId: string | undefined): Promise<OrderStore> {
  const config = storeNodeId ? (RED.nodes.getNode(storeNodeId) as StoreConfigNode | null) : null;
  if (!config) {
    return Promise.reject(
      new DropshipError('configuration', `${node.type} "${node.name || node.id}" has no store configured`, [
        { path: 'store', message: 'select a dropship-store configuration' },
      ]),
    );
  }
  return config.store();
}
