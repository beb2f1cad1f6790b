#!/usr/bin/env node
/**
 * The `orange-sms` bin. It loads the CLI dynamically so that, when nestjs-orange-sms is missing, it
 * says what to install instead of ending on the module loader's stack trace.
 */
import { missingCoreMessage } from './orange-sms.cli-entry.js';

import('./orange-sms.cli.js')
  .then(({ runOrangeSmsCli }) => runOrangeSmsCli(process.argv.slice(2)))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const message = missingCoreMessage(error);
      if (message === undefined) throw error;
      process.stderr.write(message);
      process.exitCode = 1;
    },
  );
