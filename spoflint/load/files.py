"""Reading a file safely: what kind of file it is, and its bytes, bounded before the read
starts. A FIFO, a device or a socket is never opened by a directory walk (a FIFO would
block, `/dev/zero` never ends); a regular file past the limit is refused from its size,
without reading it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import InputError
from .limits import MAX_BYTES

# read-only, never blocking on a FIFO at open, bytes as written (Windows)
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def kind(mode: int) -> str | None:
    """What a file is when it is not a regular file ("a FIFO (named pipe)"), else None."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def not_regular(path: Path) -> str | None:
    """Why `path` (its symlinks followed) is not a file to read: "a FIFO (named pipe)", a
    device, a socket, "a dangling symbolic link"; None for a regular file."""
    try:
        return kind(os.stat(path).st_mode)
    except FileNotFoundError:
        return "a dangling symbolic link" if os.path.islink(path) else "missing"
    except OSError as error:
        return f"unreadable ({error.strerror or error})"


def too_big(size: int, limit: int = MAX_BYTES) -> str:
    """What is wrong with a file of `size` bytes, past `limit`."""
    return f"the file is {size:,} bytes; the limit is {limit:,} ({limit >> 20} MiB)"


def read_bytes(path: str | os.PathLike[str], shown: str, limit: int = MAX_BYTES, regular: bool = True) -> bytes:
    """The bytes of a file, at most `limit` of them: one read, bounded before it starts.

    The file is opened without blocking and checked once open (so a file swapped for a
    FIFO after a walk looked at it still cannot block): a regular file past `limit` is
    refused from its size; with `regular=False` (a baseline or a config the user named,
    which may be a pipe: `--baseline <(git show ...)`) anything else is read up to
    `limit` bytes and refused past it (`/dev/zero`). Every failure is an InputError."""
    try:
        fd = os.open(path, _FLAGS)
    except OSError as error:
        raise InputError(shown, 1, 1, f"cannot read file: {error.strerror or error}") from None
    try:
        info = os.fstat(fd)
        what = kind(info.st_mode)
        if what is not None and (regular or stat.S_ISDIR(info.st_mode)):
            raise InputError(shown, 1, 1, f"cannot read file: it is {what}, not a regular file")
        if what is None and info.st_size > limit:
            raise InputError(shown, 1, 1, too_big(info.st_size, limit))
        if what is not None:
            os.set_blocking(fd, True)  # a pipe the user named: wait for its writer
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        raise InputError(shown, 1, 1, f"cannot read file: {error.strerror or error}") from None
    finally:
        os.close(fd)
    if size > limit:  # it grew since, or it never ends (a device, a pipe)
        raise InputError(shown, 1, 1, f"the file holds more than {limit:,} bytes, the limit ({limit >> 20} MiB)")
    return b"".join(chunks)


def mentions(path: str | os.PathLike[str], needle: bytes, limit: int = MAX_BYTES) -> bool:
    """Whether the first `limit` bytes of a regular file hold `needle`: read a chunk at a
    time, so that a large file beside the one asked about (the 36 MB estate in the
    folder above a Compose project) is scanned, never held whole. False for anything but
    a regular file, and for a file that cannot be read."""
    try:
        fd = os.open(path, _FLAGS)
    except OSError:
        return False
    try:
        if kind(os.fstat(fd).st_mode) is not None:
            return False
        tail, seen = b"", 0  # the end of the last chunk, where a needle may start
        while seen < limit:
            chunk = os.read(fd, min(1 << 20, limit - seen))
            if not chunk:
                return False
            seen += len(chunk)
            block = tail + chunk
            if needle in block:
                return True
            tail = block[len(block) - len(needle) + 1 :] if len(needle) > 1 else b""
        return False
    except OSError:
        return False
    finally:
        os.close(fd)
