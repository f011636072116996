import assert from 'node:assert/strict';
import { newId } from '../../core/store/ids';

describe('newId', () => {
  it('gives distinct ids of 25 characters from its alphabet, across several pools of random bytes', () => {
    const ids = Array.from({ length: 1_000 }, () => newId('ord'));
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /^ord_[0-9a-hjkmnp-tv-z]{25}$/);
  });

  it('starts with the creation time, so ids sort in the order they were made', () => {
    const times = [0, 1, 31, 32, Date.UTC(2026, 10, 21), Date.UTC(2026, 10, 21) + 1, 2 ** 45 - 1];
    const ids = times.map((t) => newId('ord', t));
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(ids[0]!.slice(4, 13), '000000000');
    assert.equal(ids[3]!.slice(4, 13), '000000010');
    assert.equal(ids[6]!.slice(4, 13), 'zzzzzzzzz');
  });

  it('keeps 80 random bits after the time: ids made in the same millisecond differ', () => {
    const ids = Array.from({ length: 500 }, () => newId('ord', 1_700_000_000_000));
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(new Set(ids.map((id) => id.slice(4, 13))).size, 1);
  });
});
