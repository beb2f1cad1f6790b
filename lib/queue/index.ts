export { OrangeSmsQueueModule, type OrangeSmsQueueModuleExtras } from './orange-sms.queue.module.js';
export { OrangeSmsQueueService } from './orange-sms.queue.service.js';
export { OrangeSmsQueueProcessor, type OrangeSmsJobData } from './orange-sms.queue.processor.js';
export { OrangeSmsQueueSetupError } from './orange-sms.queue.connections.js';
export type { OrangeSmsQueueModuleOptions } from './orange-sms.queue.options.js';
export type { EnqueuedSms } from '../interfaces/orange-sms.queue.interfaces.js';
