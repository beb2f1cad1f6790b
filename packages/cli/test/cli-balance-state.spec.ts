/**
 * `orange-sms balance` with an EXPIRED contract that still shows units (the recorded shape, §12):
 * the STATE column says so, and its units stand apart from the spendable total.
 */
import { emulatorCliEnv, runCli } from './support/cli-run.js';
import { OrangeSmsEmulator } from 'orange-sms-emulator';

let emulator: OrangeSmsEmulator;

beforeAll(async () => {
  emulator = await OrangeSmsEmulator.start({ inbox: false });
});
afterAll(async () => {
  await emulator?.stop();
});

function contract(fields: {
  id: string;
  country: string;
  status: string;
  availableUnits: number;
  expirationDate: string;
}) {
  return {
    type: 'SELFSERVICE',
    developerId: 'dev@example.com',
    applicationId: null,
    offerName: 'SMS_OCB',
    requestedUnits: 200,
    creationDate: '2023-08-26T10:00:00.000Z',
    lastUpdateDate: '2023-09-25T23:59:59.000Z',
    ...fields,
  };
}

function balance(args: string[] = []) {
  return runCli(['balance', ...args], emulatorCliEnv(emulator, { ORANGE_SMS_COUNTRY: undefined }));
}

const EXPIRED_WITH_UNITS = contract({
  id: 'contract-civ-expired',
  country: 'CIV',
  status: 'EXPIRED',
  availableUnits: 169,
  expirationDate: '2023-09-25T23:59:59.000Z',
});
const ACTIVE = contract({
  id: 'contract-sen-active',
  country: 'SEN',
  status: 'ACTIVE',
  availableUnits: 50,
  expirationDate: '2099-01-31T23:59:59.000Z',
});

it('an EXPIRED contract with units: state expired, its units not in the total but on their own line', async () => {
  emulator.failNext({ match: 'admin', status: 200, body: [EXPIRED_WITH_UNITS, ACTIVE] });
  const { code, out, err } = await balance();
  expect({ code, err }).toEqual({ code: 0, err: '' });
  expect(out).toMatch(/^COUNTRY\s+OFFER\s+STATE\s+AVAILABLE\s+EXPIRES\s+CONTRACT$/m);
  expect(out).toMatch(/^CIV\s+SMS_OCB\s+expired\s+169\s+2023-09-25 23:59 UTC\s+contract-civ-expired$/m);
  expect(out).toMatch(/^SEN\s+SMS_OCB\s+active\s+50\s+2099-01-31 23:59 UTC\s+contract-sen-active$/m);
  expect(out).toMatch(/^Total: 50 units available$/m);
  expect(out).toMatch(/^Not spendable: 169 units on expired or inactive contracts \(not in the total\)$/m);
});

it('--json carries each state and both figures', async () => {
  emulator.failNext({ match: 'admin', status: 200, body: [EXPIRED_WITH_UNITS, ACTIVE] });
  const { code, out } = await balance(['--json']);
  expect(code).toBe(0);
  expect(JSON.parse(out)).toMatchObject({
    availableUnits: 50,
    unspendableUnits: 169,
    contracts: [
      { id: 'contract-civ-expired', state: 'expired', availableUnits: 169 },
      { id: 'contract-sen-active', state: 'active', availableUnits: 50 },
    ],
  });
});

it('only active contracts: no "Not spendable" line', async () => {
  const { code, out } = await balance();
  expect(code).toBe(0);
  expect(out).toMatch(/^CIV\s+SMS_OCB\s+active\s+1000\s/m);
  expect(out).not.toContain('Not spendable');
});
