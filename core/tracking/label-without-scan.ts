import type { Shipment } from '../model/shipment';

export interface LabelWithoutScan {
  trackingNumber: string;
  /** When the parcel was first reported: label created, or the supplier said "shipped". */
  reportedAt: string;
  hoursWithoutScan: number;
}

/**
 * A parcel that is only a label: every report about it is "info received" (a label printed, a supplier's "shipped")
 * and the first is more than `thresholdHours` old, so the carrier has never scanned it. Suppliers that upload
 * tracking before handing the parcel over make their ship times look better than they are; this finds them.
 * Undefined when the parcel was scanned or is not yet overdue.
 */
export function labelWithoutCarrierScan(
  shipment: Shipment,
  now: Date,
  thresholdHours: number,
): LabelWithoutScan | undefined {
  if (shipment.status !== 'info_received') return undefined;
  if (shipment.events.some((event) => event.status !== 'info_received')) return undefined;
  const times = shipment.events.map((event) => Date.parse(event.occurredAt)).filter((t) => !Number.isNaN(t));
  const reportedMs = times.length > 0 ? Math.min(...times) : Date.parse(shipment.lastEventAt);
  if (Number.isNaN(reportedMs)) return undefined;
  const hoursWithoutScan = (now.getTime() - reportedMs) / 3_600_000;
  if (hoursWithoutScan < thresholdHours) return undefined;
  return {
    trackingNumber: shipment.trackingNumber,
    reportedAt: new Date(reportedMs).toISOString(),
    hoursWithoutScan: Math.floor(hoursWithoutScan * 10) / 10,
  };
}
