import type { Rule } from 'eslint';

export function folderOf(root: string, file: string): string;
export function folderGraph(root: string): Map<string, Set<string>>;
export function cycles(graph: Map<string, Set<string>>): string[][];
export const noFolderCycles: Rule.RuleModule;
declare const plugin: { rules: { 'no-folder-cycles': Rule.RuleModule } };
export default plugin;
