import assert from 'node:assert/strict';
import { fixedClock } from '../../core/clock';
import { uspsAddressValidator } from '../../connectors/addresses/usps-addresses';
import { sampleOrderDraft } from '../support/orders';
import { startFakeUspsAddresses, type FakeUspsAddresses } from '../fakes/usps-addresses';

describe('USPS Addresses 3.0 address validator', () => {
  let usps: FakeUspsAddresses;
  const log = { debug: () => undefined, info: () => undefined, warn: () => undefined };
  const validator = (secret?: string) =>
    uspsAddressValidator({
      settings: { baseUrl: usps.url },
      credentials: { clientId: usps.clientId, clientSecret: secret ?? usps.clientSecret },
      clock: fixedClock('2026-12-08T00:00:00Z'),
      log,
    });
  const shipTo = sampleOrderDraft().shipTo;
  beforeEach(async () => {
    usps = await startFakeUspsAddresses();
    usps.addAddress({
      streetAddress: '12 Analytical Way',
      city: 'Portland',
      state: 'OR',
      ZIPCode: '97201',
      ZIPPlus4: '1234',
      DPVConfirmation: 'Y',
    });
    usps.addAddress({
      streetAddress: '400 Tower Blvd',
      secondaryAddress: 'APT',
      city: 'Portland',
      state: 'OR',
      ZIPCode: '97204',
      ZIPPlus4: '0001',
      DPVConfirmation: 'Y',
    });
  });
  afterEach(() => usps.close());

  it('confirms a delivery point, fetching one token for several checks', async () => {
    const check = validator();
    assert.deepEqual(await check.verify(shipTo), { deliverable: true });
    assert.deepEqual(await check.verify({ ...shipTo, postalCode: '97201-1234' }), { deliverable: true });
    assert.equal(usps.tokenCalls(), 1);
    const call = usps.requests.find((r) => r.path === '/addresses/v3/address')!;
    assert.equal(call.query.get('streetAddress'), '12 Analytical Way');
    assert.equal(call.query.get('state'), 'OR');
    assert.equal(call.query.get('ZIPCode'), '97201');
  });

  it('says why an address is not deliverable: unknown, or a building without its unit', async () => {
    assert.deepEqual(await validator().verify({ ...shipTo, line1: '1 Nowhere Lane' }), {
      deliverable: false,
      reason: 'Address Not Found.',
    });
    assert.deepEqual(await validator().verify({ ...shipTo, line1: '400 Tower Blvd', postalCode: '97204' }), {
      deliverable: false,
      reason: 'the building is known but the apartment or suite number is missing',
    });
  });

  it('throws on credentials USPS refuses, naming USPS', async () => {
    await assert.rejects(validator('wrong').verify(shipTo), /USPS refused/);
  });
});
