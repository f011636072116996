import { randomUUID } from 'node:crypto';

/**
 * The lease owner for one claim: the actor and a random part. The actor alone is the same for every Node-RED
 * instance running the flow and for this node's own next claim, so it could not tell a worker whose lease ran
 * out from the one that took the work over.
 */
export function claimOwner(actor: string): string {
  return `${actor}#${randomUUID()}`;
}
