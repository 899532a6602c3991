// The handler of worker-consumer.mjs, loaded by each worker thread. CPU-bound on purpose: it hashes
// the record's value 200 times. Each handled record is appended (synchronously, so it survives a
// kill -9 of the process) to $SAMSA_EXAMPLE_OUT as "<partition> <offset> <digest>", or printed.
import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';

export function handle({ message }) {
  let digest = message.value ?? Buffer.alloc(0);
  for (let i = 0; i < 200; i++) digest = createHash('sha256').update(digest).digest();
  const line = `${message.partition} ${message.offset} ${digest.toString('hex').slice(0, 16)}`;
  if (process.env.SAMSA_EXAMPLE_OUT) appendFileSync(process.env.SAMSA_EXAMPLE_OUT, `${line}\n`);
  else console.log(line);
}
