import assert from 'node:assert/strict';
import { durationText } from '../../core/clock';

const HOUR = 3_600_000;

describe('durationText', () => {
  it('words a duration in days and hours, as the watchdog tells it', () => {
    assert.equal(durationText(15215.3 * HOUR), '633 days 23 hours');
    assert.equal(durationText(76 * HOUR), '3 days 4 hours');
    assert.equal(durationText(72 * HOUR), '3 days');
    assert.equal(durationText(25 * HOUR), '1 day 1 hour');
    assert.equal(durationText(5.4 * HOUR), '5 hours');
    assert.equal(durationText(1 * HOUR), '1 hour');
    assert.equal(durationText(20 * 60_000), '20 minutes');
    assert.equal(durationText(0), 'less than a minute');
  });
});
