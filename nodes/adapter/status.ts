import type { Node } from './node-red';

/**
 * One status vocabulary across the palette, so an operator reads every node the same way:
 * waiting (idle, ready), sending (work in flight), accepted (last item succeeded), retrying (transient
 * failure, will try again), failed (needs a person).
 */
export type NodeActivity = 'waiting' | 'sending' | 'accepted' | 'retrying' | 'failed';

const LOOK: Record<
  NodeActivity,
  { fill: 'grey' | 'blue' | 'green' | 'yellow' | 'red'; shape: 'ring' | 'dot' }
> = {
  waiting: { fill: 'grey', shape: 'ring' },
  sending: { fill: 'blue', shape: 'dot' },
  accepted: { fill: 'green', shape: 'dot' },
  retrying: { fill: 'yellow', shape: 'ring' },
  failed: { fill: 'red', shape: 'dot' },
};

/** Shows `activity` with a short text; the text never contains customer data. */
export function showActivity(node: Node, activity: NodeActivity, text?: string): void {
  node.status({ ...LOOK[activity], text: text ?? activity });
}
