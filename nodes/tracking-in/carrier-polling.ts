import { asDropshipError, type DropshipError } from '../../core/errors';
import type { ShipmentEvent } from '../../core/model/shipment';
import type { OrderStore, ParcelPoll, ShipmentResult } from '../../core/store/order-store';
import { DEFAULT_POLL_POLICY, nextPollAt, type PollPolicy } from '../../core/tracking/poll-schedule';
import {
  CarrierUnavailableError,
  type CarrierConnector,
  type CarrierContext,
  type CarrierTrackingResult,
} from '../../core/ports/carrier-connector';

/** A carrier account ready to be asked: its connector and the context built from its config node. */
export interface PollableCarrier {
  code: string;
  connector: CarrierConnector;
  context: CarrierContext;
}

export interface CarrierPollOptions {
  store: OrderStore;
  carriers: PollableCarrier[];
  /** Who claims the polls (the node), and for how long a claim holds others off. */
  owner: string;
  leaseMs: number;
  /** Parcels asked about per round. */
  batchSize: number;
  policy?: PollPolicy;
  now: () => Date;
  /** Records one carrier event of a parcel (the store deduplicates what the carrier repeats). */
  record: (event: ShipmentEvent & { orderId: string }) => Promise<ShipmentResult>;
  /** A carrier that refused or could not answer, for the exceptions output. */
  onProblem: (problem: DropshipError, carrier: string, parcels: ParcelPoll[]) => void;
}

export interface CarrierPollRound {
  polled: number;
  /** Events the store did not know yet. */
  recorded: ShipmentResult[];
}

/**
 * One round of carrier polling: claims the parcels that are due (open, carried by a deployed account), asks each
 * carrier about its parcels in one call, records what is new, and schedules each parcel's next poll from how
 * long it has been still (core/tracking/poll-schedule), or stops at delivery. A carrier that cannot answer now
 * is asked again after its Retry-After or the usual wait, whichever is longer.
 */
export async function pollCarriersOnce(options: CarrierPollOptions): Promise<CarrierPollRound> {
  const { store } = options;
  const policy = options.policy ?? DEFAULT_POLL_POLICY;
  const byCode = new Map(options.carriers.map((c) => [c.code, c]));
  const claimed = await store.claimParcelPolls(
    [...byCode.keys()],
    { owner: options.owner, now: options.now(), durationMs: options.leaseMs },
    options.batchSize,
  );
  const round: CarrierPollRound = { polled: claimed.length, recorded: [] };
  for (const [code, parcels] of groupByCarrier(claimed)) {
    const carrier = byCode.get(code)!;
    let results: CarrierTrackingResult[];
    try {
      results = await carrier.connector.track(
        parcels.map((p) => p.trackingNumber),
        carrier.context,
      );
    } catch (err) {
      const problem = asDropshipError(err);
      options.onProblem(problem, code, parcels);
      const waitMs = err instanceof CarrierUnavailableError ? (err.retryAfterMs ?? 0) : 0;
      for (const parcel of parcels) {
        const due = nextPollAt(
          { ...parcel, lastMovementAt: parcel.lastEventAt, lastPolledAt: options.now() },
          options.now(),
          policy,
        );
        const later = due && new Date(Math.max(due.getTime(), options.now().getTime() + waitMs));
        await store.recordParcelPoll(parcel.shipmentId, {
          polledAt: options.now(),
          nextPollAt: later,
          error: problem.message,
        });
      }
      continue;
    }
    for (const parcel of parcels) {
      const result = results.find((r) => r.trackingNumber === parcel.trackingNumber);
      if (result && result.unrecognisedStatuses.length > 0)
        carrier.context.log.warn(
          `${code} ${parcel.trackingNumber}: statuses not understood: ${result.unrecognisedStatuses.join(', ')}`,
        );
      let status = parcel.status;
      let lastMovementAt = parcel.lastEventAt;
      for (const event of result?.found ? result.events : []) {
        const recorded = await options.record({
          ...event,
          orderId: parcel.orderId,
          poNumber: parcel.poNumber,
        });
        if (recorded.created) round.recorded.push(recorded);
        status = recorded.shipment.status;
        lastMovementAt = recorded.shipment.lastEventAt;
      }
      await store.recordParcelPoll(parcel.shipmentId, {
        polledAt: options.now(),
        nextPollAt: nextPollAt(
          { trackingNumber: parcel.trackingNumber, status, lastMovementAt, lastPolledAt: options.now() },
          options.now(),
          policy,
        ),
        estimatedDelivery: result?.estimatedDelivery,
        error: result && !result.found ? (result.message ?? 'not found by the carrier yet') : undefined,
      });
    }
  }
  return round;
}

function groupByCarrier(parcels: ParcelPoll[]): Map<string, ParcelPoll[]> {
  const groups = new Map<string, ParcelPoll[]>();
  for (const parcel of parcels) groups.set(parcel.carrier, [...(groups.get(parcel.carrier) ?? []), parcel]);
  return groups;
}
