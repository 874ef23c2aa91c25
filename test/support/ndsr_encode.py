"""The reference for node data: for each zookeeper_data string, what zk_watcher 0.4
(_parse_data) plus nd_service_registry (funcs.encode) would store, with pid and
created fixed. Reads {"pid", "created", "inputs": [...]} on stdin; prints a JSON list."""
import json
import sys


def parse_data(data):  # zk_watcher.WatcherDaemon._parse_data
    try:
        return json.loads(data)
    except Exception:
        out = {}
        for pair in data.split(','):
            if len(pair.split('=')) == 2:
                out[pair.split('=')[0]] = pair.split('=')[1]
        return out


def encode(data, pid, created):  # nd_service_registry.funcs.encode
    if isinstance(data, str):
        data = {'string_value': data}
    all_data = {'pid': pid, 'created': created}
    if data:
        all_data.update(data)
    return json.dumps(all_data, separators=(',', ':'))


req = json.load(sys.stdin)
results = []
for text in req['inputs']:
    try:
        results.append({'ok': True, 'out': encode(parse_data(text), req['pid'], req['created'])})
    except Exception as e:
        results.append({'ok': False, 'error': type(e).__name__})
print(json.dumps(results))
