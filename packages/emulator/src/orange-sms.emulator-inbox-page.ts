/**
 * The web inbox page, assembled from the real files in `inbox/` (HTML, CSS, and a browser script in
 * strict TypeScript, `inbox/tsconfig.json`, linted) into one HTML answer with the CSS and the script
 * inline, so the page needs no second request. The script renders every value from the app with
 * textContent, never as HTML, and the CSP allows only these exact inline blocks (by hash), so injected
 * markup could not run even if a rendering bug slipped in.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

function asset(name: string): string {
  // Next to this module: src/inbox in the sources, dist/inbox once built.
  return readFileSync(new URL(`./inbox/${name}`, import.meta.url), 'utf8');
}

/**
 * The page's script: built, `inbox.js` (compiled from inbox.ts by `npm run build`, shipped). Run from
 * the sources (ts-jest), there is only `inbox.ts`: it is transpiled here with `typescript`, a dev
 * dependency, which the published package never reaches.
 */
function script(): string {
  if (existsSync(new URL('./inbox/inbox.js', import.meta.url))) return asset('inbox.js');
  const ts = createRequire(import.meta.url)('typescript') as typeof import('typescript');
  return ts.transpileModule(asset('inbox.ts'), {
    compilerOptions: { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.ESNext },
  }).outputText;
}

const STYLE = asset('inbox.css');
const SCRIPT = script();

const ICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='8' fill='%23ff7900'/%3E%3Crect x='7' y='9' width='18' height='12' rx='4' fill='white'/%3E%3C/svg%3E";

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export const INBOX_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// Functions as replacements: `$` sequences in the CSS or the script are not replacement patterns.
export const INBOX_HTML = asset('inbox.html')
  .replace('{{ICON}}', () => ICON)
  .replace('<style data-inline="inbox.css"></style>', () => `<style>${STYLE}</style>`)
  .replace('<script data-inline="inbox.js"></script>', () => `<script>${SCRIPT}</script>`);

for (const marker of ['{{ICON}}', 'data-inline="inbox.css"', 'data-inline="inbox.js"']) {
  if (INBOX_HTML.includes(marker)) throw new Error(`inbox.html: ${marker} was not filled in`);
}
