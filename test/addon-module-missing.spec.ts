import 'reflect-metadata';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { Registry } from 'prom-client';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import { OrangeSmsHealthIndicator, OrangeSmsHealthModule } from '../lib/health/index.js';
import { OrangeSmsModule, OrangeSmsModuleMissingError } from '../lib/index.js';
import { OrangeSmsMetrics, OrangeSmsMetricsModule } from '../lib/metrics/index.js';
import { emulatorOptions } from './support/test-app.js';

describe('health and metrics without OrangeSmsModule', () => {
  let emulator: OrangeSmsEmulator;

  beforeAll(async () => {
    emulator = await OrangeSmsEmulator.start();
  });
  afterAll(async () => {
    await emulator.stop();
  });

  async function compileError(imports: Parameters<typeof Test.createTestingModule>[0]['imports']) {
    return Test.createTestingModule({ imports: [EventEmitterModule.forRoot(), ...(imports ?? [])] })
      .compile()
      .then(
        () => undefined,
        (error: unknown) => error,
      );
  }

  const addOns = [
    { name: 'OrangeSmsHealthModule', module: () => OrangeSmsHealthModule },
    {
      name: 'OrangeSmsMetricsModule',
      module: () => OrangeSmsMetricsModule.forRoot({ registry: new Registry(), path: 'metrics' }),
    },
  ];

  for (const addOn of addOns) {
    it(`${addOn.name} alone fails with a named error`, async () => {
      const error = await compileError([addOn.module()]);
      expect(error).toBeInstanceOf(OrangeSmsModuleMissingError);
      expect((error as OrangeSmsModuleMissingError).addOn).toBe(addOn.name);
      expect((error as Error).message).toContain('OrangeSmsModule.forRoot');
    });

    it(`${addOn.name} next to a non-global OrangeSmsModule fails with the same named error`, async () => {
      const error = await compileError([
        OrangeSmsModule.forRoot({ ...emulatorOptions(emulator), isGlobal: false }),
        addOn.module(),
      ]);
      expect(error).toBeInstanceOf(OrangeSmsModuleMissingError);
    });
  }

  it('both build next to a global OrangeSmsModule (the default)', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        EventEmitterModule.forRoot(),
        OrangeSmsModule.forRoot(emulatorOptions(emulator)),
        OrangeSmsHealthModule,
        OrangeSmsMetricsModule.forRoot({ registry: new Registry(), path: 'metrics' }),
      ],
    }).compile();
    try {
      expect(moduleRef.get(OrangeSmsHealthIndicator, { strict: false })).toBeInstanceOf(OrangeSmsHealthIndicator);
      expect(moduleRef.get(OrangeSmsMetrics, { strict: false })).toBeInstanceOf(OrangeSmsMetrics);
    } finally {
      await moduleRef.close();
    }
  });
});
