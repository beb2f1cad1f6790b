/**
 * Child process entry for the accounts benchmark: the emulator playing several Orange apps, driven
 * over IPC, answering per app (token requests, send arrivals and statuses). Out of the measured
 * process, like emulator-process.ts. argv[2]: JSON OrangeSmsEmulatorOptions (with `accounts`).
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
  initialUnits: 1_000_000_000,
  ...options,
});

serve(
  { url: emulator.url, credentials: emulator.credentials },
  {
    reset: () => emulator.reset(),
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
