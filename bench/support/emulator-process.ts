/**
 * Child process entry: the Orange SMS emulator on 127.0.0.1, driven over IPC. Keeping it out of the
 * measured process means its CPU and its recorded requests never count as the client's.
 * argv[2]: JSON OrangeSmsEmulatorOptions.
 */
import { OrangeSmsEmulator, type OrangeSmsEmulatorOptions } from 'orange-sms-emulator';
import { serve } from './ipc.js';

const options = JSON.parse(process.argv[2] ?? '{}') as OrangeSmsEmulatorOptions;
const emulator = await OrangeSmsEmulator.start({
  host: '127.0.0.1',
  port: 0,
  // Enough units that no benchmark ever runs the contract dry.
  initialUnits: 1_000_000_000,
  ...options,
});

serve(
  { url: emulator.url, credentials: emulator.credentials },
  {
    reset: () => emulator.reset(),
    tokenRequests: () => emulator.tokenRequests(),
    counts: () => ({
      requests: emulator.requests.length,
      sends: emulator.requests.filter((request) => request.kind === 'send').length,
      messages: emulator.messages.length,
      tokenRequests: emulator.tokenRequests(),
    }),
    /** Arrival times (ms since epoch) and statuses of the sends received since the last reset. */
    sends: () =>
      emulator.requests
        .filter((request) => request.kind === 'send')
        .map((request) => ({ at: request.at.getTime(), status: request.status })),
    rss: () => process.memoryUsage().rss,
    stop: () => emulator.stop(),
  },
);
