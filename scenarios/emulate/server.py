#!/usr/bin/env python3
"""A tiny TCP server in the spirit of the document tcpsim started from:
it listens on port 8866 (or the port given), and answers every line a
client sends with "hahaha". Standard library only.

    python3 server.py [PORT]
"""
import socket
import sys


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8866
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", port))
    srv.listen(5)
    print("listening on port", port, flush=True)
    while True:
        conn, addr = srv.accept()
        with conn:
            data = conn.recv(1024)
            print("got", repr(data.decode(errors="replace").strip()), "from", addr[0], flush=True)
            conn.sendall(b"hahaha\n")


if __name__ == "__main__":
    main()
