// A production ZooKeeper has been running for weeks; the bench's was started a second
// ago, and a cold JVM answers its first few thousand requests several times slower. So,
// before anything is timed, the observer drives the same kinds of requests the agent
// will (creates, reads with watches, deletes) through the server.

import type { TestClient } from '../test/support/zk-client.js';

const ROUNDS = 3;
const NODES = 1000;

export async function warmUpZooKeeper(observer: TestClient): Promise<void> {
  await observer.create('/bench-warm-up').catch(() => undefined);
  for (let round = 0; round < ROUNDS; round++) {
    const paths = Array.from({ length: NODES }, (_, i) => `/bench-warm-up/n${i}`);
    await Promise.all(paths.map((p) => observer.create(p, 'x')));
    await Promise.all(paths.map((p) => observer.getData(p)));
    await Promise.all(paths.map((p) => observer.remove(p)));
  }
  await observer.remove('/bench-warm-up');
}
