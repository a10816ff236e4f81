"""Photos arriving with a form: checked one by one, and kept for the next sending when the form
is refused, so a field officer never picks the same photos twice.

A photo the checks refuse gets its message next to its field and is forgotten. A photo they
accept, on a form refused for another reason, is kept as a stored upload of the user
(`uploads.store`, kind "visit-photo", a few hours) whose token the re-shown form carries; the
next sending checks it again from those bytes. A saved form discards its tokens.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from werkzeug.datastructures import FileStorage

from tracker.models.user import User
from tracker.services.common import uploads
from tracker.services.visits import photos

KIND = "visit-photo"


@dataclass
class Intake:
    """The photos of one file field (and the ones kept for it from an earlier sending)."""

    accepted: list[photos.CleanPhoto] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)  # (token, file name)
    _new: list[tuple[str, bytes]] = field(default_factory=list)  # (file name, bytes) not kept yet

    def keep(self, user: User) -> None:
        """Store the newly accepted photos for the next sending (the form was refused)."""
        for filename, data in self._new:
            self.kept.append((uploads.store(user, KIND, filename, data), filename))
        self._new.clear()

    def discard(self) -> None:
        """The form was saved: the kept uploads are no longer needed."""
        for token, _name in self.kept:
            uploads.discard(token)


def take(user: User, files: Iterable[FileStorage] | None, kept_tokens: Iterable[str]) -> Intake:
    intake = Intake()
    for token in kept_tokens:
        try:
            upload = uploads.load(user, token, KIND)
        except uploads.UploadMissingError:
            continue  # expired or already saved: the form shows it is no longer there
        try:
            intake.accepted.append(photos.clean(upload.path.read_bytes(), upload.filename))
        except photos.PhotoRefusedError as refused:  # pragma: no cover - accepted once already
            intake.errors.append(refused.message)
            continue
        intake.kept.append((token, upload.filename))
    for storage in files or ():
        if not isinstance(storage, FileStorage) or not storage.filename:
            continue  # an empty file field
        data = storage.read()
        try:
            intake.accepted.append(photos.clean(data, storage.filename))
        except photos.PhotoRefusedError as refused:
            intake.errors.append(refused.message)
            continue
        intake._new.append((storage.filename, data))
    return intake
