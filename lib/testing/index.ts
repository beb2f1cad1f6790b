export {
  ORANGE_SMS_TEST_WEBHOOK_SECRET,
  OrangeSmsTestingModule,
  type OrangeSmsTestTarget,
} from './orange-sms.testing-module.js';
