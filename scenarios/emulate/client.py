#!/usr/bin/env python3
"""A tiny TCP client in the spirit of the document tcpsim started from:
it connects to the server, sends a line, prints the reply and closes.
Standard library only.

    python3 client.py HOST [PORT] [MESSAGE]
"""
import socket
import sys
import time


def main():
    host = sys.argv[1] if len(sys.argv) > 1 else "10.0.0.2"
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 8866
    msg = sys.argv[3] if len(sys.argv) > 3 else "hello from the client"
    # The server may still be starting: try again for a while if it
    # refuses the connection (a refused SYN is answered by a RST).
    for attempt in range(40):
        try:
            s = socket.create_connection((host, port), timeout=30)
            break
        except ConnectionRefusedError:
            time.sleep(0.25)
    else:
        sys.exit("no server at %s:%d" % (host, port))
    with s:
        s.sendall(msg.encode() + b"\n")
        reply = b""
        while not reply.endswith(b"\n"):
            chunk = s.recv(1024)
            if not chunk:
                break
            reply += chunk
    print("reply:", reply.decode(errors="replace").strip(), flush=True)


if __name__ == "__main__":
    main()
