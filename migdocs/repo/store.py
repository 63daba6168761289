"""Stored copies of original files, content-addressed by SHA-256.

`hashlib` and `tempfile` are imported where a file is hashed or written: `get` and `list` open
the store but never write, and the two (with `random` and `shutil` behind `tempfile`) were
7 ms of a 87 ms `migdocs get` start-up.
"""

from __future__ import annotations

import os
from pathlib import Path

from migdocs.errors import FileChangedError


def sha256_of(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class FileStore:
    """`files/ab/abcdef…`: one copy per distinct content, written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, source: Path, sha256: str) -> Path:
        """Copy `source` in under its hash. The copy is hashed as it is written and must have
        `sha256`: a file that changed since it was hashed (still being saved or downloaded)
        raises FileChangedError and nothing is stored, so a stored file always matches its name."""
        target = self.path(sha256)
        if target.is_file():
            return target
        import hashlib
        import tempfile

        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            digest = hashlib.sha256()
            with open(source, "rb") as src, os.fdopen(fd, "wb") as dst:
                for block in iter(lambda: src.read(1 << 20), b""):
                    digest.update(block)
                    dst.write(block)
            if digest.hexdigest() != sha256:
                raise FileChangedError(str(source))
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return target

    def hashes(self) -> set[str]:
        return {p.name for p in self.root.glob("??/*") if not p.name.startswith(".")}

    def prune(self, *, keep: set[str]) -> list[str]:
        """Delete stored files no document refers to any more; their hashes."""
        dropped = sorted(self.hashes() - keep)
        for sha in dropped:
            self.path(sha).unlink(missing_ok=True)
        return dropped
