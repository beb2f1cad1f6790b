import { RedisClockOffset } from '../../lib/redis/orange-sms.redis-rate-limiter.js';

describe('RedisClockOffset', () => {
  // Redis's clock runs 1,000,000 ms ahead of ours.
  const AHEAD = 1_000_000;

  it('places a Redis time on our clock within half the round trip of the best sample', () => {
    const clock = new RedisClockOffset();
    // Asked at 100, replied at 110; Redis read its clock at 101 (ours).
    clock.observe(101 + AHEAD, 100, 110);
    expect(Math.abs(clock.toLocal(151 + AHEAD) - 151)).toBeLessThanOrEqual(5);
  });

  it('keeps the sample with the shortest round trip, not the one read last', () => {
    const clock = new RedisClockOffset();
    clock.observe(200.2 + AHEAD, 200, 200.4); // ±0.2 ms
    // A reply read 30 ms late (a busy event loop): Redis read its clock at 300, we saw it at 330.
    clock.observe(300 + AHEAD, 300, 330);
    expect(Math.abs(clock.toLocal(310 + AHEAD) - 310)).toBeLessThanOrEqual(0.5);
  });

  it('takes a new sample once the old one has aged past it (clocks drift or are stepped)', () => {
    const clock = new RedisClockOffset();
    clock.observe(0.1 + AHEAD, 0, 0.2);
    // Redis's clock has moved 3 ms; 60 s later a sample with a 1 ms round trip beats the old one.
    clock.observe(60_000.5 + AHEAD + 3, 60_000, 60_001);
    expect(Math.abs(clock.toLocal(60_020 + AHEAD + 3) - 60_020)).toBeLessThanOrEqual(0.5);
  });
});
