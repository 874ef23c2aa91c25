"""For each input string: json.dumps(json.loads(s), separators=(',', ':')), or that it was refused."""
import json
import sys

out = []
for s in json.load(sys.stdin):
    try:
        out.append({'ok': True, 'out': json.dumps(json.loads(s), separators=(',', ':'))})
    except Exception:
        out.append({'ok': False})
print(json.dumps(out))
