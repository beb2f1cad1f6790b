// npm workspaces link packages/* into node_modules but never the root package itself, so the CLI
// (packages/cli) could not import `nestjs-orange-sms` when run from the repository. This links it:
// node_modules/nestjs-orange-sms -> .. . Runs on `npm install` / `npm ci` here (prepare), never
// when the published package is installed.
import { lstatSync, mkdirSync, symlinkSync } from 'node:fs';

const link = new URL('../node_modules/nestjs-orange-sms', import.meta.url);
try {
  lstatSync(link);
} catch {
  mkdirSync(new URL('../node_modules/', import.meta.url), { recursive: true });
  symlinkSync('..', link, 'dir');
}
