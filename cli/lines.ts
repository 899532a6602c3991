/**
 * Lines of a byte stream as Buffers, so input that is not UTF-8 reaches the record as it was. A
 * line ends at \n; a \r right before it is dropped (CRLF files); the last line needs no \n. An
 * empty stream has no lines; "\n" is one empty line.
 */
import type { Readable } from 'node:stream';

export async function* byteLines(input: Readable): AsyncGenerator<Buffer, void, undefined> {
  let rest: Buffer | undefined;
  for await (const data of input) {
    const chunk = typeof data === 'string' ? Buffer.from(data) : (data as Buffer);
    let buf = rest ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
      yield trimCr(buf.subarray(start, nl));
      start = nl + 1;
    }
    buf = buf.subarray(start);
    rest = buf.length > 0 ? Buffer.from(buf) : undefined;
  }
  if (rest) yield trimCr(rest);
}

function trimCr(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === 13 ? line.subarray(0, line.length - 1) : line;
}
