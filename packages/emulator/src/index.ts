/** `orange-sms-emulator`: an Orange SMS API emulator for tests, samples and benchmarks (no Nest, no dependencies). */
export { OrangeSmsEmulator } from './orange-sms.emulator.js';
export { DEFAULT_EMULATOR_ACCOUNT } from './orange-sms.emulator-types.js';
export type {
  CallbackResult,
  DeliverOptions,
  EmulatedCallback,
  EmulatedRequestKind,
  EmulatedSms,
  FailNextOptions,
  InboundSmsInput,
  OrangeDeliveryStatus,
  OrangeSmsEmulatorAccount,
  OrangeSmsEmulatorAccountOptions,
  OrangeSmsEmulatorAdminFormat,
  OrangeSmsEmulatorCredentials,
  OrangeSmsEmulatorOptions,
  RecordedRequest,
} from './orange-sms.emulator-types.js';
