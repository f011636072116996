import { systemClock, type Clock } from '../../core/clock';
import { claimOwner } from '../../core/dispatch/claim-owner';
import { DropshipError } from '../../core/errors';
import type { OrderStore } from '../../core/store/order-store';
import type {
  FunctionalGroupLog,
  ConnectorContext,
  StatusPollSchedule,
  SupplierConnector,
} from '../../core/ports/supplier-connector';
import type { ConnectorLog } from '../../core/ports/connector';
import { supplierConnector } from '../../connectors/registry';
import {
  withdrawalProblem,
  withdrawPurchaseOrder,
  type Withdraw,
  type Withdrawal,
} from '../../core/dispatch/withdraw-purchase-order';
import { exceptionMessage } from './input-handler';
import type { NodeAPI, NodeMessage } from './node-red';
import type { SupplierConfigNode } from './config-nodes';
import { portalChannel } from './portal-registry';

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

/**
 * The supplier ids of the dropship-supplier config nodes in the deployed flows (disabled ones aside), whether or
 * not they have started yet: what a router may name.
 */
export function configuredSupplierIds(RED: Pick<NodeAPI, 'nodes'>): Set<string> {
  const ids = new Set<string>();
  RED.nodes.eachNode((def) => {
    const { type, supplierId, d } = def as typeof def & { supplierId?: unknown; d?: boolean };
    if (type === 'dropship-supplier' && !d && typeof supplierId === 'string') ids.add(supplierId);
  });
  return ids;
}

/**
 * What a deployed supplier's connector is called with, by any node that uses it (dispatch sends POs and reads
 * acknowledgements, tracking-in reads ship notices). One builder, so every node draws the supplier's sequence
 * numbers (X12 control numbers) from the same scope: two nodes never reuse one number.
 */
export function supplierConnectorContext(
  store: OrderStore,
  supplierId: string,
  log: ConnectorLog,
): { context: ConnectorContext; kind: string } {
  const supplier = deployedSupplier(supplierId);
  if (!supplier)
    throw new DropshipError(
      'configuration',
      `supplier "${supplierId}" is not deployed (add a dropship-supplier with this id)`,
    );
  if (!supplier.settings)
    throw new DropshipError(
      'configuration',
      supplier.settingsError ?? `supplier "${supplierId}" has invalid settings`,
    );
  return {
    kind: supplier.connectorKind,
    context: {
      supplierId,
      settings: supplier.settings,
      credentials: { ...supplier.credentials, ...supplier.transportCredentials },
      log,
      clock: systemClock,
      nextSequenceValue: (scope) => store.nextSequenceValue(`${supplierId}:${scope}`),
      statusPolls: statusPollSchedule(store, supplierId),
      functionalGroups: functionalGroupLog(store, supplierId, systemClock),
      portal: portalChannel(store),
    },
  };
}

/** One partner's functional groups in the store, as its connector reports them. */
export function functionalGroupLog(store: OrderStore, supplierId: string, clock: Clock): FunctionalGroupLog {
  return {
    sent: (group) =>
      store.recordFunctionalGroupSent({ ...group, supplierId, sentAt: clock.now().toISOString() }),
    acknowledged: (ack) =>
      store.recordFunctionalGroupAcknowledged(
        supplierId,
        ack.functionalId,
        ack.groupControlNumber,
        ack.acknowledgement,
        clock.now(),
      ),
  };
}

/** One supplier's status polls in the store, as its connector sees them. */
export function statusPollSchedule(store: OrderStore, supplierId: string): StatusPollSchedule {
  return {
    claim: (purpose, states, now, leaseMs, limit) =>
      store.claimSupplierStatusPolls(
        supplierId,
        purpose,
        states,
        { owner: claimOwner(`poll:${supplierId}`), now, durationMs: leaseMs },
        limit,
      ),
    record: (poNumber, purpose, outcome) => store.recordSupplierStatusPoll(poNumber, purpose, outcome),
  };
}

/** The deployed supplier's connector and context, or undefined when it is not deployed or its settings are bad. */
export function deployedSupplierChannel(
  store: OrderStore,
  supplierId: string,
  log: ConnectorLog,
): { connector: SupplierConnector; context: ConnectorContext } | undefined {
  try {
    const { context, kind } = supplierConnectorContext(store, supplierId, log);
    return { connector: supplierConnector(kind), context };
  } catch {
    return undefined;
  }
}

/**
 * Withdraws POs at their suppliers through the deployed connectors, for nodes that cancel POs (watchdog
 * operator actions and reroutes); the outcome is recorded in the order's events.
 */
export function withdrawThroughDeployedSuppliers(
  store: OrderStore,
  actor: string,
  log: ConnectorLog,
): Withdraw {
  return (po, reason) =>
    withdrawPurchaseOrder(
      { store, actor, channel: deployedSupplierChannel(store, po.supplierId, log) },
      po,
      reason,
    );
}

/**
 * The `cancel_failed` message a node sends out of its exceptions output when a withdrawal failed or its channel
 * cannot cancel (the operator withdraws the PO by hand); undefined when the withdrawal needs nobody.
 */
export function withdrawalExceptionMessage(
  msg: NodeMessage,
  withdrawal: Withdrawal | undefined,
): NodeMessage | undefined {
  const problem = withdrawalProblem(withdrawal);
  return problem ? exceptionMessage({ ...msg, withdrawal }, problem) : undefined;
}
