import { BullModule, getQueueToken, getSharedConfigToken } from '@nestjs/bullmq';
import { type DynamicModule, Module, type ModuleMetadata, type Provider, type Type } from '@nestjs/common';
import type { Queue } from 'bullmq';
import {
  ORANGE_SMS_QUEUE_CONNECTIONS,
  ORANGE_SMS_QUEUE_LINK,
  ORANGE_SMS_QUEUE_OPTIONS,
  ORANGE_SMS_REDIS,
  ORANGE_SMS_RESOLVED_OPTIONS,
} from '../orange-sms.constants.js';
import type { OrangeSmsResolvedOptions } from '../orange-sms.options.js';
import type { OrangeSmsRedisBackend } from '../redis/orange-sms.redis-backend.js';
import { OrangeSmsService } from '../sending/orange-sms.service.js';
import { OrangeSmsQueueConnections, OrangeSmsQueueSetupError } from './orange-sms.queue.connections.js';
import {
  type OrangeSmsQueueModuleOptions,
  type OrangeSmsResolvedQueueModuleOptions,
  resolveQueueModuleOptions,
} from './orange-sms.queue.options.js';
import { type OrangeSmsJobData, OrangeSmsQueueProcessor } from './orange-sms.queue.processor.js';
import { OrangeSmsQueueService } from './orange-sms.queue.service.js';

/** Registration-time settings: which modules to import, which processor class to run. */
export interface OrangeSmsQueueModuleExtras {
  /**
   * Modules that provide what the queue needs from the core, when `OrangeSmsModule` is registered
   * with `isGlobal: false`: pass the same `OrangeSmsModule.forRoot(…)` object you import.
   */
  imports?: ModuleMetadata['imports'];
  /** A subclass of `OrangeSmsQueueProcessor` (e.g. with `@OnWorkerEvent` handlers of your own). */
  processor?: Type<OrangeSmsQueueProcessor>;
}

/** Holds the queue's options and connections, so BullMQ's own module can be given them. */
@Module({})
class OrangeSmsQueueSettingsModule {}

/**
 * The durable outbound queue on `@nestjs/bullmq`: `OrangeSmsQueueModule.forRoot({ … })` next to
 * `OrangeSmsModule`. Registers the BullMQ queue (`@InjectQueue(name)` works), a `WorkerHost` processor
 * that sends each job through the core's send path, and `OrangeSmsQueueService`;
 * `OrangeSmsService.enqueue()` delegates to it. The connection is the host's `BullModule.forRoot` one
 * when there is one, else built from `OrangeSmsModule`'s `redis` option.
 */
@Module({})
export class OrangeSmsQueueModule {
  static forRoot(options: OrangeSmsQueueModuleOptions & OrangeSmsQueueModuleExtras = {}): DynamicModule {
    const { imports = [], processor: processorClass, ...queueOptions } = options;
    // Known now, for the tokens; every field is checked at boot (one error lists every bad field).
    const name = queueOptions.name ?? 'orange-sms';
    const runsWorker = queueOptions.worker ?? true;
    const settings: DynamicModule = {
      module: OrangeSmsQueueSettingsModule,
      imports,
      providers: [
        { provide: ORANGE_SMS_QUEUE_OPTIONS, useFactory: () => resolveQueueModuleOptions(queueOptions) },
        {
          provide: ORANGE_SMS_QUEUE_CONNECTIONS,
          inject: [
            ORANGE_SMS_QUEUE_OPTIONS,
            { token: ORANGE_SMS_RESOLVED_OPTIONS, optional: true },
            { token: getSharedConfigToken(queueOptions.configKey), optional: true },
            { token: ORANGE_SMS_REDIS, optional: true },
          ],
          useFactory: (
            resolved: OrangeSmsResolvedQueueModuleOptions,
            core: OrangeSmsResolvedOptions | undefined,
            shared: { connection?: never; prefix?: string } | undefined,
            redis: OrangeSmsRedisBackend | null | undefined,
          ) => new OrangeSmsQueueConnections(resolved, core, shared, redis),
        },
      ],
      exports: [ORANGE_SMS_QUEUE_OPTIONS, ORANGE_SMS_QUEUE_CONNECTIONS],
    };
    const bull = BullModule.registerQueueAsync({
      name,
      ...(queueOptions.configKey ? { configKey: queueOptions.configKey } : {}),
      imports: [settings],
      inject: [ORANGE_SMS_QUEUE_CONNECTIONS],
      useFactory: (connections: OrangeSmsQueueConnections) => ({
        ...(connections.producer ? { connection: connections.producer } : {}),
        ...(connections.prefix ? { prefix: connections.prefix } : {}),
      }),
    });
    const coreService = (sms: OrangeSmsService | undefined): OrangeSmsService => {
      if (!sms) {
        throw new OrangeSmsQueueSetupError(
          'needs OrangeSmsModule.forRoot() or forRootAsync() in the application (registered globally, the default, or passed in OrangeSmsQueueModule.forRoot({ imports }))',
        );
      }
      return sms;
    };
    const processorToken = processorClass ?? class OrangeSmsQueueWorker extends OrangeSmsQueueProcessor {};
    const processorProviders: Provider[] = runsWorker
      ? [
          {
            provide: processorToken,
            inject: [
              getQueueToken(name),
              ORANGE_SMS_QUEUE_OPTIONS,
              ORANGE_SMS_QUEUE_CONNECTIONS,
              { token: OrangeSmsService, optional: true },
            ],
            useFactory: (
              queue: Queue<OrangeSmsJobData>,
              resolved: OrangeSmsResolvedQueueModuleOptions,
              connections: OrangeSmsQueueConnections,
              sms: OrangeSmsService | undefined,
            ) => new processorToken(queue, resolved, connections, coreService(sms)[ORANGE_SMS_QUEUE_LINK]()),
          },
        ]
      : [];
    return {
      module: OrangeSmsQueueModule,
      imports: [...imports, settings, bull],
      providers: [
        ...processorProviders,
        {
          provide: OrangeSmsQueueService,
          inject: [
            getQueueToken(name),
            ORANGE_SMS_QUEUE_OPTIONS,
            ORANGE_SMS_QUEUE_CONNECTIONS,
            { token: OrangeSmsService, optional: true },
            ...(runsWorker ? [processorToken] : []),
          ],
          useFactory: (
            queue: Queue<OrangeSmsJobData>,
            resolved: OrangeSmsResolvedQueueModuleOptions,
            connections: OrangeSmsQueueConnections,
            sms: OrangeSmsService | undefined,
            processor?: OrangeSmsQueueProcessor,
          ) => new OrangeSmsQueueService(queue, resolved, connections, coreService(sms), processor),
        },
      ],
      exports: [OrangeSmsQueueService, bull],
    };
  }
}
