"""A TCP proxy between the processes under test and PostgreSQL, which the test cuts and
restores: the network between the site and its database failing, without touching the
shared server. Threads, one pair per connection; nothing beyond the standard library.

- ``cut()``: every connection through it is closed and each new one is closed as soon as
  it is taken, as when the database server stops or restarts (its port stays taken by the
  proxy meanwhile: another process's connection could otherwise be given it, and the
  proxy find it taken when restored);
- ``cut(silent=True)``: every connection is closed, and new ones are taken but never
  answered, as when the server hangs or the network drops packets: only the client's own
  timeout ends the wait;
- ``restore()``: connections go through again, on the same port.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class Proxy:
    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = 0
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._silent = False
        self._refusing = False
        self.passed = 0

    def __enter__(self) -> Proxy:
        self.restore()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            if self._listener is not None:
                self._close(self._listener)
                self._listener = None
            for sock in list(self._sockets):
                self._close(sock)
            self._sockets.clear()

    def restore(self) -> None:
        with self._lock:
            self._silent = False
            self._refusing = False
            # Connections taken while silent were never forwarded: their clients start again.
            for sock in list(self._sockets):
                self._close(sock)
            self._sockets.clear()
            if self._listener is None:
                self._listen()

    def cut(self, *, silent: bool = False) -> None:
        with self._lock:
            self._silent = silent
            self._refusing = not silent
            if self._listener is None:
                self._listen()
            for sock in list(self._sockets):
                self._close(sock)
            self._sockets.clear()

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return
            with self._lock:
                if listener is not self._listener:
                    client.close()
                    return
                if self._refusing:
                    self._close(client)
                    continue
                self._sockets.add(client)
                if self._silent:
                    continue
            try:
                server = socket.create_connection(self.upstream, timeout=10)
            except OSError:
                self._close(client)
                continue
            server.settimeout(None)
            with self._lock:
                self._sockets.add(server)
                self.passed += 1
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        self._close(source)
        self._close(sink)

    @staticmethod
    def _close(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            sock.close()
