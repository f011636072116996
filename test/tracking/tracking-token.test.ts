import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { DropshipError } from '../../core/errors';
import type { Order } from '../../core/model/order';
import type { Shipment } from '../../core/model/shipment';
import { DEFAULT_LINK_DAYS, linkExpired } from '../../core/notify/tracking-page-view';
import { createTrackingToken, verifyTrackingToken } from '../../core/tracking-page/tracking-token';

const SECRET = 'k3y-for-tracking-links-2026';

describe('tracking link tokens', () => {
  it('round-trips the order id and is URL-safe', () => {
    const token = createTrackingToken('ord-7f3a', SECRET);
    assert.match(token, /^[A-Za-z0-9_-]+$/);
    assert.equal(verifyTrackingToken(token, SECRET), 'ord-7f3a');
  });

  it('carries nothing readable: the order id is sealed, and two links to one order differ', () => {
    const orderId = 'ord_1m9929ft2nkpbr94qjazzzn7k';
    const token = createTrackingToken(orderId, SECRET);
    const decoded = Buffer.from(token, 'base64url').toString('latin1');
    assert.ok(!decoded.includes(orderId) && !decoded.includes('ord_'), decoded);
    assert.ok(!token.includes(Buffer.from(`{"o":"${orderId}`).toString('base64url').slice(0, 12)));
    assert.notEqual(createTrackingToken(orderId, SECRET), token);
  });

  it('refuses a token sealed with another secret, or with a changed byte', () => {
    const token = createTrackingToken('ord-7f3a', SECRET);
    assert.equal(verifyTrackingToken(token, 'another-secret-of-length'), undefined);
    const bytes = Buffer.from(token, 'base64url');
    for (const at of [0, 14, bytes.length - 1]) {
      const changed = Buffer.from(bytes);
      changed[at] = changed[at]! ^ 1;
      assert.equal(verifyTrackingToken(changed.toString('base64url'), SECRET), undefined, `byte ${at}`);
    }
  });

  it('still opens links signed before links were sealed (order id readable), and refuses a forged one', () => {
    const encoded = Buffer.from(JSON.stringify({ o: 'ord-7f3a' })).toString('base64url');
    const mac = createHmac('sha256', SECRET)
      .update(`dropship-tracking-link:v1:${encoded}`)
      .digest('base64url');
    assert.equal(verifyTrackingToken(`${encoded}.${mac}`, SECRET), 'ord-7f3a');
    const forged = `${Buffer.from(JSON.stringify({ o: 'ord-0000' })).toString('base64url')}.${mac}`;
    assert.equal(verifyTrackingToken(forged, SECRET), undefined);
  });

  it('refuses malformed tokens without throwing', () => {
    for (const bad of ['', 'abc', 'a.b.c', '!!.??', `${createTrackingToken('x', SECRET)}x`, 'e30.AAAA']) {
      assert.equal(verifyTrackingToken(bad, SECRET), undefined, bad);
    }
  });

  it('honours an expiry', () => {
    const token = createTrackingToken('ord-7f3a', SECRET, { expiresAt: new Date('2026-12-01T00:00:00Z') });
    assert.equal(verifyTrackingToken(token, SECRET, new Date('2026-11-30T23:59:00Z')), 'ord-7f3a');
    assert.equal(verifyTrackingToken(token, SECRET, new Date('2026-12-01T00:00:00Z')), undefined);
  });

  it('accepts links signed with an older secret during a rotation', () => {
    const old = createTrackingToken('ord-7f3a', SECRET);
    assert.equal(verifyTrackingToken(old, ['the-new-secret-for-links', SECRET]), 'ord-7f3a');
  });

  it('refuses a secret too short to protect anything', () => {
    assert.throws(
      () => createTrackingToken('ord-7f3a', 'short'),
      (err: unknown) => err instanceof DropshipError && err.code === 'configuration',
    );
  });
});

describe('tracking links expire after the order is closed', () => {
  const DAY = 86_400_000;
  const delivered = new Date('2026-06-01T12:00:00Z');
  const order = (state: Order['state'], updatedAt = delivered.toISOString()) =>
    ({ state, updatedAt }) as Order;
  const parcel = (status: Shipment['status'], occurredAt: string) =>
    ({
      events: [
        { status: 'in_transit', occurredAt: '2026-05-30T00:00:00Z' },
        { status, occurredAt },
      ],
    }) as Shipment;
  const at = (days: number) => new Date(delivered.getTime() + days * DAY);

  it(`keeps working ${DEFAULT_LINK_DAYS} days after the last parcel was delivered, and not a day longer`, () => {
    const shipments = [
      parcel('delivered', '2026-05-31T09:00:00Z'),
      parcel('delivered', delivered.toISOString()),
    ];
    const closed = order('delivered', at(3).toISOString());
    assert.equal(linkExpired(closed, shipments, DEFAULT_LINK_DAYS, at(DEFAULT_LINK_DAYS - 1)), false);
    assert.equal(linkExpired(closed, shipments, DEFAULT_LINK_DAYS, at(DEFAULT_LINK_DAYS + 1)), true);
    assert.equal(linkExpired(closed, shipments, 30, at(31)), true);
  });

  it('never expires while the order is on its way; a cancelled order expires after its cancellation', () => {
    assert.equal(
      linkExpired(order('shipped'), [parcel('in_transit', '2026-05-31T09:00:00Z')], 1, at(900)),
      false,
    );
    assert.equal(linkExpired(order('cancelled'), [], 180, at(179)), false);
    assert.equal(linkExpired(order('cancelled'), [], 180, at(181)), true);
  });
});
