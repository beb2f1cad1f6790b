/** `nestjs-orange-sms/testing` as a user's own test would use it: Test.createTestingModule, no HTTP server. */
import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import { ORANGE_SMS_STORE, OrangeSmsMemoryStore, OrangeSmsService } from '../lib/index.js';
import { OrangeSmsTestingModule } from '../lib/testing/index.js';

/** The host's code under test. */
@Injectable()
class OtpService {
  constructor(private readonly sms: OrangeSmsService) {}
  async sendCode(phone: string): Promise<string> {
    const sent = await this.sms.send({ to: phone, text: 'Your code is 4821' });
    return sent.id;
  }
}

describe('OrangeSmsTestingModule', () => {
  let emulator: OrangeSmsEmulator;

  beforeAll(async () => {
    emulator = await OrangeSmsEmulator.start({ inbox: false, autoDeliveryStatus: null });
  });
  afterAll(async () => {
    await emulator.stop();
  });
  beforeEach(() => emulator.reset());

  it('points the module at the emulator: the host code sends, the emulator got it', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [EventEmitterModule.forRoot(), OrangeSmsTestingModule.forEmulator(emulator)],
      providers: [OtpService],
    }).compile();
    await moduleRef.init();
    try {
      const id = await moduleRef.get(OtpService).sendCode('+2250700000001');
      expect(emulator.messages).toHaveLength(1);
      expect(emulator.messages[0]).toMatchObject({ id, address: 'tel:+2250700000001', text: 'Your code is 4821' });
    } finally {
      await moduleRef.close();
    }
  });

  it('takes options over its defaults, and providers can be overridden (here the store)', async () => {
    const store = new OrangeSmsMemoryStore();
    const saved: string[] = [];
    const saveMessage = store.saveMessage.bind(store);
    store.saveMessage = async (message) => {
      saved.push(message.id);
      return saveMessage(message);
    };
    const moduleRef = await Test.createTestingModule({
      imports: [EventEmitterModule.forRoot(), OrangeSmsTestingModule.forEmulator(emulator, { senderName: 'ACME' })],
      providers: [OtpService],
    })
      .overrideProvider(ORANGE_SMS_STORE)
      .useValue(store)
      .compile();
    await moduleRef.init();
    try {
      const id = await moduleRef.get(OtpService).sendCode('+2250700000002');
      expect(saved).toEqual([id]);
      expect(emulator.messages[0]!.senderName).toBe('ACME');
    } finally {
      await moduleRef.close();
    }
  });
});
