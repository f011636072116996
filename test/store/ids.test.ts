import assert from 'node:assert/strict';
import { newId } from '../../core/store/ids';

describe('newId', () => {
  it('gives distinct ids of 16 characters from its alphabet, across several pools of random bytes', () => {
    const ids = Array.from({ length: 1_000 }, () => newId('ord'));
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /^ord_[0-9a-hjkmnp-tv-z]{16}$/);
  });
});
