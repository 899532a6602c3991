import { describe, expect, it } from 'vitest';
import { SamsaError } from '../../../libs/errors/index.js';
import { Backoff, backoffDelay, DEFAULT_RETRY, retry, sleep, type RetryEnvironment } from '../../../libs/runtime/index.js';

/** A clock that moves only when the retry helper sleeps. */
function fakeEnv(random = 0.5): RetryEnvironment & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    clock: { nowMs: () => now },
    random: () => random,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

describe('retry', () => {
  it('retries a retriable error with exponential backoff until the attempt succeeds', async () => {
    const env = fakeEnv();
    let calls = 0;
    const result = await retry(
      async () => {
        calls++;
        if (calls < 4) throw new SamsaError('NOT_LEADER_OR_FOLLOWER', 'moved');
        return 'ok';
      },
      { initialDelayMs: 100, factor: 2, jitter: 0 },
      {},
      env,
    );
    expect(result).toBe('ok');
    expect(calls).toBe(4);
    expect(env.slept).toEqual([100, 200, 400]);
  });

  it('does not retry an error that is not retriable', async () => {
    const env = fakeEnv();
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new SamsaError('INVALID_TOPIC_NAME', 'bad');
        },
        {},
        {},
        env,
      ),
    ).rejects.toMatchObject({ reason: 'INVALID_TOPIC_NAME' });
    expect(calls).toBe(1);
    expect(env.slept).toEqual([]);
  });

  it('gives up after `retries` more attempts and rethrows the last error', async () => {
    const env = fakeEnv();
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new SamsaError('NOT_READY', `try ${calls}`);
        },
        { retries: 2, jitter: 0 },
        {},
        env,
      ),
    ).rejects.toThrow('try 3');
    expect(calls).toBe(3);
  });

  it('gives up when the next wait would pass maxElapsedMs', async () => {
    const env = fakeEnv();
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new SamsaError('NOT_READY', 'down');
        },
        { retries: 100, initialDelayMs: 100, factor: 2, jitter: 0, maxElapsedMs: 1000 },
        {},
        env,
      ),
    ).rejects.toThrow('down');
    // 100 + 200 + 400 = 700 elapsed; the next wait (800) would end past 1000.
    expect(env.slept).toEqual([100, 200, 400]);
    expect(calls).toBe(4);
  });

  it('lets the caller widen what is retriable and runs onRetry before each wait', async () => {
    const env = fakeEnv();
    const seen: string[] = [];
    let calls = 0;
    const result = await retry(
      async () => {
        calls++;
        if (calls === 1) throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', 'not yet');
        return calls;
      },
      { jitter: 0 },
      {
        isRetriable: (err, attempt) => err.reason === 'UNKNOWN_TOPIC_OR_PARTITION' && attempt < 3,
        onRetry: (err, attempt, delay) => {
          seen.push(`${err.reason}#${attempt}@${delay}`);
        },
      },
      env,
    );
    expect(result).toBe(2);
    expect(seen).toEqual(['UNKNOWN_TOPIC_OR_PARTITION#1@100']);
  });

  it('wraps anything thrown into a SamsaError', async () => {
    await expect(retry(async () => Promise.reject(new Error('boom')), {}, {}, fakeEnv())).rejects.toBeInstanceOf(SamsaError);
  });

  it('stops when its signal is aborted', async () => {
    const abort = new AbortController();
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          abort.abort();
          throw new SamsaError('NOT_READY', 'down');
        },
        {},
        { signal: abort.signal },
        fakeEnv(),
      ),
    ).rejects.toThrow('down');
    expect(calls).toBe(1);
  });
});

describe('backoffDelay', () => {
  it('grows by the factor, is capped, and jitters within the band', () => {
    const opts = { ...DEFAULT_RETRY, initialDelayMs: 100, factor: 2, maxDelayMs: 1000, jitter: 0.2 };
    expect(backoffDelay(opts, 1, () => 0.5)).toBe(100);
    expect(backoffDelay(opts, 3, () => 0.5)).toBe(400);
    expect(backoffDelay(opts, 10, () => 0.5)).toBe(1000);
    expect(backoffDelay(opts, 1, () => 0)).toBe(80);
    expect(backoffDelay(opts, 1, () => 0.999999)).toBe(120);
  });
});

describe('Backoff', () => {
  it('gives the retry policy delays, capped, and starts again after reset()', () => {
    const b = new Backoff({ initialDelayMs: 100, maxDelayMs: 2_000, jitter: 0 });
    expect([1, 2, 3, 4, 5, 6].map(() => b.next())).toEqual([100, 200, 400, 800, 1600, 2000]);
    expect(b.failures).toBe(6);
    b.reset();
    expect(b.failures).toBe(0);
    expect(b.next()).toBe(100);
  });

  it('jitters each delay within the policy bounds', () => {
    const low = new Backoff({ initialDelayMs: 200, jitter: 0.2 }, () => 0);
    const high = new Backoff({ initialDelayMs: 200, jitter: 0.2 }, () => 0.999999);
    expect(low.next()).toBe(160);
    expect(high.next()).toBe(240);
  });
});

describe('sleep', () => {
  it('resolves early, without rejecting, when its signal aborts, and at once when already aborted', async () => {
    const aborted = new AbortController();
    aborted.abort();
    await expect(sleep(60_000, aborted.signal)).resolves.toBeUndefined();
    const later = new AbortController();
    const slept = sleep(60_000, later.signal);
    later.abort();
    await expect(slept).resolves.toBeUndefined();
  });
});
