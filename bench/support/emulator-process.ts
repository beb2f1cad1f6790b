/**
 * Child process entry: the Orange SMS emulator on 127.0.0.1, driven over IPC. Keeping it out of the
 * measured process means its CPU and its recorded requests never count as the client's.
 * argv[2]: JSON OrangeSmsEmulatorOptions (with `accounts` for the several-apps benchmark).
 */
import { OrangeSmsEmulator, type OrangeSmsEmulatorOptions } from 'orange-sms-emulator';
import { serve } from './ipc.js';

/** What the emulator saw of one app since the last reset. */
export interface AppTraffic {
  tokenRequests: number;
  /** Send requests attributed to the app: arrival (ms since epoch) and the status answered. */
  sends: Array<{ at: number; status: number }>;
}

/** Per app name, plus what no app could be charged with (sends refused before authentication). */
export interface EmulatorTraffic {
  apps: Record<string, AppTraffic>;
  /** All token requests, whichever app (or none) they named. */
  tokenRequests: number;
  unattributed: AppTraffic['sends'];
}

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
    /** Per app: token requests and sends (arrival, status) since the last reset. */
    traffic: (): EmulatorTraffic => {
      const apps: Record<string, AppTraffic> = {};
      for (const app of emulator.accounts) apps[app.name] = { tokenRequests: app.tokenRequests(), sends: [] };
      const unattributed: AppTraffic['sends'] = [];
      for (const request of emulator.requests) {
        if (request.kind !== 'send') continue;
        const send = { at: request.at.getTime(), status: request.status };
        (apps[request.account ?? '']?.sends ?? unattributed).push(send);
      }
      return { apps, tokenRequests: emulator.tokenRequests(), unattributed };
    },
    stop: () => emulator.stop(),
  },
);
