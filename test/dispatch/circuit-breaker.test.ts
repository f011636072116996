import assert from 'node:assert/strict';
import { CircuitBreaker } from '../../core/dispatch/circuit-breaker';

const t0 = new Date('2026-11-21T08:00:00.000Z');
const at = (ms: number): Date => new Date(t0.getTime() + ms);

describe('CircuitBreaker', () => {
  it('stays closed below the threshold, and a success resets the count', () => {
    const breaker = new CircuitBreaker(3, 10_000);
    breaker.recordFailure(t0);
    breaker.recordFailure(t0);
    breaker.recordSuccess();
    breaker.recordFailure(t0);
    breaker.recordFailure(t0);
    assert.equal(breaker.stateAt(t0), 'closed');
    assert.deepEqual(breaker.admit(t0), { allowed: true });
  });

  it('opens on the Nth failure in a row and refuses sends until the cooldown ends', () => {
    const breaker = new CircuitBreaker(3, 10_000);
    for (let i = 0; i < 3; i++) breaker.recordFailure(t0);
    assert.equal(breaker.stateAt(at(1)), 'open');
    assert.deepEqual(breaker.admit(at(1)), { allowed: false, retryAt: at(10_000) });
    // Never sooner than a second from now, so deferred POs do not spin.
    assert.deepEqual(breaker.admit(at(9_999)), { allowed: false, retryAt: at(10_999) });
  });

  it('lets exactly one probe through when half-open; others wait a second at a time', () => {
    const breaker = new CircuitBreaker(2, 10_000);
    breaker.recordFailure(t0);
    breaker.recordFailure(t0);
    assert.equal(breaker.stateAt(at(10_000)), 'half-open');
    assert.deepEqual(breaker.admit(at(10_000)), { allowed: true });
    assert.deepEqual(breaker.admit(at(10_001)), { allowed: false, retryAt: at(11_001) });
    assert.equal(breaker.stateAt(at(10_001)), 'half-open');
  });

  it('closes when the probe succeeds', () => {
    const breaker = new CircuitBreaker(2, 10_000);
    breaker.recordFailure(t0);
    breaker.recordFailure(t0);
    breaker.admit(at(10_000));
    breaker.recordSuccess();
    assert.equal(breaker.stateAt(at(10_001)), 'closed');
    assert.deepEqual(breaker.admit(at(10_001)), { allowed: true });
    assert.deepEqual(breaker.admit(at(10_001)), { allowed: true });
  });

  it('opens again for a full cooldown when the probe fails', () => {
    const breaker = new CircuitBreaker(2, 10_000);
    breaker.recordFailure(t0);
    breaker.recordFailure(t0);
    breaker.admit(at(10_000));
    breaker.recordFailure(at(10_500));
    assert.equal(breaker.stateAt(at(10_600)), 'open');
    assert.deepEqual(breaker.admit(at(10_600)), { allowed: false, retryAt: at(20_500) });
    assert.deepEqual(breaker.admit(at(20_500)), { allowed: true });
  });
});
