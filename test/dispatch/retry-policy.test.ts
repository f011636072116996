import assert from 'node:assert/strict';
import { DEFAULT_RETRY_POLICY, retryDelay, type RetryPolicy } from '../../core/dispatch/retry-policy';

const policy: RetryPolicy = { maxAttempts: 8, baseDelayMs: 1_000, maxDelayMs: 60_000 };

describe('retryDelay', () => {
  it('doubles per attempt, with half of the delay fixed and half random', () => {
    for (const [attempt, exponential] of [
      [1, 1_000],
      [2, 2_000],
      [3, 4_000],
      [6, 32_000],
    ] as const) {
      assert.equal(
        retryDelay(attempt, policy, undefined, () => 0),
        exponential / 2,
        `attempt ${attempt} low`,
      );
      assert.equal(
        retryDelay(attempt, policy, undefined, () => 1),
        exponential,
        `attempt ${attempt} high`,
      );
      assert.equal(
        retryDelay(attempt, policy, undefined, () => 0.5),
        (exponential * 3) / 4,
        `attempt ${attempt} mid`,
      );
    }
  });

  it('stays within [delay/2, delay] for any random value', () => {
    let seed = 7;
    const lcg = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 500; i++) {
      const delay = retryDelay(4, policy, undefined, lcg);
      assert.ok(delay >= 4_000 && delay <= 8_000, String(delay));
    }
  });

  it('never waits longer than maxDelayMs on its own, however many attempts', () => {
    assert.equal(
      retryDelay(40, policy, undefined, () => 1),
      60_000,
    );
    assert.equal(
      retryDelay(40, policy, undefined, () => 0),
      30_000,
    );
  });

  it("honours the supplier's Retry-After when it asks for longer, even beyond maxDelayMs", () => {
    assert.equal(
      retryDelay(1, policy, 120_000, () => 1),
      120_000,
    );
    assert.equal(
      retryDelay(1, policy, 90 * 60_000, () => 1),
      90 * 60_000,
    );
    assert.equal(
      retryDelay(5, policy, 200, () => 1),
      16_000,
      'a shorter Retry-After does not shorten the backoff',
    );
  });

  it('treats attempt 0 like the first attempt', () => {
    assert.equal(
      retryDelay(0, policy, undefined, () => 1),
      1_000,
    );
  });

  it('defaults to 8 sends, 5 s base and an hour at most', () => {
    assert.deepEqual(DEFAULT_RETRY_POLICY, { maxAttempts: 8, baseDelayMs: 5_000, maxDelayMs: 3_600_000 });
  });
});
