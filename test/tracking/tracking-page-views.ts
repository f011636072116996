import type { TrackingPageView } from '../../core/tracking-page/tracking-page';

/** An order split between two suppliers: one parcel out for delivery, one label only, one item still to ship. */
export function splitOrderView(): TrackingPageView {
  return {
    orderNumber: '#1001',
    placedAt: '2026-11-20T18:00:00Z',
    parcels: [
      {
        trackingNumber: '1Z5R89390357567127',
        carrier: 'UPSN',
        trackingUrl: 'https://www.ups.com/track?tracknum=1Z5R89390357567127',
        status: 'out_for_delivery',
        updatedAt: '2026-11-27T15:20:00Z',
        estimatedDelivery: '2026-11-27T12:00:00Z',
        items: [{ title: 'Ceramic mug', quantity: 2 }],
        events: [
          { status: 'info_received', occurredAt: '2026-11-24T14:13:58Z' },
          { status: 'in_transit', occurredAt: '2026-11-24T21:05:00Z', location: 'Portland, OR, US' },
          { status: 'out_for_delivery', occurredAt: '2026-11-27T15:20:00Z', location: 'Reno, NV, US' },
        ],
      },
      {
        trackingNumber: '9400111202555842332669',
        carrier: 'usps',
        trackingUrl: 'https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111202555842332669',
        status: 'info_received',
        updatedAt: '2026-11-25T16:30:00Z',
        items: [{ title: 'T-shirt', quantity: 1 }],
      },
    ],
    awaiting: [{ title: 'Desk lamp', quantity: 1 }],
  };
}
