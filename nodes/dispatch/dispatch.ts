import { CircuitBreaker } from '../../core/dispatch/circuit-breaker';
import { claimOwner } from '../../core/dispatch/claim-owner';
import {
  applyAcknowledgement,
  failOverStrandedPurchaseOrder,
  sendClaimedPurchaseOrder,
  type DispatchOutcome,
} from '../../core/dispatch/dispatch-purchase-order';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../core/dispatch/retry-policy';
import { resumeWithdrawals, type Withdrawal } from '../../core/dispatch/withdraw-purchase-order';
import {
  applyRecordedChange,
  resumeOrderChanges,
  type ChangeEnvironment,
  type ChangeOutcome,
} from '../../core/changes/apply-order-change';
import { ORDER_CHANGE_TOPIC } from '../../core/changes/record-order-change';
import { recordChangeAnswer } from '../../core/changes/change-answers';
import { durationText } from '../../core/clock';
import { DropshipError, errorText } from '../../core/errors';
import type { PurchaseOrder } from '../../core/model/purchase-order';
import type { OrderStore, PurchaseOrderClaim } from '../../core/store/order-store';
import { supplierConnector } from '../../connectors/registry';
import { exceptionMessage, onInput, requiredMessageString } from '../adapter/input-handler';
import {
  actorOf,
  connectorLogOf,
  type Node,
  type NodeAPI,
  type NodeDef,
  type NodeMessage,
} from '../adapter/node-red';
import { showActivity } from '../adapter/status';
import { storeOf } from '../adapter/store-access';
import { startSweep } from '../adapter/sweep';
import { functionalAckOverdueHours } from '../adapter/x12-partner';
import {
  deployedSupplier,
  deployedSupplierChannel,
  deployedSupplierIds,
  supplierConnectorContext,
  withdrawalExceptionMessage,
} from '../adapter/supplier-registry';

interface DispatchNodeDef extends NodeDef {
  store: string;
  leaseSeconds: number | string;
  maxAttempts: number | string;
  baseDelaySeconds: number | string;
  maxDelaySeconds: number | string;
  sweepSeconds: number | string;
  breakerThreshold: number | string;
  breakerCooldownSeconds: number | string;
  onBackorder: 'fail-over' | 'wait';
  strandedMinutes: number | string;
}

