import type { ConnectionOptions } from 'bullmq';
import {
  OrangeSmsOptionIssues,
  type OrangeSmsQueueSettings,
  type OrangeSmsResolvedQueueSettings,
  resolveQueueSettings,
} from '../orange-sms.options.js';

/** `OrangeSmsQueueModule.forRoot(options)`: every field is optional. */
export interface OrangeSmsQueueModuleOptions extends OrangeSmsQueueSettings {
  /**
   * A BullMQ connection for this queue. By default the host's `BullModule.forRoot` connection when
   * there is one, else connections built from `OrangeSmsModule`'s `redis` option.
   */
  connection?: ConnectionOptions;
  /** `BullModule.forRoot(configKey, …)` of the host to use. */
  configKey?: string;
}

export type OrangeSmsResolvedQueueModuleOptions = OrangeSmsResolvedQueueSettings & {
  connection?: ConnectionOptions;
  configKey?: string;
};

/** Checks every field and reports all bad ones in one error, as the core's options do. */
export function resolveQueueModuleOptions(
  value: OrangeSmsQueueModuleOptions = {},
): OrangeSmsResolvedQueueModuleOptions {
  const issues = new OrangeSmsOptionIssues();
  const resolved: OrangeSmsResolvedQueueModuleOptions = {
    ...resolveQueueSettings(value, issues),
    ...(value.connection ? { connection: value.connection } : {}),
    ...(value.configKey ? { configKey: value.configKey } : {}),
  };
  issues.throwIfAny();
  return resolved;
}
