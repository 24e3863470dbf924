// The engine reads time through here so that tests (and campaign simulations)
// can run it on a virtual clock.
let offsetMs = 0;
let frozen: Date | null = null;

export function now(): Date {
  return frozen ? new Date(frozen) : new Date(Date.now() + offsetMs);
}

export const testClock = {
  set(date: Date) {
    frozen = new Date(date);
  },
  advance(ms: number) {
    if (frozen) frozen = new Date(frozen.getTime() + ms);
    else offsetMs += ms;
  },
  reset() {
    frozen = null;
    offsetMs = 0;
  },
};
