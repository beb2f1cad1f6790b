/**
 * The lint rule `orange-sms/no-folder-cycles` (eslint-rules/, on in eslint.config.js for lib/) keeps the
 * folders of lib/ acyclic. Here: its cycle finder, the rule on a small tree with a cycle, and lib/ clean.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import plugin, { cycles, folderGraph } from '../../eslint-rules/no-folder-cycles.mjs';

const root = process.cwd();

describe('lib/ folders', () => {
  it('the cycle finder finds a cycle it is given, and none where there is none', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a'])],
    ]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c']]);
    expect(cycles(new Map([['a', new Set(['b'])]]))).toEqual([]);
  });

  it('the rule reports each import that closes a cycle, type-only and dynamic ones included', async () => {
    const dir = mkdtempSync(join(root, '.cycles-'));
    try {
      const write = (path: string, text: string) => {
        mkdirSync(join(dir, 'src', path, '..'), { recursive: true });
        writeFileSync(join(dir, 'src', path), text);
      };
      write('a/a.ts', "import type { B } from '../b/b.js';\nexport type A = B;\n");
      write('b/b.ts', "export type B = string;\nexport const load = () => import('../c/c.js');\n");
      write('c/c.ts', "export { A } from '../a/a.js';\n");
      write('d/d.ts', "import type { A } from '../a/a.js';\nexport type D = A;\n");
      const eslint = new ESLint({
        cwd: dir,
        overrideConfigFile: true,
        overrideConfig: [
          {
            files: ['**/*.ts'],
            languageOptions: { parser: tseslint.parser },
            plugins: { 'orange-sms': plugin },
            rules: { 'orange-sms/no-folder-cycles': ['error', { root: 'src' }] },
          },
        ],
      });
      const results = await eslint.lintFiles(['src']);
      const reported = results
        .flatMap((result) =>
          result.messages.map((message) => `${result.filePath.slice(dir.length + 5)}:${message.line}`),
        )
        .sort();
      expect(reported).toEqual(['a/a.ts:1', 'b/b.ts:2', 'c/c.ts:1']);
      expect(results.flatMap((result) => result.messages)[0]!.message).toContain('a ↔ b ↔ c');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lib/ has no folder cycle', async () => {
    expect(cycles(folderGraph(join(root, 'lib')))).toEqual([]);
    const results = await new ESLint({ cwd: root }).lintFiles(['lib']);
    const cyclic = results.flatMap((result) =>
      result.messages.filter((message) => message.ruleId === 'orange-sms/no-folder-cycles').map((m) => m.message),
    );
    expect(cyclic).toEqual([]);
  });
});
