/**
 * The `orange-sms` bin as installed: with nestjs-orange-sms next to it, it runs the CLI; without it
 * (orange-sms-cli installed alone), it says what to install and exits 1, with no loader stack trace.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { missingCoreMessage } from '../src/orange-sms.cli-entry.js';

const run = promisify(execFile);
const DIST = join(process.cwd(), 'packages/cli/dist');
const BIN = 'orange-sms.cli-bin.js';

function builtBin(): string {
  if (!existsSync(join(DIST, BIN))) throw new Error(`${join(DIST, BIN)} is missing: run \`npm run build\` first`);
  return join(DIST, BIN);
}

type Outcome = { code: number; stdout: string; stderr: string };
async function node(script: string, args: string[]): Promise<Outcome> {
  return run(process.execPath, [script, ...args], { timeout: 20_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: error.code ?? -1,
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? '',
    }),
  );
}

describe('the orange-sms bin', () => {
  it('is the bin of package.json and runs the CLI when nestjs-orange-sms is installed', async () => {
    const manifest = JSON.parse(readFileSync(join(process.cwd(), 'packages/cli/package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(manifest.bin['orange-sms']).toBe(`./dist/${BIN}`);
    const { code, stdout, stderr } = await node(builtBin(), ['--help']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^Usage: orange-sms <command>/);
  });

  it('without nestjs-orange-sms: names the package to install, exit 1, no stack trace', async () => {
    builtBin();
    // The built CLI alone, where no node_modules can be found above it.
    const alone = mkdtempSync(join(tmpdir(), 'orange-sms-cli-alone-'));
    try {
      writeFileSync(join(alone, 'package.json'), JSON.stringify({ type: 'module' }));
      for (const file of readdirSync(DIST).filter((name) => name.endsWith('.js'))) {
        copyFileSync(join(DIST, file), join(alone, file));
      }
      const { code, stdout, stderr } = await node(join(alone, BIN), ['--help']);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toBe(missingCoreMessage({ code: 'ERR_MODULE_NOT_FOUND', message: "'nestjs-orange-sms'" }));
      expect(stderr).toContain('npm install -D nestjs-orange-sms orange-sms-cli');
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(alone, { recursive: true, force: true });
    }
  });

  it('leaves any other error to the loader', () => {
    const missing = "Cannot find package 'nestjs-orange-sms' imported from /app/x.js";
    expect(missingCoreMessage({ code: 'ERR_MODULE_NOT_FOUND', message: missing })).toContain('npm install');
    const subpath = "Cannot find package 'nestjs-orange-sms/postgres' imported from /app/x.js";
    expect(missingCoreMessage({ code: 'ERR_MODULE_NOT_FOUND', message: subpath })).toContain('npm install');
    expect(
      missingCoreMessage({ code: 'ERR_MODULE_NOT_FOUND', message: "Cannot find package 'pg' imported from /a" }),
    ).toBeUndefined();
    expect(
      missingCoreMessage({ code: 'ERR_MODULE_NOT_FOUND', message: "Cannot find package 'nestjs-orange-sms-x'" }),
    ).toBeUndefined();
    expect(missingCoreMessage(new Error("'nestjs-orange-sms' broke"))).toBeUndefined();
    expect(missingCoreMessage(undefined)).toBeUndefined();
  });
});
