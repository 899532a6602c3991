/**
 * Several partition streams read at once as one async iterator, in arrival order (offset order
 * within each partition). Each source has at most one next() outstanding, so a slow consumer of
 * the merged stream slows every source instead of buffering. Ending the merged iterator (break,
 * return, an error from a source) closes every source.
 */
export interface Closable<T> extends AsyncIterable<T> {
  close(): void;
}

type Event<T> = { index: number; result: IteratorResult<T> } | { index: number; error: unknown };

export async function* mergeStreams<T>(sources: readonly Closable<T>[]): AsyncGenerator<T, void, undefined> {
  const iterators = sources.map((s) => s[Symbol.asyncIterator]());
  const ready: Event<T>[] = [];
  let wake: (() => void) | undefined;
  const pull = (index: number): void => {
    (iterators[index] as AsyncIterator<T>).next().then(
      (result) => push({ index, result }),
      (error: unknown) => push({ index, error }),
    );
  };
  const push = (event: Event<T>): void => {
    ready.push(event);
    wake?.();
    wake = undefined;
  };
  let live = iterators.length;
  try {
    for (let i = 0; i < iterators.length; i++) pull(i);
    while (live > 0) {
      if (ready.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      const event = ready.shift() as Event<T>;
      if ('error' in event) throw event.error;
      if (event.result.done) {
        live--;
        continue;
      }
      yield event.result.value;
      pull(event.index);
    }
  } finally {
    for (const s of sources) s.close();
  }
}
