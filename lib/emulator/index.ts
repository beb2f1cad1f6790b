/**
 * `nestjs-orange-sms/emulator`, kept so existing imports work: the emulator is its own package now,
 * `orange-sms-emulator` (install it as a dev dependency; it has no dependency of its own).
 * @deprecated Import from `orange-sms-emulator`.
 */
export * from 'orange-sms-emulator';
