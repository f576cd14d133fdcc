"""The data versions each web process remembers while PostgreSQL says none has changed.

A kept public page is answered from its data version alone (``pagecache``), and reading
that version was the one query such a page still cost. On PostgreSQL every write of the
versions' table sends a notification on ``CHANNEL`` when its transaction commits (a
trigger made by the migrations, whoever writes the table). A process that remembers
versions listens on its own connection and, before each read, looks at that connection
without waiting: any notification forgets every version it remembers, and the next read
asks the database again. A version read is remembered only when the connection is
listening, so no commit after it can go unheard.

What a process may still answer from a version just replaced is what a request begun a
moment before the commit would have answered: the notification reaches the listening
connection as the commit ends, before the writer has been told of it (measured: within
20 µs on one machine). The process that writes forgets at once, without waiting for the
notification. A connection that breaks is found when it is looked at (the server ends
it, or the network drops it): everything is forgotten and the versions are read from
the database until listening again works. A network that fails without a word cannot
be heard; ``MAX_AGE`` bounds what it can cost.

Not used (every read goes to the database): on SQLite, with a read replica (whose
versions lag behind the notifications of the primary), inside a transaction (what it
reads may be its own uncommitted write), or with ``DATA_VERSION_WATCH`` false.
"""

from __future__ import annotations

import logging
import os
import select
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)

#: The channel the versions' table notifies on (migration 0003 of this app).
CHANNEL = "shinchoku_data_version"
#: Seconds a remembered version is trusted without a word from the database.
MAX_AGE = 30.0
#: Seconds between attempts to listen again after listening failed.
RETRY_AFTER = 5.0
#: The most versions remembered (each plan's code read, existing or not, and the site).
MAX_REMEMBERED = 10_000

#: What ``Watch.get`` answers for a version it does not remember.
UNKNOWN = object()


@dataclass
class Watch:
    """A process's remembered versions and the connection it listens on."""

    pid: int = field(default_factory=os.getpid)
    listener: Any = None
    failed_at: float = float("-inf")
    remembered: dict[object, tuple[int | None, float]] = field(default_factory=dict)
    #: Raised each time everything is forgotten: a version read from the database is
    #: remembered only if nothing was forgotten since it was asked for (another thread of
    #: the process may have heard of a newer one meanwhile).
    generation: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: Connections made by the process this one was forked from: never used, never
    #: closed here (closing would end the other process's session), kept from collection.
    inherited: list[Any] = field(default_factory=list)

    def get(self, key: object) -> tuple[object, int]:
        """The version remembered under ``key``, or ``UNKNOWN``; and the generation to
        give ``put`` with the version then read."""
        with self.lock:
            if not self._listening():
                return UNKNOWN, -1
            entry = self.remembered.get(key)
            if entry is None or time.monotonic() - entry[1] > MAX_AGE:
                return UNKNOWN, self.generation
            return entry[0], self.generation

    def put(self, key: object, version: int | None, generation: int) -> None:
        """Remember ``version``, read from the database after ``get`` answered
        ``generation``, unless something was heard (or the listening lost) since."""
        with self.lock:
            if self.listener is None or generation != self.generation:
                return
            if len(self.remembered) >= MAX_REMEMBERED:
                self.remembered.clear()
            self.remembered[key] = (version, time.monotonic())

    def forget(self) -> None:
        with self.lock:
            self._forget()

    def _forget(self) -> None:
        self.remembered.clear()
        self.generation += 1

    def close(self) -> None:
        with self.lock:
            self._close()

    def _close(self) -> None:
        self._forget()
        listener, self.listener = self.listener, None
        if listener is not None:
            try:
                listener.close()
            except Exception:  # already broken: nothing to close
                logger.debug("the listening connection was already broken", exc_info=True)

    def _listening(self) -> bool:
        """Whether the process listens and heard nothing since it last looked; what it
        heard (or a broken connection) forgets everything. Listens when it does not yet."""
        if self.listener is None:
            return self._listen()
        pgconn = self.listener.pgconn
        try:
            heard = False
            while True:
                pgconn.consume_input()
                while pgconn.notifies() is not None:
                    heard = True
                # Something still waiting is the rest of a message, or the end of the
                # connection, which the next read raises on.
                if not select.select([pgconn.socket], [], [], 0)[0]:
                    break
        except Exception:  # any failure of the connection: listen again
            logger.warning("data versions: the listening connection broke", exc_info=True)
            self._close()
            self.failed_at = time.monotonic()
            return False
        if heard:
            self._forget()
        return True

    def _listen(self) -> bool:
        if time.monotonic() - self.failed_at < RETRY_AFTER:
            return False
        connection = connections[DEFAULT_DB_ALIAS]
        try:
            listener = connection.get_new_connection(connection.get_connection_params())
            listener.autocommit = True
            listener.execute(f"LISTEN {CHANNEL}")
        except Exception:  # the database away: read it each time meanwhile
            logger.warning("data versions: cannot listen for changes", exc_info=True)
            self.failed_at = time.monotonic()
            return False
        self._forget()
        self.listener = listener
        return True


_watch: Watch | None = None


def watching(alias: str) -> Watch | None:
    """This process's watch when versions read through ``alias`` may be remembered now;
    else None (read them from the database)."""
    global _watch  # one per process
    if not settings.DATA_VERSION_WATCH or alias != DEFAULT_DB_ALIAS:
        return None
    connection = connections[alias]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return None
    if _watch is None or _watch.pid != os.getpid():
        inherited = [] if _watch is None else [*_watch.inherited, _watch.listener]
        _watch = Watch(inherited=inherited)
    return _watch


def forget() -> None:
    """Forget every remembered version: this process has just written one."""
    if _watch is not None and _watch.pid == os.getpid():
        _watch.forget()


def close() -> None:
    """Stop listening (a process about to fork its workers, a test ending)."""
    global _watch  # one per process
    if _watch is not None and _watch.pid == os.getpid():
        _watch.close()
    _watch = None