function positive(value: number | string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

export = function registerDispatchNode(RED: NodeAPI): void {
  function DropshipDispatchNode(this: Node, config: DispatchNodeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const actor = actorOf(node);
    const leaseMs = positive(config.leaseSeconds, 120) * 1000;
    const strandedMinutes = positive(config.strandedMinutes, 10);
    const policy: RetryPolicy = {
      maxAttempts: positive(config.maxAttempts, DEFAULT_RETRY_POLICY.maxAttempts),
      baseDelayMs: positive(config.baseDelaySeconds, DEFAULT_RETRY_POLICY.baseDelayMs / 1000) * 1000,
      maxDelayMs: positive(config.maxDelaySeconds, DEFAULT_RETRY_POLICY.maxDelayMs / 1000) * 1000,
    };
    const breakers = new Map<string, CircuitBreaker>();
    const breakerFor = (supplierId: string): CircuitBreaker => {
      let breaker = breakers.get(supplierId);
      if (!breaker) {
        breaker = new CircuitBreaker(
          positive(config.breakerThreshold, 5),
          positive(config.breakerCooldownSeconds, 60) * 1000,
        );
        breakers.set(supplierId, breaker);
      }
      return breaker;
    };

    const connectorLog = connectorLogOf(RED, node);
    const connectorContext = (store: OrderStore, supplierId: string) =>
      supplierConnectorContext(store, supplierId, connectorLog);

    const onBackorder = (): 'wait' | 'fail-over' => (config.onBackorder === 'wait' ? 'wait' : 'fail-over');

    function report(outcome: DispatchOutcome, msg: NodeMessage): void {
      const po = outcome.purchaseOrder;
      const base = { ...msg, orderId: po.orderId, poNumber: po.number, payload: po };
      switch (outcome.kind) {
        case 'sent':
        case 'accepted':
        case 'backordered':
          showActivity(node, 'accepted', `${po.number} ${outcome.kind}`);
          node.send([{ ...base, acknowledgement: outcome.result }, null]);
          break;
        case 'retrying':
          showActivity(node, 'retrying', `${po.number} at ${outcome.retryAt.toISOString().slice(11, 19)}`);
          break;
        case 'failed_over':
          // A PO the supplier kept (a backorder) that could not be withdrawn there: the operator's task.
          if (!reportWithdrawal(base, outcome.withdrawal))
            showActivity(node, 'retrying', `${po.number} failed over`);
          break;
        case 'needs_attention':
          showActivity(node, 'failed', `${po.number} needs attention`);
          node.send([null, exceptionMessage(base, outcome.problem)]);
          break;
        case 'superseded':
          if (outcome.leaseLost) {
            // No customer data: the PO number and the supplier id only.
            node.warn(
              `${po.number} (supplier ${po.supplierId}): the sending lease ran out and another sender took the ` +
                `purchase order over; this send's outcome was not recorded, the other sender's stands`,
            );
          } else node.debug(`${po.number} was changed elsewhere; nothing sent`);
      }
    }

    /**
     * A withdrawal that failed or that the channel cannot do goes out of the exceptions output as `cancel_failed`:
     * the operator withdraws the PO by hand. True when it did.
     */
    function reportWithdrawal(msg: NodeMessage, withdrawal: Withdrawal | undefined): boolean {
      const exception = withdrawalExceptionMessage(msg, withdrawal);
      if (!exception || !withdrawal) return false;
      showActivity(node, 'failed', `withdraw ${withdrawal.poNumber} by hand`);
      node.send([null, exception]);
      return true;
    }

    /** Sends one claimed PO, then any POs its failover created, each claimed in turn. */
    async function send(
      store: OrderStore,
      po: PurchaseOrder,
      claim: PurchaseOrderClaim,
      msg: NodeMessage,
    ): Promise<void> {
      let outcome: DispatchOutcome;
      try {
        const { context, kind } = connectorContext(store, po.supplierId);
        showActivity(node, 'sending', po.number);
        outcome = await sendClaimedPurchaseOrder(
          {
            store,
            connector: supplierConnector(kind),
            context,
            policy,
            breaker: breakerFor(po.supplierId),
            actor,
            onBackorder: onBackorder(),
            withdrawalLeaseMs: leaseMs,
          },
          po,
          claim,
        );
      } catch (err) {
        // Configuration problems keep the PO pending: it goes out once the supplier is deployed correctly.
        await store.transitionPurchaseOrder(
          po.number,
          ['sending'],
          'pending',
          { nextAttemptAt: new Date(Date.now() + leaseMs), lastError: String(err) },
          { type: 'po.deferred', actor, reason: errorText(err) },
          claim,
        );
        // The reason names the setting to fix (a misspelt template field): it goes in the status.
        showActivity(node, 'failed', `${po.number}: ${errorText(err)}`);
        node.send([null, exceptionMessage({ ...msg, orderId: po.orderId, poNumber: po.number }, err)]);
        return;
      }
      await follow(store, outcome, msg);
    }

    /** Reports an outcome and sends the POs a failover created, each claimed in turn. */
    async function follow(store: OrderStore, outcome: DispatchOutcome, msg: NodeMessage): Promise<void> {
      report(outcome, msg);
      if (outcome.kind === 'failed_over') {
        for (const replacement of outcome.replacements) await claimAndSend(store, replacement.number, msg);
      }
    }

    /**
     * Acknowledgements that come back after the send (855 files, cXML confirmations): read from every deployed
     * supplier whose connector can read them and recorded like a synchronous reply. A file is archived by the
     * transport only after its acknowledgements were handled here, so a crash re-reads it (applying one twice
     * changes nothing).
     */
    async function readAcknowledgements(store: OrderStore): Promise<void> {
      for (const supplierId of deployedSupplierIds()) {
        const supplier = deployedSupplier(supplierId);
        const connector = supplier?.settings ? supplierConnector(supplier.connectorKind) : undefined;
        if (!connector?.readAcknowledgements) continue;
        try {
          const { context } = connectorContext(store, supplierId);
          for await (const ack of connector.readAcknowledgements(context)) {
            try {
              if (ack.changeId) {
                // An answer to a change (an 865), recorded against the change; the PO's state stays.
                const answered = await recordChangeAnswer(store, actor, { ...ack, changeId: ack.changeId });
                if (answered.kind === 'unknown') node.warn(`${supplierId}: ${answered.reason}`);
                continue;
              }
              // The connector goes along: a backorder that fails over withdraws the PO through it.
              const outcome = await applyAcknowledgement(
                {
                  store,
                  actor: ack.actor ?? actor,
                  onBackorder: onBackorder(),
                  connector,
                  context,
                  withdrawalLeaseMs: leaseMs,
                },
                ack,
              );
              await follow(store, outcome, { topic: 'acknowledgement' });
            } catch (err) {
              node.send([null, exceptionMessage({ poNumber: ack.poNumber, payload: ack }, err)]);
            }
          }
        } catch (err) {
          showActivity(node, 'failed', `${supplierId} acknowledgements`);
          node.warn(`reading acknowledgements of ${supplierId} failed: ${errorText(err)}`);
        }
      }
    }

    /**
     * Groups sent to an X12 partner (our 850s) that its 997 has not answered within the partner's hours: each
     * reported once, across instances, out of the exceptions output (the watchdog holds its order meanwhile).
     */
    async function reportOverdueAcknowledgements(store: OrderStore): Promise<void> {
      const now = new Date();
      for (const supplierId of deployedSupplierIds()) {
        const hours = functionalAckOverdueHours(supplierId);
        if (hours === undefined || !Number.isFinite(hours)) continue;
        const overdue = await store.claimOverdueFunctionalGroups(
          supplierId,
          new Date(now.getTime() - hours * 3_600_000),
          now,
        );
        for (const group of overdue) {
          const po = group.poNumber ? await store.getPurchaseOrder(group.poNumber) : undefined;
          const error = new DropshipError(
            'acknowledgement_overdue',
            `${supplierId} has not answered ${group.document} (group ${group.functionalId} ${group.groupControlNumber}) with a 997 within ${durationText(hours * 3_600_000)}`,
            [{ path: 'functionalGroup', message: `sent ${group.sentAt}, no 997 yet` }],
          );
          node.warn(error.message);
          node.send([
            null,
            exceptionMessage(
              {
                topic: 'acknowledgement_overdue',
                orderId: po?.orderId,
                poNumber: group.poNumber,
                payload: group,
              },
              error,
            ),
          ]);
        }
      }
    }

    async function claimAndSend(store: OrderStore, number: string, msg: NodeMessage): Promise<void> {
      const claim = { leaseOwner: claimOwner(actor) };
      const claimed = await store.claimPurchaseOrder(number, {
        owner: claim.leaseOwner,
        now: new Date(),
        durationMs: leaseMs,
      });
      if (!claimed) {
        node.debug(`${number} is not due or is held by another worker`);
        return;
      }
      await send(store, claimed, claim, msg);
    }

    /**
     * Withdrawals of cancelled POs whose worker died before recording the outcome (or never claimed them): those of
     * the suppliers deployed here as soon as they are free, any other supplier's once free for a whole lease (an
     * instance that has the supplier takes it first; here it is recorded failed, for the operator).
     */
    async function resumeWithdrawalsOf(store: OrderStore, suppliers: string[]): Promise<void> {
      const resumed = await resumeWithdrawals({
        store,
        actor,
        supplierIds: suppliers,
        channelOf: (supplierId) => deployedSupplierChannel(store, supplierId, connectorLog),
        othersAfterMs: leaseMs,
        leaseMs,
      });
      for (const { purchaseOrder: po, withdrawal } of resumed) {
        const msg = { topic: 'withdrawal', orderId: po.orderId, poNumber: po.number, payload: po };
        if (!reportWithdrawal(msg, withdrawal)) showActivity(node, 'accepted', `${po.number} withdrawn`);
      }
    }

    const changeEnvironment = (store: OrderStore): ChangeEnvironment => ({
      store,
      actor,
      channelOf: (supplierId) => deployedSupplierChannel(store, supplierId, connectorLog),
      leaseMs,
    });

    /**
     * A storefront's change, applied: out of the first output with what each PO came to; a supplier that could not
     * be told (failed, no way to change on its channel) out of the exceptions output as `cancel_failed`, for the
     * operator to tell by hand. Return candidates ride in the payload.
     */
    function reportChange(outcome: ChangeOutcome, msg: NodeMessage): void {
      const change = outcome.change;
      const base = { ...msg, topic: ORDER_CHANGE_TOPIC, orderId: change.orderId, changeId: change.id };
      if (outcome.kind === 'waiting') {
        showActivity(node, 'retrying', `change ${change.id} waits: a purchase order is being sent`);
        return;
      }
      if (outcome.kind === 'superseded') {
        node.debug(`change ${change.id} was applied by another worker`);
        return;
      }
      const byHand = outcome.purchaseOrders.filter(
        (po) => po.outcome === 'failed' || po.outcome === 'unsupported',
      );
      showActivity(
        node,
        byHand.length > 0 ? 'failed' : 'accepted',
        `${change.orderId} ${change.kind}: ${outcome.order.state}`,
      );
      node.send([{ ...base, payload: outcome }, null]);
      for (const po of byHand) {
        node.send([
          null,
          exceptionMessage(
            { ...base, poNumber: po.poNumber, payload: po },
            new DropshipError('cancel_failed', po.reason, [
              {
                path: 'poNumber',
                message: `${po.poNumber} at supplier ${po.supplierId} does not know of the change`,
              },
            ]),
          ),
        ]);
      }
    }

    async function applyChanges(store: OrderStore): Promise<void> {
      for (const outcome of await resumeOrderChanges(changeEnvironment(store))) reportChange(outcome, {});
    }

    /**
     * POs of a supplier deployed on no instance (a typo, a supplier removed after routing): once nobody has taken
     * them for `strandedMinutes`, their lines go to the next supplier of the routing rules, or the order is held in
     * needs_attention with the reason, where the watchdog and the dashboard show it.
     */
    async function failOverStranded(store: OrderStore, suppliers: string[]): Promise<void> {
      const claim = { leaseOwner: claimOwner(actor) };
      const stranded = await store.claimStrandedPurchaseOrders(
        { owner: claim.leaseOwner, now: new Date(), durationMs: leaseMs },
        50,
        suppliers,
        strandedMinutes * 60_000,
      );
      for (const po of stranded) {
        const reason =
          `supplier "${po.supplierId}" is not deployed (no dropship-supplier has this id): ` +
          `nobody sent ${po.number} for ${strandedMinutes} minutes`;
        const outcome = await failOverStrandedPurchaseOrder({ store, actor }, po, claim, reason);
        await follow(store, outcome, { topic: 'stranded' });
      }
    }

    /**
     * Picks up retries that fell due, POs whose sender died mid-send (an expired lease) and withdrawals left
     * pending.
     */
    async function sweep(): Promise<void> {
      const suppliers = deployedSupplierIds();
      const store = await storeOf(RED, node, config.store);
      if (suppliers.length > 0) {
        // One claim for the batch: each PO in it is claimed once.
        const claim = { leaseOwner: claimOwner(actor) };
        const due = await store.claimDuePurchaseOrders(
          { owner: claim.leaseOwner, now: new Date(), durationMs: leaseMs },
          50,
          suppliers,
        );
        // Each PO on its own promise: a slow supplier does not hold up the others.
        await Promise.all(due.map((po) => send(store, po, claim, {})));
      }
      await failOverStranded(store, suppliers);
      await resumeWithdrawalsOf(store, suppliers);
      await applyChanges(store);
      await readAcknowledgements(store);
      await reportOverdueAcknowledgements(store);
    }

    /** A deployed supplier whose settings are refused shows at once, naming the field, not at its first PO. */
    function reportSupplierSettings(): void {
      for (const supplierId of deployedSupplierIds()) {
        const problem = deployedSupplier(supplierId)?.settingsError;
        if (problem) showActivity(node, 'failed', problem);
      }
    }

    // The first sweep resumes on start-up, once the supplier config nodes of this deploy have registered.
    let started = false;
    startSweep(node, {
      name: 'dispatch sweep',
      everyMs: positive(config.sweepSeconds, 10) * 1000,
      firstAfterMs: 500,
      run: async () => {
        if (!started) reportSupplierSettings();
        started = true;
        await sweep();
      },
    });

    onInput(node, async (msg) => {
      if (msg.topic === ORDER_CHANGE_TOPIC) {
        const changeId = Number(msg.changeId);
        if (!Number.isSafeInteger(changeId)) {
          throw new DropshipError('invalid_input', 'an order change message needs msg.changeId', [
            { path: 'msg.changeId', message: 'must be the id of a recorded change' },
          ]);
        }
        const store = await storeOf(RED, node, config.store);
        const outcome = await applyRecordedChange(changeEnvironment(store), changeId);
        // Not free: another worker holds it, or an older change of the order goes first; the sweep follows up.
        if (outcome) reportChange(outcome, msg);
        return;
      }
      const number = requiredMessageString(RED, msg, 'poNumber', 'payload.number');
      const store = await storeOf(RED, node, config.store);
      await claimAndSend(store, number, msg);
    });

    showActivity(node, 'waiting');
  }
  RED.nodes.registerType('dropship-dispatch', DropshipDispatchNode as never);
};
