import type { LoggerService } from '@nestjs/common';

/** Every line the e2e apps log in this test file (all levels, debug included). */
export const capturedLogs: string[] = [];

/** A Nest logger that keeps lines instead of printing them, so the suite can check what would be logged. */
export class CapturingLogger implements LoggerService {
  log(message: unknown, ...rest: unknown[]) {
    this.keep('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.keep('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.keep('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.keep('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.keep('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]) {
    this.keep('fatal', message, rest);
  }
  private keep(level: string, message: unknown, rest: unknown[]) {
    const parts = [message, ...rest].map((part) =>
      part instanceof Error ? `${part.message}\n${part.stack}` : typeof part === 'string' ? part : JSON.stringify(part),
    );
    capturedLogs.push(`${level}: ${parts.join(' ')}`);
  }
}

/**
 * What must never be logged: the known secrets, anything shaped like a bearer token (the emulator's
 * are JWT-shaped, like Orange's), a Basic credential, and a full phone number (8+ digits in a row,
 * with or without +; masked numbers keep at most 5).
 */
export function findLeaks(lines: readonly string[], secrets: readonly string[]): string[] {
  const basic = /Basic [A-Za-z0-9+/=]{12,}/;
  const jwt = /eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}/;
  const phone = /(?<![\w-])\+?\d{8,}(?![\w-])/;
  return lines.filter(
    (line) => secrets.some((secret) => line.includes(secret)) || basic.test(line) || jwt.test(line) || phone.test(line),
  );
}
