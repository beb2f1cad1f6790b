import { OrangeSmsValidationError } from '../errors/orange-sms.errors.js';

/** Rejects, naming `field`, anything but a valid Date (undefined passes when the field is optional). */
export function checkDate(field: string, value: unknown, required = false): void {
  if (value === undefined && !required) return;
  if (!(value instanceof Date && !Number.isNaN(value.getTime()))) {
    throw new OrangeSmsValidationError(field, 'expected a valid Date');
  }
}
