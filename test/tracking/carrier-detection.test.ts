import assert from 'node:assert/strict';
import { carrierFromDeclaration, detectCarrier, trackingUrlFor } from '../../core/tracking/carrier-detection';

describe('detectCarrier', () => {
  // Real-format numbers (check digits computed per each carrier's published algorithm).
  const byNumber: [string, string, 'checksum' | 'pattern'][] = [
    ['1Z5R89390357567127', 'ups', 'checksum'],
    ['1Z 879E 930 3468 3444 0', 'ups', 'checksum'],
    ['K1506235620', 'ups', 'checksum'],
    ['986578788855', 'fedex', 'checksum'],
    ['477179081230', 'fedex', 'checksum'],
    ['0414 4176 0228 964', 'fedex', 'checksum'],
    ['9611020987654312345672', 'fedex', 'checksum'],
    ['9400111202555842332669', 'usps', 'checksum'],
    ['0307 1790 0005 2348 3741', 'usps', 'checksum'],
    ['RB123456785US', 'usps', 'checksum'],
    ['3318810025', 'dhl', 'checksum'],
    ['73891051146', 'dhl', 'checksum'],
    ['JJD0099999999', 'dhl', 'pattern'],
    ['GM2951173225174494', 'dhl', 'pattern'],
  ];
  for (const [number, carrier, confidence] of byNumber) {
    it(`recognises ${number} as ${carrier} (${confidence})`, () => {
      const match = detectCarrier(number);
      assert.equal(match?.carrier, carrier);
      assert.equal(match?.confidence, confidence);
    });
  }

  const badCheckDigits = [
    '1Z5R89390357567128', // UPS, last digit off by one
    '986578788856', // FedEx Express 12
    '9400111202555842332668', // USPS IMpb
    '0307 1790 0005 2348 3742', // USPS 20
    '3318810010', // DHL Express mod 7
    'RB123456786US', // S10
  ];
  for (const number of badCheckDigits) {
    it(`rejects ${number}: right shape, wrong check digit`, () => {
      assert.equal(detectCarrier(number), undefined);
    });
  }

  it('rejects text that is no tracking number at all', () => {
    assert.equal(detectCarrier('hello'), undefined);
    assert.equal(detectCarrier(''), undefined);
    assert.equal(detectCarrier('ORDER-1001'), undefined);
  });

  it('lets the declared SCAC decide a number two carriers share', () => {
    // FedEx Ground Economy (SmartPost) numbers are USPS IMpb numbers too.
    const shared = '9261292700768711948021';
    assert.equal(detectCarrier(shared)?.confidence, 'checksum');
    assert.deepEqual(
      [
        detectCarrier(shared, 'USPS')?.carrier,
        detectCarrier(shared, 'FXSP')?.carrier,
        detectCarrier(shared, 'FDEG')?.carrier,
      ],
      ['usps', 'fedex', 'fedex'],
    );
    assert.equal(detectCarrier(shared, 'USPS')?.confidence, 'declared');
  });

  it('trusts the declaration for numbers in formats it does not know', () => {
    const match = detectCarrier('ABCD12345678', 'UPSN');
    assert.deepEqual(match, {
      carrier: 'ups',
      name: 'UPS',
      trackingUrl: 'https://www.ups.com/track?tracknum=ABCD12345678',
      confidence: 'declared',
    });
  });

  it('prefers a check digit that proves one other carrier over a mistyped declaration', () => {
    const match = detectCarrier('1Z5R89390357567127', 'FedEx Ground');
    assert.equal(match?.carrier, 'ups');
    assert.equal(match?.confidence, 'checksum');
  });

  it('refuses a number in the declared carrier format whose check digit is wrong', () => {
    assert.equal(detectCarrier('1Z5R89390357567128', 'UPSN'), undefined);
  });

  it('builds links to each carrier public tracking page without spaces', () => {
    assert.equal(
      detectCarrier('0414 4176 0228 964')?.trackingUrl,
      'https://www.fedex.com/fedextrack/?trknbr=041441760228964',
    );
    assert.equal(
      trackingUrlFor('usps', '9400 1112 0255 5842 3326 69'),
      'https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111202555842332669',
    );
    assert.match(trackingUrlFor('dhl', '3318810025'), /^https:\/\/www\.dhl\.com\/.*tracking-id=3318810025/);
  });
});

describe('carrierFromDeclaration', () => {
  const table: [string, string | undefined][] = [
    ['UPSN', 'ups'],
    ['ups', 'ups'],
    ['UPS Ground', 'ups'],
    ['United Parcel Service', 'ups'],
    ['FDEG', 'fedex'],
    ['FDE', 'fedex'],
    ['FDEN', 'fedex'],
    ['FXFE', 'fedex'],
    ['FedEx 2Day', 'fedex'],
    ['Federal Express', 'fedex'],
    ['USPS', 'usps'],
    ['U.S. Postal Service', 'usps'],
    ['USPS Priority Mail', 'usps'],
    ['DHL', 'dhl'],
    ['DHLC', 'dhl'],
    ['DHL Express Worldwide', 'dhl'],
    ['ODFL', undefined],
    ['', undefined],
    [undefined as unknown as string, undefined],
  ];
  for (const [declared, carrier] of table) {
    it(`${JSON.stringify(declared)} -> ${carrier ?? 'unknown'}`, () =>
      assert.equal(carrierFromDeclaration(declared), carrier));
  }
});
