#!/usr/bin/python3
# The fleet bench's independent observer: a kazoo client (another library than the agent's)
# that counts the fleet's nodes under ROOT/svc-0 .. ROOT/svc-(N-1) every INTERVAL seconds
# and prints one JSON line per round on stdout: the epoch ms of the round, the total, and
# the hosts whose count changed since the last line it printed ({"host": count}). A round
# that fails (no server answers) prints {"t": ..., "error": "..."} and counts nothing.
# Usage: observer.py SERVERS ROOT SERVICES INTERVAL_S

import json
import os
import sys
import threading
import time

from kazoo.client import KazooClient
from kazoo.exceptions import NoNodeError

servers, root, services, interval = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])


def emit(obj):
    sys.stdout.write(json.dumps(obj, separators=(',', ':')) + '\n')
    sys.stdout.flush()



def exit_with_parent():
    # Our stdin is a pipe from the bench: when it closes, the bench is gone, and so are we.
    sys.stdin.read()
    os._exit(0)


threading.Thread(target=exit_with_parent, daemon=True).start()

def new_client():
    return KazooClient(hosts=servers, timeout=10.0, connection_retry={'max_tries': -1, 'delay': 0.1, 'max_delay': 1.0, 'backoff': 1.5})


def retire(old):
    # Stopping a client that cannot reach a server waits; the rounds must not.
    try:
        old.stop()
        old.close()
    except Exception:
        pass


zk = new_client()
zk.start(timeout=60)
emit({'t': int(time.time() * 1000), 'ready': True})
last = {}
failing_since = None
while True:
    started = time.time()
    # kazoo never connects to a server that has seen less than it has (an ensemble rebuilt
    # without its data): after 2 s without an answer, a new client, knowing nothing, tries.
    if failing_since is not None and started - failing_since > 2:
        threading.Thread(target=retire, args=(zk,), daemon=True).start()
        zk = new_client()
        zk.start_async()
        failing_since = started
    try:
        if not zk.connected:
            raise ConnectionError('not connected')
        pending = [zk.get_children_async('%s/svc-%d' % (root, j)) for j in range(services)]
        counts = {}
        total = 0
        for p in pending:
            try:
                children = p.get(timeout=5)
            except NoNodeError:
                continue
            total += len(children)
            for c in children:
                host = c.rsplit(':', 1)[0]
                counts[host] = counts.get(host, 0) + 1
        changes = {h: n for h, n in counts.items() if last.get(h) != n}
        changes.update({h: 0 for h in last if h not in counts})
        last = counts
        emit({'t': int(started * 1000), 'total': total, 'changes': changes})
        failing_since = None
    except Exception as e:  # a round without an answer: the next one tries again
        emit({'t': int(started * 1000), 'error': type(e).__name__})
        if failing_since is None:
            failing_since = started
    time.sleep(max(0.0, interval - (time.time() - started)))
