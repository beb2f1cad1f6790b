import type { DynamicModule } from '@nestjs/common';
import { OrangeSmsModule } from '../orange-sms.module.js';
import type { OrangeSmsModuleExtras } from '../orange-sms.module-definition.js';
import type { OrangeSmsModuleOptions } from '../orange-sms.options.js';

/** What the testing module needs of an Orange stand-in: `OrangeSmsEmulator` has it. */
export interface OrangeSmsTestTarget {
  /** Base URL answering Orange's API, e.g. `emulator.url`. */
  url: string;
  credentials: { clientId: string; clientSecret: string };
}

/** The webhook secret the testing module registers unless one is given. */
export const ORANGE_SMS_TEST_WEBHOOK_SECRET = 'orange-sms-test-webhook-secret';

/**
 * `OrangeSmsModule` pointed at an emulator for a host's own tests, as mailer's test module points
 * the mailer at a fake transport: credentials and base URL from the emulator, no pacing (tests should
 * not wait for Orange's 5/s), webhooks on with a known secret. Anything can be overridden.
 *
 * ```ts
 * const emulator = await OrangeSmsEmulator.start();
 * const moduleRef = await Test.createTestingModule({
 *   imports: [EventEmitterModule.forRoot(), OrangeSmsTestingModule.forEmulator(emulator)],
 *   providers: [MyOtpService],
 * }).compile();
 * ```
 */
export class OrangeSmsTestingModule {
  static forEmulator(
    emulator: OrangeSmsTestTarget,
    options: OrangeSmsModuleOptions = {},
    extras: OrangeSmsModuleExtras = {},
  ): DynamicModule {
    return OrangeSmsModule.forRoot({
      clientId: emulator.credentials.clientId,
      clientSecret: emulator.credentials.clientSecret,
      baseUrl: emulator.url,
      // The emulator's default sender (Côte d'Ivoire), unless the test names a sender or a country.
      ...(options.senderAddress === undefined && options.country === undefined
        ? { senderAddress: 'tel:+2250000' }
        : {}),
      rateLimit: false,
      webhookSecret: ORANGE_SMS_TEST_WEBHOOK_SECRET,
      ...options,
      ...extras,
    });
  }
}
