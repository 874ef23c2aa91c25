# An independent ZooKeeper client over TLS for the TLS tests: kazoo (python3-kazoo), not the
# library the agent uses. JSON on stdin: {"hosts", "ca", "cert", "key", "ops": [[op, path, ...]]};
# op is get (data and ACL), set, delete or children. Prints one JSON result per op: the value,
# or {"error": exception class name}. A session that cannot be had exits 3 with the reason.
import json
import sys

from kazoo.client import KazooClient

req = json.load(sys.stdin)
zk = KazooClient(hosts=req["hosts"], use_ssl=True, ca=req["ca"], certfile=req.get("cert"), keyfile=req.get("key"), timeout=10.0)
try:
    zk.start(timeout=15)
except Exception as e:  # noqa: BLE001 - the reason is the output
    print(json.dumps({"session": type(e).__name__ + ": " + str(e)}))
    sys.exit(3)
out = []
for op in req["ops"]:
    try:
        if op[0] == "get":
            data, _ = zk.get(op[1])
            acls, _ = zk.get_acls(op[1])
            out.append({"data": data.decode("utf-8", "replace"), "acl": [[a.id.scheme, a.id.id, a.perms] for a in acls]})
        elif op[0] == "set":
            zk.set(op[1], op[2].encode())
            out.append("ok")
        elif op[0] == "delete":
            zk.delete(op[1])
            out.append("ok")
        elif op[0] == "children":
            out.append(sorted(zk.get_children(op[1])))
        else:
            raise ValueError(op[0])
    except Exception as e:  # noqa: BLE001
        out.append({"error": type(e).__name__})
zk.stop()
zk.close()
print(json.dumps(out))
