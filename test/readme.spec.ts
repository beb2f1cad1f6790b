import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';

/**
 * Docs that run: every README code block marked as a whole file is written out as pasted and
 * type-checked against the package's sources, the way a user's project would compile it.
 *
 * Convention: an HTML comment right before the fence names the file the block is, e.g.
 *   <!-- whole-file: src/app.module.ts -->
 *   ```ts
 * Blocks of one README may import each other by those paths (`./health.controller.js`).
 */
const repoRoot = process.cwd();
const marker = /^<!--\s*whole-file:\s*(\S+)\s*-->\s*$/;

interface WholeFileBlock {
  readonly path: string;
  readonly code: string;
  /** 1-based line of the marker in the markdown, for error messages. */
  readonly line: number;
}

function wholeFileBlocks(markdown: string): WholeFileBlock[] {
  const lines = markdown.split('\n');
  const blocks: WholeFileBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const path = marker.exec(lines[i]!.trim())?.[1];
    if (!path) continue;
    const fence = lines[i + 1]?.trim() ?? '';
    if (!/^```(ts|typescript)$/.test(fence))
      throw new Error(`README line ${i + 1}: whole-file marker not followed by a \`\`\`ts fence`);
    const end = lines.findIndex((line, index) => index > i + 1 && line.trim() === '```');
    if (end < 0) throw new Error(`README line ${i + 1}: unterminated code block`);
    blocks.push({ path, code: lines.slice(i + 2, end).join('\n') + '\n', line: i + 1 });
    i = end;
  }
  return blocks;
}

/** Type-checks the blocks in a temporary project inside the repo; returns the diagnostics as text. */
function typeCheckBlocks(blocks: readonly WholeFileBlock[]): string[] {
  const dir = mkdtempSync(join(repoRoot, '.readme-check-'));
  try {
    const files = blocks.map((block) => {
      const file = join(dir, block.path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, block.code);
      return file;
    });
    const lib = join(repoRoot, 'lib');
    const paths: Record<string, string[]> = {
      'nestjs-orange-sms': [`${lib}/index.ts`],
      'orange-sms-emulator': [join(repoRoot, 'packages/emulator/src/index.ts')],
    };
    for (const subpath of ['redis', 'postgres', 'health', 'metrics', 'queue', 'emulator'])
      paths[`nestjs-orange-sms/${subpath}`] = [`${lib}/${subpath}/index.ts`];
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2023.d.ts'],
      types: ['node'],
      strict: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      noEmit: true,
      skipLibCheck: true,
      esModuleInterop: true,
      useDefineForClassFields: false,
      paths,
      rootDir: repoRoot,
    };
    const program = ts.createProgram(files, options);
    const byFile = new Map(files.map((file, index) => [file, blocks[index]!]));
    return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
      const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      const block = diagnostic.file && byFile.get(diagnostic.file.fileName);
      if (!diagnostic.file || diagnostic.start === undefined) return text;
      const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      const where = block
        ? `README block ${block.path} (marker on line ${block.line}), line ${line + 1}`
        : diagnostic.file.fileName;
      return `${where}: ${text}`;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Packages a project made by `nest new` already has; everything else must be in an `npm install` line. */
const nestScaffold = new Set([
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/platform-express',
  'reflect-metadata',
  'rxjs',
]);

function bareImports(code: string): string[] {
  const names = new Set<string>();
  for (const match of code.matchAll(/\bfrom\s+'([^'.][^']*)'|\bimport\s+'([^'.][^']*)'/g)) {
    const specifier = match[1] ?? match[2]!;
    if (specifier.startsWith('node:')) continue;
    const parts = specifier.split('/');
    names.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
  }
  return [...names];
}

function installedPackages(markdown: string): Set<string> {
  const names = new Set<string>();
  for (const match of markdown.matchAll(/npm install((?: +[@\w./-]+)+)/g))
    for (const name of match[1]!.trim().split(/\s+/)) if (!name.startsWith('-')) names.add(name);
  return names;
}

describe('README code blocks', () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const blocks = wholeFileBlocks(readme);

  it('marks the whole-file blocks (quick start, sending, emulator, health and metrics)', () => {
    expect(blocks.map((block) => block.path)).toEqual(
      expect.arrayContaining([
        'src/app.module.ts',
        'src/otp.service.ts',
        'src/health.controller.ts',
        'src/observability.module.ts',
      ]),
    );
  });

  it('type-check as pasted, against the package', () => {
    expect(typeCheckBlocks(blocks)).toEqual([]);
  }, 120_000);

  it('import only packages that an `npm install` line of the README installs', () => {
    const installed = installedPackages(readme);
    const missing = blocks.flatMap((block) =>
      bareImports(block.code)
        .filter((name) => !installed.has(name) && !nestScaffold.has(name))
        .map((name) => `${block.path}: ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('fail on a broken block (the check can fail)', () => {
    const broken = blocks.map((block) =>
      block.path === 'src/app.module.ts'
        ? { ...block, code: block.code.replace('OrangeSmsModule.forRootAsync', 'OrangeSmsModul.forRootAsync') }
        : block,
    );
    const errors = typeCheckBlocks(broken);
    expect(errors.join('\n')).toMatch(/OrangeSmsModul/);
    const usedBeforeDeclaration = {
      path: 'src/order.ts',
      line: 0,
      code: "import { Module } from '@nestjs/common';\n@Module({ providers: [Later] })\nexport class AppModule {}\nexport class Later {}\n",
    };
    expect(typeCheckBlocks([usedBeforeDeclaration]).join('\n')).toMatch(/used before its declaration/);
    expect(bareImports("import { X } from '@nestjs/config';\nimport 'reflect-metadata';")).toEqual([
      '@nestjs/config',
      'reflect-metadata',
    ]);
  }, 120_000);
});
