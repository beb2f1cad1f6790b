// Copies the web inbox's non-TypeScript files (tsc copies none) next to the compiled emulator:
// node scripts/copy-inbox-assets.mjs <compiled emulator folder>, e.g. dist/emulator.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const source = new URL('../lib/emulator/inbox/', import.meta.url);
const target = join(process.argv[2] ?? 'dist/emulator', 'inbox');
mkdirSync(target, { recursive: true });
for (const name of readdirSync(source)) {
  if (/\.(html|css|js)$/.test(name)) copyFileSync(new URL(name, source), join(target, name));
}
