/**
 * ESLint rule `orange-sms/no-folder-cycles`: the folders of lib/ import each other in no cycle. Data
 * flows one way (service → http → Orange; Orange → webhooks → store → events), so a folder can be
 * read, tested and moved without its dependants. Type-only imports count too: they couple folders as
 * much as value imports. A file at the root (`orange-sms.module.ts`) is a node of its own.
 *
 * The graph is the whole folder's, built once per lint run from the files on disk; each import that
 * closes a cycle is reported where it is written.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const IMPORT = /(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g;

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** `lib/http/x.ts` → `http`; `lib/orange-sms.module.ts` → `orange-sms.module`. */
export function folderOf(root, file) {
  const parts = relative(root, file).split(sep);
  return parts.length > 1 ? parts[0] : parts[0].replace(/\.(ts|js)$/, '');
}

/** Folder → the folders it imports from (relative imports, static or dynamic, types included). */
export function folderGraph(root) {
  const graph = new Map();
  for (const file of sourceFiles(root)) {
    const from = folderOf(root, file);
    if (!graph.has(from)) graph.set(from, new Set());
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = resolve(dirname(file), match[1]);
      if (!target.startsWith(root + sep)) continue;
      const to = folderOf(root, target);
      if (to !== from) graph.get(from).add(to);
    }
  }
  return graph;
}

/** Strongly connected components of more than one folder (Tarjan), each sorted. */
export function cycles(graph) {
  let index = 0;
  const indices = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = (node) => {
    indices.set(node, index);
    low.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node), indices.get(next)));
      }
    }
    if (low.get(node) === indices.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return found;
}

/** Per lint run and root: folder → the cycle it is part of. */
const componentsByRoot = new Map();

function componentOf(root, folder) {
  if (!componentsByRoot.has(root)) {
    const byFolder = new Map();
    for (const component of cycles(folderGraph(root))) for (const member of component) byFolder.set(member, component);
    componentsByRoot.set(root, byFolder);
  }
  return componentsByRoot.get(root).get(folder);
}

export const noFolderCycles = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbids imports that close a cycle between the folders of a source root' },
    schema: [{ type: 'object', properties: { root: { type: 'string' } }, additionalProperties: false }],
    messages: { cycle: 'This import closes a folder cycle: {{cycle}}. Data must flow one way.' },
  },
  create(context) {
    const root = resolve(context.cwd, context.options[0]?.root ?? 'lib');
    const file = context.filename;
    if (!file.startsWith(root + sep)) return {};
    const from = folderOf(root, file);
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = resolve(dirname(file), source);
      if (!target.startsWith(root + sep)) return;
      const to = folderOf(root, target);
      const component = to !== from && componentOf(root, from);
      if (component && component.includes(to)) {
        context.report({ node, messageId: 'cycle', data: { cycle: component.join(' ↔ ') } });
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export default { rules: { 'no-folder-cycles': noFolderCycles } };
