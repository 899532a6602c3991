/**
 * `samsa consume TOPIC --group G --exec 'CMD'`: as a member of group G, runs CMD (through /bin/sh)
 * for every record, or for every chunk of a partition with --exec-per batch, with up to
 * --concurrency partitions at once (the SDK's run(); records of one partition one at a time, in
 * offset order). A record counts as processed, and is committed, only once its command exited 0.
 *
 * Per record: the value on stdin; SAMSA_TOPIC, SAMSA_PARTITION, SAMSA_OFFSET, SAMSA_TIMESTAMP_MS
 * and SAMSA_KEY (UTF-8; unset for no key) in the environment. Per batch: the records on stdin as
 * JSON lines (the --format json shape), SAMSA_TOPIC, SAMSA_PARTITION, SAMSA_FIRST_OFFSET,
 * SAMSA_LAST_OFFSET and SAMSA_COUNT in the environment. The command's stdout and stderr are the
 * CLI's.
 *
 * A command that exits non-zero follows the SDK's failure policy: --retries N (backoff), then
 * --dead-letter-topic T, else its partition stops at that record (told on stderr; the others go
 * on). Per batch, a batch whose command keeps failing is narrowed down (its records run one at a
 * time) to the record that fails alone, and only that one is dead-lettered or stops its partition.
 * Ctrl-C stops the commands running (SIGTERM), commits what finished, and leaves the group.
 */
import { spawn } from 'node:child_process';
import type { ConsumedMessage, FailurePolicy, GroupConsumerOptions, RunOptions, Samsa } from '../../libs/client/index.js';
import type { CommandContext } from '../context.js';
import { count } from '../output.js';

export interface ExecOptions {
  command: string;
  per: 'record' | 'batch';
  concurrency: number;
  onError: FailurePolicy;
}

/** The most bytes of a failed command's stderr kept for its error message. */
const STDERR_TAIL = 2048;

/** Runs `command` with `input` on stdin; rejects when it exits non-zero or is killed. */
export function runCommand(command: string, input: Buffer, env: Record<string, string>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], {
      stdio: ['pipe', 'inherit', 'pipe'],
      env: { ...process.env, ...env },
      signal,
      killSignal: 'SIGTERM',
    });
    let tail = Buffer.alloc(0);
    child.stderr.on('data', (b: Buffer) => {
      process.stderr.write(b);
      tail = Buffer.concat([tail, b]).subarray(-STDERR_TAIL);
    });
    // A command that does not read its stdin closes it early: that is not an error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
    child.on('error', reject);
    child.on('close', (code, sig) => {
      if (code === 0) return resolve();
      const why = sig !== null ? `was killed by ${sig}` : `exited with code ${code}`;
      const stderr = tail.toString('utf8').trim();
      reject(new Error(`\`${command}\` ${why}${stderr ? `: ${stderr.split('\n').at(-1)}` : ''}`));
    });
  });
}

function recordEnv(m: ConsumedMessage): Record<string, string> {
  return {
    SAMSA_TOPIC: m.topic,
    SAMSA_PARTITION: String(m.partition),
    SAMSA_OFFSET: String(m.offset),
    SAMSA_TIMESTAMP_MS: String(m.timestampMs),
    ...(m.key ? { SAMSA_KEY: m.key.toString('utf8') } : {}),
  };
}

export async function consumeExec(
  samsa: Samsa,
  io: Pick<CommandContext, 'stderr' | 'onInterrupt'>,
  member: GroupConsumerOptions,
  exec: ExecOptions,
  toJson: (m: ConsumedMessage) => string,
): Promise<void> {
  const consumer = samsa.groupConsumer(member);
  const unregister = io.onInterrupt(() => void consumer.close());
  let done = 0;
  const run: RunOptions =
    exec.per === 'record'
      ? {
          eachMessage: async ({ message, signal }) => {
            await runCommand(exec.command, message.value ?? Buffer.alloc(0), recordEnv(message), signal);
            done++;
          },
        }
      : {
          eachBatch: async ({ batch, signal }) => {
            const { messages } = batch;
            const input = Buffer.from(messages.map((m) => `${toJson(m)}\n`).join(''));
            const env = {
              SAMSA_TOPIC: batch.topic,
              SAMSA_PARTITION: String(batch.partition),
              SAMSA_FIRST_OFFSET: String(messages[0]?.offset ?? ''),
              SAMSA_LAST_OFFSET: String(messages.at(-1)?.offset ?? ''),
              SAMSA_COUNT: String(messages.length),
            };
            await runCommand(exec.command, input, env, signal);
            done += messages.length;
          },
        };
  try {
    await consumer.run({
      ...run,
      partitionsConsumedConcurrently: exec.concurrency,
      onError: exec.onError,
      onPartitionStopped: (s) =>
        io.stderr(
          `partition ${s.topic}/${s.partition} stopped at offset ${s.offset}: ${s.error.message} (committed up to there; the other partitions go on)`,
        ),
    });
  } finally {
    unregister();
    await consumer.close();
    io.stderr(`ran \`${exec.command}\` for ${count(done)} records as a member of group ${member.groupId}`);
  }
}
