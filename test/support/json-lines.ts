import type { Readable } from 'node:stream';

/**
 * Calls `onLine` with each JSON line a child prints; other lines (a framework's logger) are skipped.
 * Returns what is left after the last newline (an unfinished line).
 */
export function onJsonLines<T>(stream: Readable, onLine: (line: T) => void): () => string {
  let buffer = '';
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const text = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (text.startsWith('{')) onLine(JSON.parse(text) as T);
    }
  });
  return () => buffer;
}
