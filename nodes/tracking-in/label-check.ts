import { durationText } from '../../core/clock';
import type { Shipment } from '../../core/model/shipment';
import type { OrderStore } from '../../core/store/order-store';
import { labelWithoutCarrierScan, type LabelWithoutScan } from '../../core/tracking/label-without-scan';

export interface FlaggedLabel {
  shipment: Shipment;
  label: LabelWithoutScan;
}

/** Order event type written when a parcel is flagged as a label the carrier never scanned. */
export const LABEL_WITHOUT_SCAN_EVENT = 'shipment.label_without_scan';

/**
 * Flags every parcel that is still only a label `thresholdHours` after it was first reported: once per parcel
 * (the store's flag is a compare-and-set, so two instances never both report it), with an order event naming
 * the parcel and how long it has waited.
 */
export async function flagLabelsWithoutScan(
  store: OrderStore,
  thresholdHours: number,
  now: Date,
  actor: string,
): Promise<FlaggedLabel[]> {
  const before = new Date(now.getTime() - thresholdHours * 3_600_000);
  const flagged: FlaggedLabel[] = [];
  for (const shipment of await store.listLabelsWithoutScan(before, 200)) {
    const label = labelWithoutCarrierScan(shipment, now, thresholdHours);
    if (!label) continue;
    const first = await store.flagLabelWithoutScan(shipment.id, {
      type: LABEL_WITHOUT_SCAN_EVENT,
      actor,
      poNumber: shipment.poNumber,
      reason: `label created ${durationText(label.hoursWithoutScan * 3_600_000)} ago and never scanned by the carrier`,
      data: { ...label, carrier: shipment.carrier },
    });
    if (first) flagged.push({ shipment, label });
  }
  return flagged;
}
