/**
 * Server responses encoded into one reused buffer (issue 17).
 *
 * proto-loader's serializer encodes each response into a fresh buffer of its size
 * (protobufjs' BufferWriter.finish), and grpc-js then copies that into a fresh frame of its own
 * (serializeMessage: allocUnsafe(length + 5), copy) and drops it. For a 1 MiB Consume or Replicate
 * response that is a 1 MiB external allocation that lives for microseconds; on a broker serving
 * consumers these allocations, not the JS heap, start most of its garbage collections
 * (docs/benchmarks.md, ninth session). Here every response of every Samsa service is encoded by the
 * same protobufjs code into a scratch buffer this process keeps, so the bytes are those
 * proto-loader would give (test/unit/rpc/response-encoding.test.ts checks it), and the only fresh
 * allocation per response left is grpc-js' frame.
 *
 * Why one shared buffer is safe: grpc-js (1.14) calls a method's responseSerialize only in its
 * server call's serializeMessage, which copies the result into the frame before it returns, with
 * no JS run in between; so the next serialization can overwrite the scratch. Clients never use
 * responseSerialize (they encode requests with requestSerialize, which is left as it was: a
 * retrying client call keeps its encoded request). test/unit/rpc/response-encoding.test.ts checks
 * that copy on the installed grpc-js, so an upgrade that changes it fails there.
 */
import { isAbsolute, join } from 'node:path';
import type * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';

/** The buffer every response is encoded into; grown (never shrunk) to the largest response. */
let scratch: Buffer = Buffer.allocUnsafeSlow(64 * 1024);

function scratchOf(size: number): Buffer {
  if (size > scratch.length) {
    let length = scratch.length;
    while (length < size) length *= 2;
    scratch = Buffer.allocUnsafeSlow(length);
  }
  return scratch.subarray(0, size);
}

/** protobufjs' writer for Node buffers, finishing into the scratch instead of a fresh buffer. */
class ScratchWriter extends protobuf.BufferWriter {
  static override alloc(size: number): Buffer {
    return scratchOf(size);
  }
}

/** A serializer that encodes `type` into the scratch buffer; its result is valid until the next call. */
export function scratchSerializer(type: protobuf.Type): (value: object) => Buffer {
  return (value) => {
    // As proto-loader's serializer: an array is not a message (fromObject would take it as one).
    if (Array.isArray(value)) throw new Error(`cannot serialize ${type.name}: expected an object, got an array`);
    return type.encode(type.fromObject(value), new ScratchWriter()).finish() as Buffer;
  };
}

/**
 * Replaces responseSerialize of every method of every service in `definition`, in place, with a
 * scratch serializer of the same message type, read from `files` under `includeDir` (the files
 * the definition was loaded from, with the same options).
 */
export function scratchResponseSerializers(
  definition: protoLoader.PackageDefinition,
  files: readonly string[],
  includeDir: string,
  options: { keepCase?: boolean },
): void {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (isAbsolute(target) ? target : join(includeDir, target));
  root.loadSync([...files], { keepCase: options.keepCase ?? false });
  root.resolveAll();
  for (const entry of Object.values(definition)) {
    if ('format' in entry) continue; // a message or enum, not a service
    for (const method of Object.values(entry)) {
      const [, service = '', name = ''] = method.path.split('/');
      const type = root.lookupService(service).methods[name]?.resolvedResponseType;
      if (!type) throw new Error(`response-encoding: no response type for ${method.path}`);
      method.responseSerialize = scratchSerializer(type);
    }
  }
}
