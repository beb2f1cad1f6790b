import { ORANGE_SMS_WEBHOOKS_CONFIG } from './orange-sms.constants.js';
import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { OrangeSmsModuleOptions } from './orange-sms.options.js';
import type { OrangeSmsWebhooksOptions } from './interfaces/orange-sms.webhook.interfaces.js';
import { resolveWebhooksConfig } from './webhooks/orange-sms.webhook-config.js';
import { createOrangeSmsWebhookController } from './webhooks/orange-sms.webhook.controller.js';

/** Given to `forRoot`/`forRootAsync` beside the options, because they shape the module itself. */
export interface OrangeSmsModuleExtras {
  /** Register the module globally. Default true. */
  isGlobal?: boolean;
  webhooks?: OrangeSmsWebhooksOptions;
}

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: ORANGE_SMS_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<OrangeSmsModuleOptions>({ moduleName: 'OrangeSms' })
  .setClassMethodName('forRoot')
  .setExtras<OrangeSmsModuleExtras>({ isGlobal: true, webhooks: {} }, (definition, extras) => {
    const webhooks = resolveWebhooksConfig(extras.webhooks);
    return {
      ...definition,
      global: extras.isGlobal ?? true,
      controllers: webhooks.enabled ? [createOrangeSmsWebhookController(webhooks)] : [],
      providers: [...(definition.providers ?? []), { provide: ORANGE_SMS_WEBHOOKS_CONFIG, useValue: webhooks }],
    };
  })
  .build();

export type OrangeSmsModuleForRootOptions = typeof OPTIONS_TYPE;
export type OrangeSmsModuleForRootAsyncOptions = typeof ASYNC_OPTIONS_TYPE;
