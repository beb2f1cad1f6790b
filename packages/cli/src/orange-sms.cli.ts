#!/usr/bin/env node
/**
 * `orange-sms`: operator commands (send, balance, usage, purchases, delivery-receipt subscriptions,
 * the emulator) on the library itself. Import-safe: importing this module only defines
 * `runOrangeSmsCli`; the process entry runs only when this file is executed directly.
 */
import {
  type CliEnvironment,
  OrangeSmsCliUsageError,
  urlPassword,
  parseCommandLine,
  type ParsedCommandLine,
  resolveConfiguration,
} from './orange-sms.cli-args.js';
import { describeError, executeCommand, exportChunks, withOrangeSms } from './orange-sms.cli-commands.js';
import { runDoctor } from './orange-sms.cli-doctor.js';
import { type CliOutput, redactingOutput, toJson } from './orange-sms.cli-output.js';
import { isEntryPoint } from './orange-sms.cli-entry.js';

export { OrangeSmsCliUsageError } from './orange-sms.cli-args.js';
export type { CliEnvironment, CliOutput };

export interface OrangeSmsCliIo {
  /** Results (default process.stdout). */
  out?: CliOutput;
  /** Errors and diagnostics (default process.stderr). */
  err?: CliOutput;
  /** Where credentials and settings are read (default process.env). */
  env?: CliEnvironment;
  /** `emulator`: stops it when aborted (default: SIGINT or SIGTERM). */
  signal?: AbortSignal;
}

/**
 * Runs one command line (without `node` and the script) and resolves with the exit code: 0 ok,
 * 1 Orange or API failure, 2 usage or validation error. Never throws, never calls `process.exit`.
 */
export async function runOrangeSmsCli(argv: string[], io: OrangeSmsCliIo = {}): Promise<number> {
  const out = io.out ?? process.stdout;
  const err = io.err ?? process.stderr;
  const environment = io.env ?? process.env;

  let parsed: ParsedCommandLine;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    return fail(err, error);
  }
  if (parsed.kind === 'help') {
    out.write(parsed.text);
    return 0;
  }
  if (parsed.kind === 'emulator') return runEmulator(parsed.args, out, err, io.signal);
  if (parsed.command === 'migrate') return runMigrate(parsed, environment, out, err);

  let config;
  try {
    config = resolveConfiguration(parsed, environment);
  } catch (error) {
    return fail(err, error);
  }
  // From here on, every byte written goes through the redaction of the secrets in play.
  const safeOut = redactingOutput(out, config.secrets);
  const safeErr = redactingOutput(err, config.secrets);
  try {
    if (parsed.command === 'doctor') return await runDoctor(parsed, config, environment, safeOut);
    if (parsed.command === 'export') {
      // Written chunk by chunk as the store is read: an export never sits whole in memory.
      await withOrangeSms(config.options, async (services) => {
        for await (const chunk of exportChunks(parsed, services)) safeOut.write(chunk);
      });
      return 0;
    }
    const result = await withOrangeSms(config.options, (services) => executeCommand(parsed, config, services));
    safeOut.write(parsed.json ? toJson(result.json) : result.human);
    return 0;
  } catch (error) {
    if (error instanceof OrangeSmsCliUsageError) return fail(safeErr, error);
    const { exitCode, message } = describeError(error, parsed.command, config);
    safeErr.write(`${message}\n`);
    return exitCode;
  }
}

/**
 * `orange-sms migrate`: the PostgreSQL store's migrations, on the database of ORANGE_SMS_DATABASE_URL
 * (else DATABASE_URL). `pg` and the store are loaded here only. Its password never reaches the output.
 */
async function runMigrate(
  parsed: Extract<ParsedCommandLine, { kind: 'command' }>,
  environment: CliEnvironment,
  out: CliOutput,
  err: CliOutput,
): Promise<number> {
  const url = environment.ORANGE_SMS_DATABASE_URL?.trim() || environment.DATABASE_URL?.trim();
  if (!url) {
    return fail(err, new OrangeSmsCliUsageError('orange-sms migrate: set ORANGE_SMS_DATABASE_URL (or DATABASE_URL)'));
  }
  const schema = typeof parsed.values.schema === 'string' ? parsed.values.schema : 'orange_sms';
  if (!URL.canParse(url)) {
    return fail(err, new OrangeSmsCliUsageError('orange-sms migrate: the database URL is not a URL'));
  }
  const password = urlPassword(url);
  const safeOut = redactingOutput(out, password ? [password] : []);
  const safeErr = redactingOutput(err, password ? [password] : []);
  let pool: { end(): Promise<void> } | undefined;
  try {
    const [{ default: pg }, { migrateOrangeSms }] = await Promise.all([
      import('pg'),
      import('nestjs-orange-sms/postgres'),
    ]);
    const created = new pg.Pool({ connectionString: url, max: 1 });
    created.on('error', () => undefined);
    pool = created;
    const { applied, version } = await migrateOrangeSms(created, { schema });
    const result = { schema, applied, version };
    safeOut.write(
      parsed.json
        ? toJson(result)
        : applied.length > 0
          ? `Schema ${schema}: applied migration(s) ${applied.join(', ')}; now at version ${version}.\n`
          : `Schema ${schema}: up to date (version ${version}).\n`,
    );
    return 0;
  } catch (error) {
    safeErr.write(`orange-sms migrate: ${(error as Error)?.message ?? String(error)}\n`);
    return 1;
  } finally {
    await pool?.end().catch(() => undefined);
  }
}

function fail(err: CliOutput, error: unknown): number {
  if (error instanceof OrangeSmsCliUsageError) {
    err.write(`${error.message}\n`);
    return error.exitCode;
  }
  err.write(`orange-sms: unexpected error: ${(error as Error)?.message ?? String(error)}\n`);
  return 1;
}

/** Settles when the signal aborts, or on SIGINT/SIGTERM when no signal is given; `dispose` stops listening. */
function stopRequested(signal: AbortSignal | undefined, out: CliOutput): { stopped: Promise<void>; dispose(): void } {
  let dispose = () => {};
  const stopped = new Promise<void>((resolve) => {
    if (signal) {
      const onAbort = () => resolve();
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', onAbort, { once: true });
      dispose = () => signal.removeEventListener('abort', onAbort);
      return;
    }
    const stop = (name: NodeJS.Signals) => {
      dispose();
      out.write(`\n${name} received, stopping the emulator\n`);
      resolve();
    };
    dispose = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return { stopped, dispose };
}

/**
 * `orange-sms emulator [flags]`: the `orange-sms-emulator` CLI, loaded on demand (the emulator is
 * not part of the client's import graph). Runs until stopped.
 */
async function runEmulator(
  args: string[],
  out: CliOutput,
  err: CliOutput,
  signal: AbortSignal | undefined,
): Promise<number> {
  const cli = await import('orange-sms-emulator/cli');
  // Listening for the stop request before starting: a signal sent as the banner appears still counts.
  const stop = stopRequested(signal, out);
  let emulator;
  try {
    emulator = await cli.runCli(args, out);
  } catch (error) {
    stop.dispose();
    if (error instanceof cli.OrangeSmsEmulatorCliExit) {
      if (error.message) err.write(`${error.message}\n`);
      return error.exitCode;
    }
    err.write(`orange-sms emulator: ${(error as Error)?.message ?? String(error)}\n`);
    return 1;
  }
  await stop.stopped;
  stop.dispose();
  await emulator.stop();
  return 0;
}

if (isEntryPoint(import.meta.url)) {
  void runOrangeSmsCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
