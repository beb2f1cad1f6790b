/**
 * The folders of lib/ form no import cycle: data flows one way (service → http → Orange; Orange →
 * webhooks → store → events), and a folder can be read, tested and moved without its dependants.
 * Type-only imports count too: they couple folders as much as value imports.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const LIB = resolve(process.cwd(), 'lib');

/**
 * Imports that still close a cycle, each to be removed, never added to: without them the graph must be
 * acyclic, and each must still exist (a fixed one is taken off this list).
 */
const KNOWN_BACK_EDGES = new Set<string>([
  // TrackedSms extends SentSms: the message types belong in one place (#12, public types in interfaces/).
  'tracking -> sending',
  // The dispatcher builds InboundSmsEvent.reply() from OrangeSmsService.
  'events -> sending',
  // The queue runs jobs through the service, which enqueues through the queue (moving onto @nestjs/bullmq).
  'queue -> sending',
  // The options resolve `country` with the country table and type `store` with the store contract.
  'orange-sms.options -> sending',
  'orange-sms.options -> tracking',
]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * `lib/http/x.ts` → `http`. A file at lib's root is a node of its own (`orange-sms.module`): the module
 * file imports every folder, and every folder imports the constants and the options.
 */
function folderOf(file: string): string {
  const parts = relative(LIB, file).split('/');
  return parts.length > 1 ? parts[0]! : parts[0]!.replace(/\.(ts|js)$/, '');
}

/** Folder → the folders it imports from (relative imports, static or dynamic, types included). */
export function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(LIB)) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)) {
      const target = resolve(dirname(file), match[1]!);
      if (!target.startsWith(LIB)) continue;
      const to = folderOf(target);
      if (to !== from) edges.add(to);
    }
  }
  return graph;
}

/** Strongly connected components with more than one folder (Tarjan). */
export function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    indices.set(node, index);
    low.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, indices.get(next)!));
      }
    }
    if (low.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return found;
}

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

  it('import each other in no cycle, once the known back edges (which only shrink) are set aside', () => {
    const graph = folderGraph();
    const present = [...graph].flatMap(([from, targets]) => [...targets].map((to) => `${from} -> ${to}`));
    expect([...KNOWN_BACK_EDGES].filter((edge) => !present.includes(edge))).toEqual([]);
    for (const edge of KNOWN_BACK_EDGES) {
      const [from, to] = edge.split(' -> ') as [string, string];
      graph.get(from)!.delete(to);
    }
    expect(cycles(graph).map((component) => component.join(' ↔ '))).toEqual([]);
  });
});
