/** Child process entry: runs one benchmark (argv[2], a module of bench/) and sends its rows to the parent. */
import type { Benchmark } from './row.js';

const name = process.argv[2];
try {
  const module = (await import(`../${name}.js`)) as { run: Benchmark };
  const rows = await module.run();
  process.send!({ rows }, () => process.exit(0));
} catch (error) {
  process.send!({ error: (error as Error)?.stack ?? String(error) }, () => process.exit(1));
}
