"""HostDoorbell: rings reach every process of this host (UNIX datagrams).

Each process that has waiting claims binds one datagram socket in a shared
folder (``<database>.bells/`` beside a SQLite file; a folder in the
temporary directory named after the store for MongoDB).  A ring lists the
folder and sends one small datagram (``[project, queue, count]`` as JSON)
to every other socket there; a process that only posts binds nothing, and
a post with nobody waiting costs one directory listing.  The receiving
process wakes its own listeners from one thread.

The folder must belong to this process's user, and nobody else may write
to it (it is created with mode 0700): a folder where others could bind
sockets (and so read queue names) or remove ours is not used (waiting
claims then rely on their re-checks, and the log says why).

Nothing polls: a sleeping waiter costs no CPU and no database access.
Sends never block (a receiver whose queue is full, ``net.unix.max_dgram_qlen``
datagrams, misses the ring, and its waiters find the messages at their
next re-check); a socket left behind by
a process that died refuses datagrams and is removed by the next ring.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import socket
import threading
import time
import uuid
import weakref

from zaqar_lite.storage.doorbell import Doorbell

LOG = logging.getLogger(__name__)
SUFFIX = '.bell'
SUN_PATH_MAX = 100  # bytes; Linux allows 107 in a socket address
DATAGRAM_MAX = 4096  # bytes; a ring is [project (<= 256), queue (<= 64), n]
BIND_RETRY = 60.0  # seconds before binding again after a failure

_BELLS = weakref.WeakSet()


def _after_fork_in_child():
    for bell in list(_BELLS):
        bell.forget_parent()


os.register_at_fork(after_in_child=_after_fork_in_child)


class HostDoorbell(Doorbell):
    """A doorbell shared by the processes of one host through ``folder``.

    Args:
        folder: where the processes' sockets live; created (mode 0700)
            when missing.
    """

    def __init__(self, folder):
        super().__init__()
        self.folder = os.path.abspath(folder)
        self._state = threading.Lock()
        self._socket = None   # this process's receiving socket
        self._name = None     # its file name in the folder
        self._folder_fd = None
        self._folder_lock = threading.Lock()
        self._sender = None
        self._trusted = None  # whether the folder is ours (once it exists)
        self._failed_at = None  # monotonic time binding last failed
        _BELLS.add(self)
        atexit.register(self.close)

    # -- hearing ------------------------------------------------------------

    def _watch(self, key):
        with self._state:
            if self._socket is not None and not os.path.exists(
                    os.path.join(self.folder, self._name)):
                # removed under us (a cleaner of the temporary directory)
                self._socket.shutdown(socket.SHUT_RDWR)
                self._socket.close()
                self._socket = None
            if self._socket is None and (
                    self._failed_at is None
                    or time.monotonic() - self._failed_at > BIND_RETRY):
                self._bind()

    def _bind(self):
        name = f'{os.getpid()}-{uuid.uuid4().hex[:8]}{SUFFIX}'
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            os.makedirs(self.folder, mode=0o700, exist_ok=True)
            if not self._is_trusted():
                sock.close()
                self._failed_at = time.monotonic()
                return
            sock.bind(self._address(name))
        except OSError as exc:
            sock.close()
            self._failed_at = time.monotonic()
            LOG.error('cannot bind a doorbell socket in %s (%s); waiting '
                      'claims fall back to re-checking', self.folder, exc)
            return
        self._socket, self._name = sock, name
        threading.Thread(target=self._receive, args=(sock,), daemon=True,
                         name='zaqar-lite doorbell').start()

    def _receive(self, sock):
        while True:
            try:
                datagram = sock.recv(DATAGRAM_MAX)
            except OSError:
                return  # closed
            if not datagram:
                return  # shut down
            try:
                project, queue, count = json.loads(datagram)
            except (ValueError, TypeError):
                continue  # not a ring of ours
            self.wake_local((project, queue), count)

    # -- ringing ------------------------------------------------------------

    def _announce(self, key, count):
        # Called after a post is stored: a failure here must not fail it.
        try:
            names = os.listdir(self.folder)
            if not self._is_trusted():
                return
        except FileNotFoundError:
            return  # nobody ever waited
        except OSError as exc:
            LOG.warning('doorbell %s: %s', self.folder, exc)
            return
        datagram = json.dumps([key[0], key[1], count]).encode()
        for name in names:
            if name.endswith(SUFFIX) and name != self._name:
                self._send(name, datagram)

    def _send(self, name, datagram):
        try:
            self._sending_socket().sendto(datagram, self._address(name))
        except ConnectionRefusedError:
            self._remove(name)  # nobody is bound to it: its process died
        except (FileNotFoundError, BlockingIOError):
            pass  # gone meanwhile, or its reader is behind: it re-checks
        except OSError as exc:
            LOG.warning('doorbell %s/%s: %s', self.folder, name, exc)

    def _sending_socket(self):
        with self._state:
            if self._sender is None:
                self._sender = socket.socket(socket.AF_UNIX,
                                             socket.SOCK_DGRAM)
                self._sender.setblocking(False)
            return self._sender

    def _is_trusted(self) -> bool:
        """Whether the (existing) folder is this user's and only this
        user may write to it; checked once."""
        if self._trusted is None:
            info = os.stat(self.folder)
            self._trusted = (info.st_uid == os.geteuid()
                             and not info.st_mode & 0o022)
            if not self._trusted:
                LOG.error('doorbell folder %s belongs to another user or '
                          'others may write to it: not used; long-poll '
                          'claims will find posts at their re-checks only',
                          self.folder)
        return self._trusted

    def _remove(self, name):
        try:
            os.unlink(os.path.join(self.folder, name))
        except FileNotFoundError:
            pass

    def _address(self, name):
        """The socket address of ``name``: its path, or for a path too long
        for a socket address, the same file through ``/proc``."""
        path = os.path.join(self.folder, name)
        if len(os.fsencode(path)) <= SUN_PATH_MAX:
            return path
        with self._folder_lock:
            if self._folder_fd is None:
                self._folder_fd = os.open(self.folder,
                                          os.O_RDONLY | os.O_DIRECTORY)
        return f'/proc/self/fd/{self._folder_fd}/{name}'

    # -- life ---------------------------------------------------------------

    def forget_parent(self):
        """In a forked child: the parent's socket stays the parent's (the
        child's copy is closed, so it does not outlive the parent)."""
        for sock in (self._socket, self._sender):
            if sock is not None:
                sock.close()
        self._state = threading.Lock()
        self._socket = self._name = self._sender = None
        self._lock = threading.Lock()
        self._listeners = {}  # the parent's waiting threads are not here

    def close(self):
        with self._state:
            sock, name = self._socket, self._name
            self._socket = self._name = None
        if sock is not None:
            self._remove(name)
            sock.shutdown(socket.SHUT_RDWR)  # wakes the receiving thread
            sock.close()
        if self._sender is not None:
            self._sender.close()
            self._sender = None
        if self._folder_fd is not None:
            os.close(self._folder_fd)
            self._folder_fd = None
