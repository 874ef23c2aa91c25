// The process groups checks are running in, kept in memory shared with the main
// thread, so the agent can kill every one of them synchronously when it exits,
// even if a worker thread is stuck or already gone.

export class GroupRegistry {
  private readonly slots: Int32Array;

  constructor(buffer: SharedArrayBuffer) {
    this.slots = new Int32Array(buffer);
  }

  add(pgid: number): void {
    for (let i = 0; i < this.slots.length; i++) {
      if (Atomics.compareExchange(this.slots, i, 0, pgid) === 0) return;
    }
    // Full: the group is still waited for and killed at its deadline, only not at agent exit.
  }

  remove(pgid: number): void {
    for (let i = 0; i < this.slots.length; i++) {
      if (Atomics.compareExchange(this.slots, i, pgid, 0) === pgid) return;
    }
  }
}
