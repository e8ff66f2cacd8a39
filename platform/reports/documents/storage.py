"""Where document bytes live: behind a small interface so object storage can replace the local
directory. Each render writes under a key of its own new document, so bytes a committed
document refers to are never replaced; a render whose document is not recorded deletes its
bytes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol

from wusong.core.settings import get_settings


class Storage(Protocol):
    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...


class LocalStorage:
    """Files under ``WUSONG_DATA_DIR/documents``: written to a temporary file, fsynced, then
    renamed into place (a reader never sees half a PDF); mode 0600."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"storage key outside the store: {key!r}")
        return path

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o600)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        """Remove bytes no document refers to (a render that lost its race); absent is fine."""
        self._path(key).unlink(missing_ok=True)


def default_storage() -> Storage:
    return LocalStorage(get_settings().data_dir / "documents")
