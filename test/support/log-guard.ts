import { capturedLogs, findLeaks } from './log-capture.js';
import { WEBHOOK_SECRET } from './test-app.js';

// Runs after every spec file: nothing its apps logged may hold a secret, a token or a full number.
afterAll(() => {
  const leaks = findLeaks(capturedLogs, [
    WEBHOOK_SECRET,
    'emulator-client-secret',
    'super-secret-value',
    'wrong-secret',
  ]);
  capturedLogs.length = 0;
  expect(leaks).toEqual([]);
});
