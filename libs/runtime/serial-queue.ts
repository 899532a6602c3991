/**
 * Runs async tasks one at a time, in submission order: the next starts when the previous has
 * settled, whether it resolved or rejected. Each caller gets its own task's outcome; one task's
 * failure never poisons the queue for the next. Not reentrant: a task that awaits another task
 * of the same queue waits for itself and never finishes.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  /** Queues `task` behind every task queued before it; settles as `task` does. */
  run<T>(task: () => Promise<T> | T): Promise<T> {
    this.pending++;
    const result = this.tail.then(task, task) as Promise<T>;
    this.tail = result.then(
      () => this.pending--,
      () => this.pending--,
    );
    return result;
  }

  /** Resolves once every task queued so far has settled (never rejects). */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }

  /** Tasks queued or running. */
  get size(): number {
    return this.pending;
  }
}
