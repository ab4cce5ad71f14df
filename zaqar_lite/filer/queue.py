"""FileQueue: the directory queue protocol.

A queue directory holds four folders on one file system:

``tmp/``
    where writers build a file before publishing it;
``incoming/``
    complete messages only: a file appears here by an atomic rename;
``pending/``
    files being worked on; a file gets here by an atomic rename from
    ``incoming/``, and whoever wins that rename owns it;
``errors/``
    files that failed, each with a ``.reason`` file beside it.

File names sort by creation time, so ``incoming/`` is taken oldest first.
A taken file's name in ``pending/`` carries the time it was taken, so files
left behind by a crashed owner can be put back into ``incoming/`` once they
are older than a limit.  Data is fsync'd before a file is published, and
the folder after each rename, so a published or moved file survives a
crash of the machine.
"""

import itertools
import os
import pathlib
import socket
import time

FOLDERS = ('incoming', 'pending', 'tmp', 'errors')
TAKEN_MARK = '.taken-'  # pending name: <name>.taken-<ns since epoch>

_counter = itertools.count()


def unique_name() -> str:
    """A name no other writer on any host makes: time first, so it sorts."""
    return (f'{time.time_ns():020d}.{socket.gethostname()}.{os.getpid()}.'
            f'{next(_counter):06d}')


def _fsync_dir(path: pathlib.Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _move(source: pathlib.Path, target: pathlib.Path) -> bool:
    """Rename atomically; False when another process took ``source`` first."""
    try:
        os.rename(source, target)
    except FileNotFoundError:
        return False
    _fsync_dir(target.parent)
    return True


class FileQueue:
    """One queue directory.

    Args:
        root: the queue directory; its four folders are created if missing.
    """

    def __init__(self, root):
        self.root = pathlib.Path(root)
        for folder in FOLDERS:
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        self.incoming = self.root / 'incoming'
        self.pending = self.root / 'pending'
        self.tmp = self.root / 'tmp'
        self.errors = self.root / 'errors'

    def enqueue(self, data: bytes) -> pathlib.Path:
        """Publish ``data`` as a new file in ``incoming/``; returns its path."""
        name = unique_name()
        staged = self.tmp / name
        with open(staged, 'xb') as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        target = self.incoming / name
        _move(staged, target)
        return target

    def waiting(self) -> int:
        """How many files are in ``incoming/``."""
        return sum(1 for _ in os.scandir(self.incoming))

    def take(self, limit: int) -> list[pathlib.Path]:
        """Own up to ``limit`` files from ``incoming/``, oldest first.

        Returns:
            the files, now in ``pending/``, that this call won.
        """
        taken = []
        for name in sorted(os.listdir(self.incoming)):
            if len(taken) == limit:
                break
            target = self.pending / f'{name}{TAKEN_MARK}{time.time_ns()}'
            if _move(self.incoming / name, target):
                taken.append(target)
        return taken

    def done(self, path: pathlib.Path) -> None:
        """Forget a file that was handled."""
        path.unlink(missing_ok=True)

    def fail(self, path: pathlib.Path, reason: str) -> pathlib.Path:
        """Move a pending file to ``errors/``, with its reason beside it."""
        target = self.errors / original_name(path)
        (self.errors / f'{target.name}.reason').write_text(reason + '\n')
        _move(path, target)
        return target

    def forward(self, path: pathlib.Path, other: 'FileQueue') -> pathlib.Path:
        """Hand a pending file to another queue directory's ``incoming/``."""
        target = other.incoming / original_name(path)
        _move(path, target)
        return target

    def release(self, path: pathlib.Path) -> pathlib.Path:
        """Give a pending file back to ``incoming/`` for anyone to take."""
        return self.forward(path, self)

    def recover(self, older_than: float) -> int:
        """Put back files taken more than ``older_than`` seconds ago.

        Returns:
            how many files went back to ``incoming/``.
        """
        cutoff = time.time_ns() - int(older_than * 1e9)
        recovered = 0
        for name in os.listdir(self.pending):
            base, mark, taken_at = name.rpartition(TAKEN_MARK)
            if mark and taken_at.isdigit() and int(taken_at) < cutoff:
                recovered += _move(self.pending / name, self.incoming / base)
        return recovered


def original_name(path: pathlib.Path) -> str:
    """The name a file had in ``incoming/``."""
    base, mark, _ = path.name.rpartition(TAKEN_MARK)
    return base if mark else path.name
