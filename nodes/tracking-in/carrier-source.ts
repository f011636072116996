import { systemClock } from '../../core/clock';
import { carrierConnector } from '../../connectors/carriers/registry';
import { deployedCarrier, deployedCarrierCodes } from '../adapter/carrier-registry';
import { isMessageProblem } from '../adapter/input-handler';
import { sendOfNode, type SendFunction } from '../adapter/node-red';
import { pollCarriersOnce, type PollableCarrier } from './carrier-polling';
import type { TrackingInContext } from './context';

/** Carrier polls claimed per round, and how long a claim holds other instances off. */
const CARRIER_BATCH = 50;
const CARRIER_LEASE_MS = 5 * 60_000;

function pollableCarriers(context: TrackingInContext): PollableCarrier[] {
  return deployedCarrierCodes().flatMap((code) => {
    const account = deployedCarrier(code);
    if (!account?.settings) return [];
    return [
      {
        code,
        connector: carrierConnector(code),
        context: {
          settings: account.settings,
          credentials: account.credentials ?? {},
          log: context.log,
          clock: systemClock,
        },
      },
    ];
  });
}

/** The carriers' tracking APIs, asked about the open parcels of every deployed carrier account. */
export function startCarrierPolling(context: TrackingInContext): void {
  const { node, actor } = context;
  const send: SendFunction = sendOfNode(node);
  context.startTimer('carrier polling', async () => {
    const carriers = pollableCarriers(context);
    if (carriers.length === 0) return;
    const store = await context.store();
    await pollCarriersOnce({
      store,
      carriers,
      owner: actor,
      leaseMs: CARRIER_LEASE_MS,
      batchSize: CARRIER_BATCH,
      now: () => new Date(),
      record: async (event) => {
        const result = await store.recordShipmentEvent(event, actor);
        context.announce(result, event, { topic: event.source }, send);
        return result;
      },
      onProblem: (problem, carrier, parcels) => {
        const msg = {
          topic: `carrier:${carrier}`,
          payload: { carrier, trackingNumbers: parcels.map((p) => p.trackingNumber) },
        };
        // A carrier that refuses the numbers: the parcels' problem; one that cannot answer: for Catch nodes.
        if (isMessageProblem(problem)) context.exception(msg, problem, send);
        else {
          context.status.show('retrying', 'carrierUnavailable', { carrier, reason: problem.message });
          node.error(`carrier ${carrier} did not answer: ${problem.message}`, msg);
        }
      },
    });
  });
}
