import assert from 'node:assert/strict';
import { DEFAULT_POLL_POLICY, nextPollAt, type PolledParcel } from '../../core/tracking/poll-schedule';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const now = new Date('2026-11-24T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);

function parcel(overrides: Partial<PolledParcel>): PolledParcel {
  return { trackingNumber: '1Z5R89390357567127', status: 'in_transit', lastMovementAt: now, ...overrides };
}

/** The wait chosen after a poll made just now, without the per-number spread. */
function waitAfterPollNow(p: PolledParcel): number {
  const at = nextPollAt({ ...p, lastPolledAt: now }, now);
  assert.ok(at);
  return at.getTime() - now.getTime();
}

describe('nextPollAt', () => {
  it('polls a parcel never asked about at once', () => {
    assert.deepEqual(nextPollAt(parcel({ lastPolledAt: undefined }), now), now);
  });

  it('stops at delivery and at the other final statuses', () => {
    for (const status of ['delivered', 'returned_to_sender', 'expired'] as const) {
      assert.equal(nextPollAt(parcel({ status, lastPolledAt: ago(HOUR) }), now), undefined, status);
    }
  });

  it('backs off as a parcel stays still, within the minimum and maximum wait', () => {
    const stillFor = [0, 2 * HOUR, 8 * HOUR, 24 * HOUR, 5 * 24 * HOUR];
    const waits = stillFor.map((ms) => waitAfterPollNow(parcel({ lastMovementAt: ago(ms) })));
    for (let i = 1; i < waits.length; i++)
      assert.ok(waits[i]! >= waits[i - 1]!, `wait ${i} shorter than ${i - 1}`);
    const spread = 1.1;
    assert.ok(
      waits[0]! >= DEFAULT_POLL_POLICY.minIntervalMs &&
        waits[0]! < DEFAULT_POLL_POLICY.minIntervalMs * spread,
    );
    assert.ok(waits[2]! >= 2 * HOUR && waits[2]! < 2 * HOUR * spread, 'a quarter of 8 h still');
    assert.ok(
      waits[4]! >= DEFAULT_POLL_POLICY.maxIntervalMs &&
        waits[4]! < DEFAULT_POLL_POLICY.maxIntervalMs * spread,
    );
  });

  it('keeps polling often while the parcel is out for delivery', () => {
    const wait = waitAfterPollNow(parcel({ status: 'out_for_delivery', lastMovementAt: ago(10 * HOUR) }));
    assert.ok(wait <= DEFAULT_POLL_POLICY.outForDeliveryIntervalMs * 1.1);
  });

  it('gives up on a parcel still for longer than the limit', () => {
    const stale = parcel({ lastMovementAt: ago(DEFAULT_POLL_POLICY.giveUpAfterMs), lastPolledAt: ago(HOUR) });
    assert.equal(nextPollAt(stale, now), undefined);
  });

  it('makes an overdue poll due now, not in the past', () => {
    const overdue = parcel({ lastMovementAt: ago(HOUR), lastPolledAt: ago(6 * HOUR) });
    assert.deepEqual(nextPollAt(overdue, now), now);
  });

  it('spreads parcels registered together, the same way for the same number every time', () => {
    const at = (trackingNumber: string) =>
      nextPollAt(
        parcel({ trackingNumber, lastMovementAt: ago(8 * HOUR), lastPolledAt: now }),
        now,
      )!.getTime();
    const numbers = [
      '1Z5R89390357567127',
      '1Z879E930346834440',
      '1Z410E7W0392751591',
      '9400111202555842332669',
    ];
    assert.ok(new Set(numbers.map(at)).size > 1);
    assert.equal(at(numbers[0]!), at(numbers[0]!));
  });
});
