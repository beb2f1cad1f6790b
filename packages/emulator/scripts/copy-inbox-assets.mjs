// Copies the web inbox's HTML and CSS (tsc compiles inbox.ts itself) next to the compiled emulator:
// node scripts/copy-inbox-assets.mjs <compiled emulator folder>, e.g. dist.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const source = new URL('../src/inbox/', import.meta.url);
const target = join(process.argv[2] ?? new URL('../dist', import.meta.url).pathname, 'inbox');
mkdirSync(target, { recursive: true });
for (const name of readdirSync(source)) {
  if (/\.(html|css)$/.test(name)) copyFileSync(new URL(name, source), join(target, name));
}
