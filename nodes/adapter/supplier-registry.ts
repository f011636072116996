import type { SupplierConfigNode } from './config-nodes';

/**
 * Deployed suppliers by their id. Routing rules and purchase orders name suppliers by id, and the dispatch node
 * finds the channel here; config nodes add themselves when deployed and leave when closed.
 */
const suppliers = new Map<string, SupplierConfigNode>();

export function registerSupplier(node: SupplierConfigNode): void {
  suppliers.set(node.supplierId, node);
  node.on('close', () => {
    if (suppliers.get(node.supplierId) === node) suppliers.delete(node.supplierId);
  });
}

export function deployedSupplier(supplierId: string): SupplierConfigNode | undefined {
  return suppliers.get(supplierId);
}

export function deployedSupplierIds(): string[] {
  return [...suppliers.keys()];
}
