#!/usr/bin/env python3
"""A stand-in for systemd's notify socket: binds a unix datagram socket at ADDRESS (a
path, or '@name' for the abstract namespace), prints "listening" as a JSON line once
bound, then one JSON line per datagram received: {"wall": epoch ms, "pid": the
sender's pid (SO_PASSCRED, as systemd reads it), "messages": ["KEY=value", ...]}.
Node cannot bind such a socket, hence Python."""
import json
import os
import socket
import struct
import sys
import time

address = sys.argv[1]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
sock.bind("\0" + address[1:] if address.startswith("@") else address)
print(json.dumps({"listening": address}), flush=True)
creds_size = struct.calcsize("3i")
while True:
    data, ancdata, _flags, _addr = sock.recvmsg(65536, socket.CMSG_SPACE(creds_size))
    pid = None
    for level, kind, payload in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = struct.unpack("3i", payload[:creds_size])[0]
    lines = [l for l in data.decode("utf-8", "replace").split("\n") if l]
    print(json.dumps({"wall": time.time() * 1000, "pid": pid, "messages": lines}), flush=True)
