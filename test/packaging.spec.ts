import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

const root = process.cwd();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};

/** Runs a snippet in a fresh Node process, resolving `nestjs-orange-sms` by name (package self-reference). */
function node(args: string[]): string {
  return execFileSync(process.execPath, ['--no-warnings', ...args], { cwd: root, encoding: 'utf8' }).trim();
}

describe('the built package (dist)', () => {
  beforeAll(() => {
    if (!existsSync(join(root, 'dist/index.js')))
      throw new Error('dist/ is missing: `npm test` builds it first (npm run build)');
  });

  const expected = [
    'OrangeSmsModule',
    'OrangeSmsService',
    'OrangeSmsEvents',
    'OnDeliveryReceipt',
    'OnInboundSms',
    'OrangeSmsError',
    'ORANGE_SMS_MODULE_OPTIONS',
  ];

  it('loads with import', () => {
    const keys = node([
      '--input-type=module',
      '-e',
      "const m = await import('nestjs-orange-sms'); console.log(JSON.stringify(Object.keys(m)))",
    ]);
    expect(JSON.parse(keys)).toEqual(expect.arrayContaining(expected));
  });

  it('loads with require (Node require of ESM)', () => {
    const keys = node(['-e', "const m = require('nestjs-orange-sms'); console.log(JSON.stringify(Object.keys(m)))"]);
    expect(JSON.parse(keys)).toEqual(expect.arrayContaining(expected));
  });

  it('keeps the deprecated emulator subpath working by import and require, and ships no bin', () => {
    expect(
      node([
        '--input-type=module',
        '-e',
        "const m = await import('nestjs-orange-sms/emulator'); console.log(typeof m.OrangeSmsEmulator.start)",
      ]),
    ).toBe('function');
    expect(node(['-e', "console.log(typeof require('nestjs-orange-sms/emulator').OrangeSmsEmulator)"])).toBe(
      'function',
    );
    expect(pkg.bin).toBeUndefined();
  });

  it('the built emulator inlines its compiled inbox script, a plain script with no module syntax', async () => {
    const script = readFileSync(join(root, 'packages/emulator/dist/inbox/inbox.js'), 'utf8');
    expect(script).not.toMatch(/^\s*(import|export)\s/m);
    const html = node([
      '--input-type=module',
      '-e',
      "const { OrangeSmsEmulator } = await import('orange-sms-emulator'); const e = await OrangeSmsEmulator.start(); process.stdout.write(await (await fetch(e.url + '/')).text()); await e.stop();",
    ]);
    expect(html).toContain(script.trim());
  });

  it('builds each workspace package with its bin', () => {
    for (const dir of ['packages/emulator', 'packages/cli']) {
      const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as {
        bin: Record<string, string>;
      };
      for (const bin of Object.values(manifest.bin)) {
        expect(readFileSync(join(root, dir, bin), 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
      }
    }
  });

  it('ships type declarations for every export', () => {
    for (const target of Object.values(pkg.exports)) {
      if (typeof target === 'object' && target !== null && 'types' in target) {
        expect(existsSync(join(root, (target as { types: string }).types))).toBe(true);
      }
    }
  });
});

describe('package.json manifest', () => {
  function sources(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
    });
  }
  const builtins = new Set(builtinModules);
  const imports = new Map<string, string[]>();
  for (const file of sources(join(root, 'lib'))) {
    for (const match of readFileSync(file, 'utf8').matchAll(
      /(?:^|\n)\s*(?:import|export)[^'";]*?from\s+['"]([^'"]+)['"]/g,
    )) {
      const specifier = match[1]!;
      if (specifier.startsWith('.') || specifier.startsWith('node:') || builtins.has(specifier)) continue;
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
      imports.set(name, [...(imports.get(name) ?? []), file.slice(root.length + 1)]);
    }
  }

  it('finds the imports it checks', () => {
    expect(imports.has('@nestjs/common')).toBe(true);
  });

  it('declares every package imported from lib/ as a dependency or peer dependency', () => {
    const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
    const undeclared = [...imports.keys()].filter((name) => !declared.has(name));
    expect(undeclared).toEqual([]);
  });

  it('the main entry needs no optional peer: none is in its static import graph', () => {
    const optional = new Set(
      Object.entries(pkg.peerDependenciesMeta ?? {})
        .filter(([, meta]) => meta.optional)
        .map(([name]) => name),
    );
    expect(optional.size).toBeGreaterThan(0);
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      // Static value imports only: `import type` is erased, `await import()` loads on demand.
      for (const match of text.matchAll(/^(?:import|export)\s+(?!type\s)[^'";]*?from\s+['"]([^'"]+)['"]/gm)) {
        const specifier = match[1]!;
        if (specifier.startsWith('.')) visit(join(file, '..', specifier.replace(/\.js$/, '.ts')));
        else
          packages.add(
            specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!,
          );
      }
    };
    visit(join(root, 'lib/index.ts'));
    expect(seen.size).toBeGreaterThan(20);
    expect([...packages].filter((name) => optional.has(name))).toEqual([]);
  });

  it('the emulator imports nothing from the client side (an independent oracle)', () => {
    for (const file of sources(join(root, 'packages/emulator/src'))) {
      const specifiers = [...readFileSync(file, 'utf8').matchAll(/from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]!);
      expect(specifiers.filter((path) => path.startsWith('..') || path.startsWith('nestjs-orange-sms'))).toEqual([]);
    }
  });

  it('the core ships no emulator, page or CLI code: lib/emulator only re-exports the package', () => {
    expect(sources(join(root, 'lib/emulator')).map((file) => file.slice(root.length + 1))).toEqual([
      'lib/emulator/index.ts',
    ]);
    expect(readFileSync(join(root, 'lib/emulator/index.ts'), 'utf8')).toMatch(
      /^export \* from 'orange-sms-emulator';$/m,
    );
    expect(existsSync(join(root, 'lib/cli'))).toBe(false);
  });

  it('the CLI declares every package it imports', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
    };
    const declared = new Set([
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {}),
    ]);
    const used = new Set<string>();
    for (const file of sources(join(root, 'packages/cli/src'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/(?:from\s+|import\()['"]([^'".][^'"]*)['"]/g)) {
        const specifier = match[1]!;
        if (specifier.startsWith('node:')) continue;
        used.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
      }
    }
    expect(used.size).toBeGreaterThan(3);
    expect([...used].filter((name) => !declared.has(name))).toEqual([]);
  });
});
