import assert from 'node:assert/strict';
import type { Shipment, TrackingEventRecord } from '../../core/model/shipment';
import { labelWithoutCarrierScan } from '../../core/tracking/label-without-scan';

function shipment(events: TrackingEventRecord[]): Shipment {
  const latest = events[events.length - 1]!;
  return {
    id: 1,
    orderId: 'ord-1',
    trackingNumber: '1Z5R89390357567127',
    carrier: 'ups',
    status: latest.status,
    lastEventAt: latest.occurredAt,
    events,
  };
}

const now = new Date('2026-11-24T12:00:00Z');

describe('labelWithoutCarrierScan', () => {
  it('flags a parcel that is only a label after the threshold', () => {
    const flagged = labelWithoutCarrierScan(
      shipment([
        {
          status: 'info_received',
          occurredAt: '2026-11-22T09:00:00Z',
          source: 'supplier-webhook',
          rawStatus: 'shipped',
        },
        {
          status: 'info_received',
          occurredAt: '2026-11-22T10:00:00Z',
          source: 'carrier:ups',
          rawStatus: 'M',
        },
      ]),
      now,
      48,
    );
    assert.deepEqual(flagged, {
      trackingNumber: '1Z5R89390357567127',
      reportedAt: '2026-11-22T09:00:00.000Z',
      hoursWithoutScan: 51,
    });
  });

  it('does not flag it before the threshold', () => {
    const young = shipment([
      { status: 'info_received', occurredAt: '2026-11-23T13:00:00Z', source: 'email' },
    ]);
    assert.equal(labelWithoutCarrierScan(young, now, 24), undefined);
  });

  it('does not flag a parcel the carrier has scanned', () => {
    const scanned = shipment([
      { status: 'info_received', occurredAt: '2026-11-20T09:00:00Z', source: 'email' },
      { status: 'in_transit', occurredAt: '2026-11-20T18:00:00Z', source: 'carrier:ups' },
    ]);
    assert.equal(labelWithoutCarrierScan(scanned, now, 24), undefined);
  });

  it('does not flag a parcel whose label was voided (an exception, not a wait)', () => {
    const voided = shipment([
      { status: 'info_received', occurredAt: '2026-11-20T09:00:00Z', source: 'carrier:ups' },
      { status: 'exception', occurredAt: '2026-11-20T10:00:00Z', source: 'carrier:ups', rawStatus: 'MV' },
    ]);
    assert.equal(labelWithoutCarrierScan(voided, now, 24), undefined);
  });
});
