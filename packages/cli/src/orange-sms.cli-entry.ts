import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** True when the module at `moduleUrl` is the process entry (npm bins are symlinks, hence realpath). */
export function isEntryPoint(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return moduleUrl === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

/**
 * The message for a bin started without nestjs-orange-sms, which every command runs on: the host
 * installs it next to orange-sms-cli (an optional peer, so this repository's workspace never asks the
 * registry for the package it is). Undefined for any other error.
 */
export function missingCoreMessage(error: unknown): string | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code !== 'ERR_MODULE_NOT_FOUND' || typeof message !== 'string') return undefined;
  if (!/(^|\W)'nestjs-orange-sms(\/[^']*)?'/.test(message)) return undefined;
  return (
    'orange-sms: the package nestjs-orange-sms is not installed; orange-sms-cli runs on it.\n' +
    'Install both: npm install -D nestjs-orange-sms orange-sms-cli\n'
  );
}
