export { OrangeSmsBullmqQueue } from './orange-sms.bullmq-queue.js';
