/** A Nest application context holding OrangeSmsModule, pointed at an emulator, for the sending benchmarks. */
import 'reflect-metadata';
import { Agent } from 'node:http';
import axios from 'axios';
import { type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import {
  ORANGE_SMS_STORE,
  OrangeSmsModule,
  type OrangeSmsModuleOptions,
  OrangeSmsService,
  type OrangeSmsStore,
} from '../../lib/index.js';
import type { EmulatorReady } from './emulator.js';

export const SENDER_ADDRESS = 'tel:+2250000';
export const RECIPIENT = '+2250700000001';
/** A typical OTP: plain GSM-7 ASCII, one segment. */
export const TEXT = 'Your ACME code is 482913. It expires in 10 minutes.';

export interface SenderApp {
  app: INestApplicationContext;
  sms: OrangeSmsService;
  store: OrangeSmsStore;
  close(): Promise<void>;
}

export async function createSenderApp(
  emulator: EmulatorReady,
  options: OrangeSmsModuleOptions = {},
): Promise<SenderApp> {
  @Module({
    imports: [
      EventEmitterModule.forRoot(),
      OrangeSmsModule.forRoot({
        clientId: emulator.credentials.clientId,
        clientSecret: emulator.credentials.clientSecret,
        baseUrl: emulator.url,
        senderAddress: SENDER_ADDRESS,
        ...options,
        webhooks: { enabled: false },
      }),
    ],
  })
  class SenderModule {}

  const app = await NestFactory.createApplicationContext(SenderModule, { logger: ['error', 'warn'] });
  return {
    app,
    sms: app.get(OrangeSmsService),
    store: app.get<OrangeSmsStore>(ORANGE_SMS_STORE),
    close: () => app.close(),
  };
}

/** The JSON body OrangeSmsService.send posts for `{ to: RECIPIENT, text: TEXT }`. */
export function outboundBody(): unknown {
  return {
    outboundSMSMessageRequest: {
      address: `tel:${RECIPIENT}`,
      senderAddress: SENDER_ADDRESS,
      outboundSMSTextMessage: { message: TEXT },
    },
  };
}

export function outboundUrl(emulator: Pick<EmulatorReady, 'url'>): string {
  return `${emulator.url}/smsmessaging/v1/outbound/${encodeURIComponent(SENDER_ADDRESS)}/requests`;
}

/** One OAuth token from the emulator, as a hand-written client would get it. */
export async function fetchToken(emulator: EmulatorReady): Promise<string> {
  const basic = Buffer.from(`${emulator.credentials.clientId}:${emulator.credentials.clientSecret}`).toString('base64');
  const response = await fetch(`${emulator.url}/oauth/v3/token`, {
    method: 'POST',
    headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const body = (await response.json()) as { access_token?: string };
  if (!response.ok || !body.access_token) throw new Error(`token request failed: ${response.status}`);
  return body.access_token;
}

/**
 * The usual hand-written client, the baseline of the token benchmarks: it checks its cached token and
 * fetches one when there is none (so concurrent cold sends each fetch one), and does not pace.
 */
export function naiveClient(url: string, credentials: { clientId: string; clientSecret: string }) {
  const agent = new Agent({ keepAlive: true });
  const basic = Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64');
  let token: string | undefined;
  return {
    async send(): Promise<void> {
      if (!token) {
        const { data } = await axios.post<{ access_token: string }>(
          `${url}/oauth/v3/token`,
          'grant_type=client_credentials',
          {
            headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },
            httpAgent: agent,
          },
        );
        token = data.access_token;
      }
      await axios.post(outboundUrl({ url }), outboundBody(), {
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        httpAgent: agent,
      });
    },
    close: () => agent.destroy(),
  };
}
