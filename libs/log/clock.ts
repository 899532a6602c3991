/** Time as a parameter: rolling and retention read the clock through this, so tests need no sleeping. */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };
