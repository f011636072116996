import { asDropshipError } from '../../core/errors';
import {
  supplierControlLimitAlerts,
  CONTROLLED_FIGURES,
  type ControlledFigure,
} from '../../core/metrics/control-limits';
import { computeMetrics, type MetricsReport } from '../../core/metrics/kpis';
import { oversellRates, type OversellRate } from '../../core/metrics/oversell-rates';
import type { MetricDimension, MetricsQuery } from '../../core/metrics/metric-facts';
import { metricsQueryFrom } from '../../core/metrics/metrics-query';
import { ORDER_STATES } from '../../core/model/order';
import type { OrderStore } from '../../core/store/order-store';
import type { PortalStore } from '../../core/store/portal-store';
import { mountEndpoint } from '../adapter/http-endpoint';
import { onInput } from '../adapter/input-handler';
import {
  sendOfNode,
  type Node,
  type NodeAPI,
  type NodeDef,
  type NodeMessage,
  type SendFunction,
} from '../adapter/node-red';
import { nodeStatus } from '../adapter/status';
import { storeOf, type StoreConfigNode } from '../adapter/store-access';
import { startSweep } from '../adapter/sweep';
import { storeApiGuard } from '../store/order-api';
import { configuredSupplierIds } from '../adapter/supplier-registry';

interface MetricsNodeDef extends NodeDef {
  store: string;
  windowDays: number | string;
  groupBy: string;
  intervalSeconds: number | string;
  controlFigure: string;
  controlDays: number | string;
  controlBaselineDays: number | string;
  listen: boolean;
}

/** How many orders are in each state now: the dashboard's "orders by state". */
async function ordersByState(store: OrderStore): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const state of ORDER_STATES)
    counts[state] = (await store.listOrders({ states: [state], limit: 10_000 })).length;
  return counts;
}

/** One thing a supplier (or an operator for it) did in the supplier portal, for the dashboard: no customer data. */
interface PortalActivity {
  at: string;
  supplierId: string;
  kind: string;
  poNumber?: string;
  actor: string;
}

/** The supplier portal's latest activity, newest first (core/store/portal-store.ts). */
async function portalActivity(store: PortalStore): Promise<PortalActivity[]> {
  return (await store.listActions({ limit: 20 })).map((action) => ({
    at: action.createdAt,
    supplierId: action.supplierId,
    kind: action.kind,
    poNumber: action.poNumber,
    actor: action.actor,
  }));
}

export = function registerMetricsNode(RED: NodeAPI): void {
  function DropshipMetricsNode(this: Node, config: MetricsNodeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const status = nodeStatus(RED, node);
    const defaults = {
      windowDays: Number(config.windowDays) > 0 ? Number(config.windowDays) : 30,
      groupBy: (config.groupBy || 'supplier').split(',').filter(Boolean) as MetricDimension[],
    };
    const figure = (config.controlFigure || 'errorRate') as ControlledFigure;

    /**
     * A query grouped by supplier covers the configured suppliers only: a PO left on an id no dropship-supplier
     * has (a typo, a supplier removed) is never shown as a supplier; the other groupings still count it.
     */
    function configuredSuppliersOnly(query: MetricsQuery): MetricsQuery {
      if (!query.groupBy.includes('supplier')) return query;
      const configured = configuredSupplierIds(RED);
      return {
        ...query,
        supplierIds: (query.supplierIds ?? [...configured]).filter((id) => configured.has(id)),
      };
    }

    async function report(input: Record<string, unknown>): Promise<
      MetricsReport & {
        ordersByState: Record<string, number>;
        oversell: OversellRate[];
        portalActivity: PortalActivity[];
      }
    > {
      const store = await storeOf(RED, node, config.store);
      const now = new Date();
      const query = configuredSuppliersOnly(metricsQueryFrom(input, defaults, now));
      const metrics = await computeMetrics(store, query);
      return {
        ...metrics,
        ordersByState: await ordersByState(store),
        // Orders that came in for a variant the shop was to show as 0 (storefront sync's oversell guard).
        oversell: oversellRates(await store.oversellCounts(query.from, query.to)),
        portalActivity: await portalActivity(store),
      };
    }

    /** Computes the figures for `msg` and sends them (with any control-limit alerts) through `send`. */
    async function emit(msg: NodeMessage, send: SendFunction): Promise<void> {
      const input =
        typeof msg.payload === 'object' && msg.payload !== null
          ? (msg.payload as Record<string, unknown>)
          : {};
      const metrics = await report(input);
      send([{ ...msg, topic: 'metrics', payload: metrics }, null]);
      if (figure in CONTROLLED_FIGURES) {
        const alerts = await supplierControlLimitAlerts(
          await storeOf(RED, node, config.store),
          {
            figure,
            consecutiveDays: Number(config.controlDays) || 3,
            baselineDays: Number(config.controlBaselineDays) || 28,
            sigmas: 3,
          },
          new Date(),
        );
        const configured = configuredSupplierIds(RED);
        for (const alert of alerts.filter((a) => configured.has(a.supplierId)))
          send([null, { topic: 'control_limit', payload: alert }]);
      }
      status.show('accepted', 'figures', {
        by: metrics.groupBy.join(', '),
        time: metrics.generatedAt.slice(11, 19),
        rows: metrics.groups.length,
      });
    }

    if (config.listen !== false) {
      mountEndpoint(
        RED,
        node,
        'get',
        '/dropship/api/metrics',
        async (req) => {
          try {
            return { status: 200, body: await report(req.query) };
          } catch (err) {
            const error = asDropshipError(err);
            return { status: error.code === 'invalid_input' ? 400 : 500, body: { error: error.toJSON() } };
          }
        },
        {
          guard: storeApiGuard(
            RED,
            () => (RED.nodes.getNode(config.store) as StoreConfigNode | null) ?? undefined,
          ),
        },
      );
    }

    onInput(node, async (msg, send) => {
      // No exceptions output (the second carries alerts): a bad query and a failing store alike go to Catch.
      try {
        await emit(msg, send);
      } catch (err) {
        status.show('failed', 'shared.refused', { reason: asDropshipError(err).message });
        throw err;
      }
    });
    const seconds = Number(config.intervalSeconds);
    if (seconds > 0) {
      startSweep(RED, node, {
        name: 'metrics',
        everyMs: seconds * 1000,
        firstAfterMs: seconds * 1000,
        run: () => emit({}, sendOfNode(node)),
      });
    }
    status.show('waiting');
  }
  RED.nodes.registerType('dropship-metrics', DropshipMetricsNode as never);
};
