import type { OrangeSmsEmulatorCredentials, OrangeSmsEmulatorOptions } from 'orange-sms-emulator';
import { type ChildHandle, startChild } from './ipc.js';

export interface EmulatorReady {
  url: string;
  credentials: OrangeSmsEmulatorCredentials;
}

export type EmulatorProcess = ChildHandle<EmulatorReady>;

/** Starts the emulator in its own process (see emulator-process.ts). */
export function startEmulatorProcess(options: OrangeSmsEmulatorOptions = {}): Promise<EmulatorProcess> {
  return startChild<EmulatorReady>(new URL('./emulator-process.js', import.meta.url), {
    args: [JSON.stringify(options)],
  });
}
