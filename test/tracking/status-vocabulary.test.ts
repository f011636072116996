import assert from 'node:assert/strict';
import type { TrackingStatus } from '../../core/model/shipment';
import { normaliseTrackingStatus } from '../../core/tracking/status-vocabulary';

describe('normaliseTrackingStatus', () => {
  const carrierCodes: [string, string, TrackingStatus][] = [
    ['ups', 'M', 'info_received'],
    ['ups', 'P', 'in_transit'],
    ['ups', 'I', 'in_transit'],
    ['ups', 'O', 'out_for_delivery'],
    ['ups', 'D', 'delivered'],
    ['ups', 'X', 'exception'],
    ['ups', 'RS', 'returned_to_sender'],
    ['UPSN', 'MV', 'exception'],
    ['fedex', 'OC', 'info_received'],
    ['fedex', 'PU', 'in_transit'],
    ['fedex', 'OD', 'out_for_delivery'],
    ['fedex', 'DL', 'delivered'],
    ['fedex', 'DE', 'exception'],
    ['FDEG', 'HP', 'available_for_pickup'],
    ['fedex', 'RS', 'returned_to_sender'],
    ['usps', '01', 'delivered'],
    ['usps', '02', 'failed_attempt'],
    ['usps', 'MA', 'info_received'],
    ['usps', 'OF', 'out_for_delivery'],
    ['usps', '09', 'returned_to_sender'],
    ['dhl', 'pre-transit', 'info_received'],
    ['dhl', 'transit', 'in_transit'],
    ['dhl', 'delivered', 'delivered'],
    ['dhl', 'failure', 'exception'],
  ];
  for (const [carrier, raw, status] of carrierCodes) {
    it(`${carrier} code ${raw} -> ${status}`, () =>
      assert.equal(normaliseTrackingStatus(raw, carrier), status));
  }

  it('does not read a carrier code without the carrier, where codes collide', () => {
    // "DL" is FedEx delivered; "D" is UPS delivered; alone they mean nothing.
    assert.equal(normaliseTrackingStatus('DL'), undefined);
    assert.equal(normaliseTrackingStatus('D'), undefined);
  });

  const phrases: [string, TrackingStatus][] = [
    ['Shipper created a label, UPS has not received the package yet.', 'info_received'],
    ['Shipment information sent to FedEx', 'info_received'],
    ['Pre-Shipment', 'info_received'],
    ['shipped', 'info_received'],
    ['Label Created', 'info_received'],
    ['Picked up', 'in_transit'],
    ['Departed FedEx location', 'in_transit'],
    ['Arrived at USPS Regional Facility', 'in_transit'],
    ['In Transit', 'in_transit'],
    ['Out For Delivery Today', 'out_for_delivery'],
    ['On FedEx vehicle for delivery', 'out_for_delivery'],
    ['Delivered, In/At Mailbox', 'delivered'],
    ['DELIVERED', 'delivered'],
    ['Delivery Attempted - No Access to Delivery Location', 'failed_attempt'],
    ['Notice Left (No Authorized Recipient Available)', 'failed_attempt'],
    [
      "The receiver was not available for delivery. We'll make a second attempt the next business day.",
      'failed_attempt',
    ],
    ['Delivered to UPS Access Point™ location and awaiting customer pickup', 'available_for_pickup'],
    ['Available for Pickup', 'available_for_pickup'],
    ['Ready for recipient pickup', 'available_for_pickup'],
    ['Return to Sender', 'returned_to_sender'],
    ['Returned to shipper', 'returned_to_sender'],
    ['Delivery exception', 'exception'],
    ['Alert', 'exception'],
    ['Package damaged', 'exception'],
    ['Tracking expired', 'expired'],
    ['out_for_delivery', 'out_for_delivery'],
    ['AVAILABLE-FOR-PICKUP', 'available_for_pickup'],
  ];
  for (const [raw, status] of phrases) {
    it(`"${raw}" -> ${status}`, () => assert.equal(normaliseTrackingStatus(raw), status));
  }

  it('falls back to words when a known carrier sends an unknown code', () => {
    assert.equal(normaliseTrackingStatus('Delivered', 'fedex'), 'delivered');
  });

  it('returns undefined for text it cannot place', () => {
    assert.equal(normaliseTrackingStatus(''), undefined);
    assert.equal(normaliseTrackingStatus('   '), undefined);
    assert.equal(normaliseTrackingStatus('Thank you for your order'), undefined);
  });
});
