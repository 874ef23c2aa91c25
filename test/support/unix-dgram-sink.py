# A unix datagram socket for tests (Node cannot bind one): binds the path given as
# argv[1] (a leading '@' means Linux's abstract namespace), prints "ready" once bound,
# then every datagram it receives as one JSON string per line. Exits when stdin closes.
import json
import os
import socket
import sys
import threading

path = sys.argv[1]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind('\0' + path[1:] if path.startswith('@') else path)
if not path.startswith('@'):
    os.chmod(path, 0o666)
print(json.dumps('ready'), flush=True)


def exit_when_stdin_closes():
    sys.stdin.read()
    os._exit(0)


threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
while True:
    data = sock.recv(1 << 20)
    print(json.dumps(data.decode('utf-8', 'replace')), flush=True)
