# A TCP port whose handshakes never complete: a listener with backlog 0 that never
# accepts, its one accept-queue slot taken, so Linux drops every further SYN and the
# client's connect() hangs until the client gives up (a "blackhole" on loopback).
# Node cannot make one (its servers always accept). Prints the port; exits when stdin closes.
import socket
import sys

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(('127.0.0.1', 0))
server.listen(0)
port = server.getsockname()[1]
# Backlog 0 queues exactly one connection: this one, which fills the queue.
filler = socket.create_connection(('127.0.0.1', port), timeout=5)
print(port, flush=True)
sys.stdin.read()
