"""Use cases of the image checklist: the photo library, the scan, the checklist a person signs,
photo spots, and the gate and clean export that posts go through.

Like every core service: each use case re-reads the acting staff member as stored now, opens
one unit of work and commits the change together with its audit event. Audit details and log
lines hold ids and counts only: never a file name, words read off a photo or a patient's name
(PHI). Untrusted files are parsed in ``core.imaging.ImageSandbox`` (a child process with
resource limits) before anything keeps them; the original stays untouched in the media vault
and redactions are burned in only by the clean export.

A change to a cleared photo (an answer, a redaction, a person, even its notes) drops the
sign-off: someone must look again. ``uncleared`` also compares each sign-off with what the
photo has now (its original, report and redactions), so a stale status can never let a photo
through.

The one exception is the photo's alt text (``set_alt_text``): words *about* the photo for
people using screen readers, published beside it. A sign-off covers what the posted copy
shows (the original, the scan, the redactions burned in), and an alt text changes none of
that. What it could leak, words, is checked where it is written, with the same PHI check as a
post's text, and a text with findings is refused. Dropping the sign-off for it would also
take the photo out of posts already approved for the sake of a description.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.audit.service import append_event
from core.clock import Clock
from core.consent import rules as consent_rules
from core.consent.ports import MediaStore
from core.errors import EditConflict, NotFound, PermissionDenied, StorageError, ValidationError
from core.imaging import checklist
from core.imaging.checklist import Problem
from core.imaging.model import (
    Answer,
    Box,
    ChecklistItem,
    ImageRecord,
    ImageReport,
    ImageStatus,
    Person,
    PersonKind,
    PhotoSpot,
    Redaction,
    RedactionStyle,
    SignOff,
)
from core.imaging.ports import ConsentLink, ImageQuery
from core.phi import scan_text
from core.ports import UnitOfWork, UnitOfWorkFactory
from core.progress import Progress
from core.staff.model import Permission, StaffMember

if TYPE_CHECKING:
    from core.imaging import ImageSandbox

MAX_NOTES = 2000
MAX_ALT_TEXT = 1000
"""The longest alt text: X takes no more (Mastodon 1,500, LinkedIn ~4,000), and a screen
reader's listener wants a sentence or two anyway."""
MAX_NAME = 100
MAX_FILENAME = 255
MAX_LIMIT = 1000
MAX_FOLDER_FILES = 5000
"""The most photos one folder import takes (its sub-folders included)."""
MAX_FOLDER_DIRS = 2000
"""The most folders one folder import walks: more means the wrong folder was chosen."""
_WINDOWS = sys.platform == "win32"


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did: the ids of the new photos, the names of files already in the
    library (same content), and each refused file's name with ``ImageRejected.reason`` and
    its params (for the summary the person sees; never logged)."""

    imported: tuple[int, ...] = ()
    duplicates: tuple[str, ...] = ()
    refused: tuple[tuple[str, str, dict[str, Any]], ...] = ()


def _default_sandbox() -> ImageSandbox:
    from core.imaging import ImageSandbox

    return ImageSandbox()


class ImagingService:
    """The photo library and its checklist.

    ``media`` is the media vault (originals, thumbnails, reference photos); ``known_names``
    lists the names the PHI check looks for in words read off a photo; ``consent`` gives the
    consent tracker (patients linked to a face); ``sandbox`` makes the child process that
    parses untrusted files.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        *,
        media: MediaStore | None,
        known_names: Callable[[], Iterable[str]],
        consent: Callable[[], ConsentLink],
        sandbox: Callable[[], ImageSandbox] | None = None,
        audit_clock: Clock | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._audit_clock = audit_clock or clock
        self._media = media
        self._known_names = known_names
        self._consent = consent
        self._sandbox = sandbox or _default_sandbox

    def as_of(self, clock: Clock) -> ImagingService:
        """This service acting at the times ``clock`` tells: for recording what happened
        earlier (the demo practice's history). Every rule still applies, and the audit trail
        keeps the real time of writing: it is never backdated."""
        return ImagingService(
            self._uow,
            clock,
            media=self._media,
            known_names=self._known_names,
            consent=self._consent,
            sandbox=self._sandbox,
            audit_clock=self._audit_clock,
        )

    # --- the library -----------------------------------------------------------------------
    def import_files(
        self, actor: StaffMember, paths: Sequence[Path]
    ) -> Generator[Progress, None, ImportResult]:
        """Import photos: each file is checked in the sandbox (refused files are listed with
        the reason), its original and a thumbnail go into the vault, and a record is added;
        a file whose content is already in the library is listed as a duplicate. One audit
        event with the counts (also when cancelled part-way: what was imported stays)."""
        from core.imaging import ImageRejected

        media = self._vault()
        with self._uow() as tx:
            _active(tx, actor, "import_images")
        imported: list[int] = []
        duplicates: list[str] = []
        refused: list[tuple[str, str, dict[str, Any]]] = []
        total = len(paths)
        try:
            with self._sandbox() as sandbox:
                for done, path in enumerate(paths):
                    yield Progress(done, total)
                    name = path.name[:MAX_FILENAME]
                    try:
                        inspected = sandbox.inspect(path)
                        content = path.read_bytes()
                    except ImageRejected as rejected:
                        refused.append((name, rejected.reason, dict(rejected.params)))
                        continue
                    except OSError:
                        refused.append((name, "unreadable", {"reason": "unreadable"}))
                        continue
                    if len(content) != inspected.size_bytes:  # changed while we looked
                        refused.append((name, "unreadable", {"reason": "unreadable"}))
                        continue
                    digest = hashlib.sha256(content).hexdigest()
                    if self.by_hash(digest) is not None:
                        duplicates.append(name)
                        continue
                    stored = media.put(content)
                    thumb = media.put(inspected.thumbnail) if inspected.thumbnail else None
                    record = ImageRecord(
                        id=None,
                        media_hash=stored,
                        filename=name,
                        imported_at=self._clock.now(),
                        imported_by=actor.id,
                        width=inspected.width,
                        height=inspected.height,
                        format=inspected.format,
                        size_bytes=inspected.size_bytes,
                        thumbnail_hash=thumb,
                    )
                    try:
                        with self._uow() as tx:
                            saved = tx.images.add(record)
                    except EditConflict:  # another workstation imported it just now
                        duplicates.append(name)
                        continue
                    assert saved.id is not None
                    imported.append(saved.id)
            yield Progress(total, total)
        finally:
            if imported or duplicates or refused:
                with self._uow() as tx:
                    person = _active(tx, actor, "import_images")
                    detail = (
                        f"{len(imported)} imported, {len(duplicates)} duplicates, "
                        f"{len(refused)} refused"
                    )
                    append_event(
                        tx, self._audit_clock, person, "image.import", "image", "batch", detail
                    )
        return ImportResult(tuple(imported), tuple(duplicates), tuple(refused))

    @staticmethod
    def folder_files(folder: Path, *, limit: int | None = None) -> list[Path]:
        """The photos to import from ``folder`` and its sub-folders (phones sync into nested
        folders such as ``DCIM/100APPLE``): files with a suffix ``IMPORT_SUFFIXES`` lists,
        sorted by their path inside ``folder`` (letter case aside).

        Hidden files and folders (a leading dot, or the Windows hidden attribute) are left
        out, and so are sub-folders that cannot be read (e.g. a drive's system folder). A
        folder reached twice through symbolic links is walked once, so a link loop ends.
        ``ValidationError`` (``field="folder"``): ``reason="unreadable"`` when ``folder``
        itself cannot be read; ``reason="too_many"`` (with ``limit``) when it holds more than
        ``limit`` photos (default ``MAX_FOLDER_FILES``), ``"too_many_folders"`` when it has
        more than ``MAX_FOLDER_DIRS`` folders (a whole disk was chosen, say): nothing is
        imported then, rather than an arbitrary part of it."""
        from core.imaging import IMPORT_SUFFIXES

        limit = MAX_FOLDER_FILES if limit is None else limit
        try:
            top = os.stat(folder)
        except OSError:
            top = None
        if top is None or not stat.S_ISDIR(top.st_mode) or not os.access(folder, os.R_OK):
            raise ValidationError(
                "This folder cannot be read.", field="folder", reason="unreadable"
            ) from None
        found: list[Path] = []
        seen = {(top.st_dev, top.st_ino)}
        walked = 0
        for root, dirs, files in os.walk(folder, followlinks=True):
            walked += 1
            if walked > MAX_FOLDER_DIRS:
                raise ValidationError(
                    f"This folder has more than {MAX_FOLDER_DIRS:,} sub-folders: choose the "
                    "folder the photos are in.",
                    field="folder",
                    reason="too_many_folders",
                    limit=MAX_FOLDER_DIRS,
                )
            base = Path(root)
            kept = []
            for name in sorted(dirs):
                key = _walk_key(base / name)
                if key is not None and key not in seen:
                    seen.add(key)
                    kept.append(name)
            dirs[:] = kept
            for name in files:
                path = base / name
                if path.suffix.lower() not in IMPORT_SUFFIXES or _hidden(path):
                    continue
                if path.is_file():
                    found.append(path)
                    if len(found) > limit:
                        raise _too_many(limit)
        return sorted(
            found,
            key=lambda p: (
                tuple(part.lower() for part in p.relative_to(folder).parts),
                str(p),
            ),
        )

    def list_images(self, query: ImageQuery) -> list[ImageRecord]:
        """A page of photos, newest first."""
        with self._uow() as tx:
            return tx.images.list(_clamped(query))

    def count_images(self, query: ImageQuery) -> int:
        with self._uow() as tx:
            return tx.images.count(query)

    def status_counts(self) -> dict[ImageStatus, int]:
        """How many photos have each status (every status present)."""
        with self._uow() as tx:
            counts = tx.images.status_counts()
        return {s: counts.get(s, 0) for s in ImageStatus}

    def get(self, image_id: int) -> ImageRecord:
        with self._uow() as tx:
            return tx.images.get(image_id)

    def by_hash(self, media_hash: str) -> ImageRecord | None:
        with self._uow() as tx:
            return tx.images.by_hashes([media_hash]).get(media_hash)

    def thumbnail(self, record: ImageRecord) -> bytes | None:
        """The thumbnail's JPEG bytes (long side at most 320 px, no metadata), or ``None``."""
        path = self._vault_path(record.thumbnail_hash)
        if path is None:
            return None
        try:
            return path.read_bytes()
        except OSError:
            return None

    def original_path(self, record: ImageRecord) -> Path | None:
        """The untouched original in the vault, or ``None`` when it is missing."""
        return self._vault_path(record.media_hash)

    # --- the scan --------------------------------------------------------------------------
    def scan(self, actor: StaffMember, image_id: int) -> Generator[Progress, None, ImageRecord]:
        """Scan the original (metadata, faces, words and the PHI check on them) and save the
        report: the faces become people (keeping how the same faces were resolved before);
        an unchecked photo in which anything was found needs attention; a cleared photo
        whose report changed is reset. Cancel by closing the generator: nothing is saved."""
        from core.imaging import scan_steps

        with self._uow() as tx:
            _active(tx, actor, "scan_image")
            record = tx.images.get(image_id)
        path = self.original_path(record)
        if path is None:
            raise NotFound(
                "The original of this photo is missing from the media folder.",
                entity="media",
                id=image_id,
            )
        names = tuple(self._known_names())
        found: ImageReport = yield from scan_steps(path, known_names=names)
        report = checklist.report_from_json(
            checklist.report_to_json(replace(found, scanned_at=self._clock.now()))
        )
        with self._uow() as tx:
            person = _active(tx, actor, "scan_image")
            current = tx.images.get(image_id)
            changed = _with_report(current, report)
            if changed is current:
                return current
            if current.status is ImageStatus.CLEARED:
                changed = self._reset(tx, person, changed)
            saved = tx.images.save(changed, current.version)
            append_event(
                tx, self._audit_clock, person, "image.scan", "image", image_id, _scan_detail(report)
            )
            return saved

    def unscanned(self, limit: int = 50) -> list[int]:
        """Ids of photos not scanned yet (oldest first, rejected ones left out)."""
        with self._uow() as tx:
            return tx.images.unscanned(max(1, min(limit, MAX_LIMIT)))

    # --- checklist edits -------------------------------------------------------------------
    def set_answer(  # noqa: PLR0917 - the signature the Images page codes against
        self,
        actor: StaffMember,
        image_id: int,
        version: int,
        item: ChecklistItem,
        answer: Answer,
        note: str = "",
    ) -> ImageRecord:
        """Answer one checklist item. ``note`` says why a pre-flagged item is not present
        (kept only with "not present")."""
        item, answer = ChecklistItem(item), Answer(answer)
        note = note.strip()
        if len(note) > MAX_NOTES:
            raise ValidationError("The note is too long.", field="note", limit=MAX_NOTES)

        def change(_tx: UnitOfWork, r: ImageRecord) -> ImageRecord:
            answers = {**r.answers, item: answer}
            notes = dict(r.flag_notes)
            notes.pop(item, None)
            if answer is Answer.NOT_PRESENT and note:
                notes[item] = note
            return replace(r, answers=answers, flag_notes=notes)

        return self._edit(
            actor, image_id, version, "answer", change, f"{item.value}: {answer.value}"
        )

    def set_redactions(
        self, actor: StaffMember, image_id: int, version: int, redactions: Sequence[Redaction]
    ) -> ImageRecord:
        """Replace the redaction boxes (clipped to the photo; a box outside it is refused)."""

        def change(_tx: UnitOfWork, r: ImageRecord) -> ImageRecord:
            return replace(r, redactions=tuple(_clip(r, x) for x in redactions))

        return self._edit(
            actor, image_id, version, "redact", change, f"{len(redactions)} redactions"
        )

    def add_person(self, actor: StaffMember, image_id: int, version: int, box: Box) -> ImageRecord:
        """Add someone the face detection missed (drawn by hand)."""

        def change(_tx: UnitOfWork, r: ImageRecord) -> ImageRecord:
            person = Person(box=_clip_box(r, box), source="manual")
            return replace(r, people=(*r.people, person))

        return self._edit(actor, image_id, version, "person_add", change)

    def remove_person(
        self, actor: StaffMember, image_id: int, version: int, index: int
    ) -> ImageRecord:
        """Remove a person added by hand (detected faces stay: resolve them instead)."""

        def change(_tx: UnitOfWork, r: ImageRecord) -> ImageRecord:
            if _person(r, index).source != "manual":
                raise ValidationError(
                    "A detected face cannot be removed: link it, mark it staff or redact it.",
                    field="person",
                )
            return replace(r, people=r.people[:index] + r.people[index + 1 :])

        return self._edit(actor, image_id, version, "person_remove", change, f"person {index}")

    def mark_staff(
        self,
        actor: StaffMember,
        image_id: int,
        version: int,
        index: int,
        staff_id: int | None = None,
    ) -> ImageRecord:
        """Mark a person as a member of staff (optionally which one)."""

        def change(tx: UnitOfWork, r: ImageRecord) -> ImageRecord:
            if staff_id is not None:
                tx.staff.get(staff_id)
            return _set_person(
                r, index, kind=PersonKind.STAFF, staff_id=staff_id, patient_id=None,
                authorization_id=None,
            )  # fmt: skip

        return self._edit(actor, image_id, version, "person_staff", change, f"person {index}")

    def mark_redacted(
        self,
        actor: StaffMember,
        image_id: int,
        version: int,
        index: int,
        style: RedactionStyle = RedactionStyle.BLUR,
    ) -> ImageRecord:
        """Hide a person: adds a redaction over their box (unless one covers it already)."""
        style = RedactionStyle(style)

        def change(_tx: UnitOfWork, r: ImageRecord) -> ImageRecord:
            person = _person(r, index)
            redactions = r.redactions
            if not person.box.covered_by([x.box for x in redactions], checklist.COVER_SHARE):
                redactions = (*redactions, Redaction(person.box, style, "face"))
            marked = _set_person(
                r, index, kind=PersonKind.REDACTED, staff_id=None, patient_id=None,
                authorization_id=None,
            )  # fmt: skip
            return replace(marked, redactions=redactions)

        return self._edit(actor, image_id, version, "person_redact", change, f"person {index}")

    def link_patient(
        self, actor: StaffMember, image_id: int, version: int, index: int, authorization_id: int
    ) -> ImageRecord:
        """Link a person to a patient through an authorization in effect; the photo is listed
        on the authorization, so revoking it pulls back the posts that use the photo."""
        consent = self._consent()
        auth = consent.get_authorization(authorization_id)
        if consent.status_of(auth) not in consent_rules.USABLE:
            raise ValidationError(
                "Only an authorization in effect can cover this photo.", field="authorization"
            )
        record = self.get(image_id)
        if record.version != version:
            raise _conflict()
        _person(record, index)
        if record.status is ImageStatus.REJECTED:
            raise _rejected()
        consent.add_media(actor, authorization_id, [record.media_hash])

        def change(_tx: UnitOfWork, r: ImageRecord) -> ImageRecord:
            return _set_person(
                r, index, kind=PersonKind.PATIENT, patient_id=auth.patient_id,
                authorization_id=authorization_id, staff_id=None,
            )  # fmt: skip

        return self._edit(
            actor, image_id, version, "person_link", change,
            f"person {index}: authorization {authorization_id}",
        )  # fmt: skip

    def unlink_person(
        self, actor: StaffMember, image_id: int, version: int, index: int
    ) -> ImageRecord:
        """Set a person back to unresolved (their redactions stay until removed)."""

        def change(_tx: UnitOfWork, r: ImageRecord) -> ImageRecord:
            return _set_person(
                r, index, kind=PersonKind.UNRESOLVED, patient_id=None, authorization_id=None,
                staff_id=None,
            )  # fmt: skip

        return self._edit(actor, image_id, version, "person_unlink", change, f"person {index}")

    def set_text_dismissed(
        self, actor: StaffMember, image_id: int, version: int, region_index: int, dismissed: bool
    ) -> ImageRecord:
        """Mark a line of text as not patient information (or take that back)."""

        def change(_tx: UnitOfWork, r: ImageRecord) -> ImageRecord:
            if r.report is None or not 0 <= region_index < len(r.report.text_regions):
                raise ValidationError("There is no such line of text.", field="text")
            kept = set(r.text_dismissed)
            if dismissed:
                kept.add(region_index)
            else:
                kept.discard(region_index)
            return replace(r, text_dismissed=frozenset(kept))

        detail = f"line {region_index}: {'dismissed' if dismissed else 'restored'}"
        return self._edit(actor, image_id, version, "text", change, detail)

    def set_spot(
        self, actor: StaffMember, image_id: int, version: int, spot_id: int | None
    ) -> ImageRecord:
        """Say where the photo was taken; empty notes get the spot's notes. The checklist
        still needs its sign-off."""

        def change(tx: UnitOfWork, r: ImageRecord) -> ImageRecord:
            if spot_id is None:
                return replace(r, spot_id=None)
            spot = tx.photo_spots.get(spot_id)
            if not spot.active and r.spot_id != spot_id:
                raise ValidationError("This photo spot is no longer in use.", field="spot")
            return replace(r, spot_id=spot_id, notes=r.notes or spot.notes)

        return self._edit(actor, image_id, version, "spot", change, f"spot {spot_id}")

    def set_notes(self, actor: StaffMember, image_id: int, version: int, notes: str) -> ImageRecord:
        notes = notes.strip()
        if len(notes) > MAX_NOTES:
            raise ValidationError("The notes are too long.", field="notes", limit=MAX_NOTES)

        def change(_tx: UnitOfWork, r: ImageRecord) -> ImageRecord:
            return replace(r, notes=notes)

        return self._edit(actor, image_id, version, "notes", change)

    def set_alt_text(
        self, actor: StaffMember, image_id: int, version: int, text: str
    ) -> ImageRecord:
        """Save what the photo shows for people using screen readers (trimmed; empty removes
        it). ``ValidationError`` with ``field="alt_text"``: ``reason="too_long"`` (``limit``)
        over ``MAX_ALT_TEXT`` characters; ``reason="phi"`` when the PHI check
        (``core.phi.scan_text`` with the patients' names; staff are not patients) finds
        anything, with ``findings``: each ``{"kind", "start", "end"}`` in the trimmed text.
        It is published with the photo, so nothing flagged is let through, as in a post's
        text. A cleared photo stays cleared (see the module docstring); a rejected one must be
        reopened first. Audited with the length only."""
        text = text.strip()
        if len(text) > MAX_ALT_TEXT:
            raise ValidationError(
                "The description is too long.",
                field="alt_text",
                reason="too_long",
                limit=MAX_ALT_TEXT,
            )
        names = tuple(self._known_names())
        with self._uow() as tx:
            person = _active(tx, actor, "image_alt_text")
            staff = [m.display_name for m in tx.staff.list(include_inactive=True)]
            found = scan_text(text, names, staff_names=staff)
            if found:
                raise ValidationError(
                    "The description may tell who someone is.",
                    field="alt_text",
                    reason="phi",
                    findings=[{"kind": f.kind, "start": f.start, "end": f.end} for f in found],
                )
            current = tx.images.get(image_id)
            if current.version != version:
                raise _conflict()
            if current.status is ImageStatus.REJECTED:
                raise _rejected()
            if current.alt_text == text:
                return current
            saved = tx.images.save(replace(current, alt_text=text), version)
            append_event(
                tx,
                self._audit_clock,
                person,
                "image.alt_text",
                "image",
                image_id,
                f"{len(text)} characters",
            )
            return saved

    def alt_texts(self, media_hashes: Sequence[str]) -> tuple[str, ...]:
        """The alt text of each photo, in order, for publishing (``PublishRequest.alt_texts``):
        ``""`` for a photo without one or not in the library, and for one whose text the PHI
        check flags now (a patient added since it was written): nothing flagged is published."""
        if not media_hashes:
            return ()
        with self._uow() as tx:
            records = tx.images.by_hashes(list(dict.fromkeys(media_hashes)))
            staff = [m.display_name for m in tx.staff.list(include_inactive=True)]
        names = tuple(self._known_names())
        result = []
        for digest in media_hashes:
            record = records.get(digest)
            text = record.alt_text if record is not None else ""
            if text and scan_text(text, names, staff_names=staff):
                text = ""
            result.append(text)
        return tuple(result)

    # --- sign-off ----------------------------------------------------------------------------
    def problems(self, record: ImageRecord) -> list[Problem]:
        """Why ``record`` cannot be signed off yet (empty: it can)."""
        return checklist.problems(record, authorization_in_effect=self._in_effect(record))

    def sign_off(self, actor: StaffMember, image_id: int, version: int) -> ImageRecord:
        """Clear the photo for posts: the checklist must have no problem left
        (``ValidationError`` with ``field="checklist"`` and the problem codes otherwise).
        Stores who, when, and digests of the original, report and redactions."""
        record = self.get(image_id)
        if record.version != version:
            raise _conflict()
        if record.status is ImageStatus.REJECTED:
            raise _rejected()
        found = self.problems(record)
        if found:
            raise ValidationError(
                "This photo cannot be signed off yet.",
                field="checklist",
                problems=[(p.code, dict(p.params)) for p in found],
            )
        with self._uow() as tx:
            person = _active(tx, actor, "sign_off_image")
            current = tx.images.get(image_id)
            if current.version != version:
                raise _conflict()
            signoff = SignOff(
                staff_id=person.id,
                at=self._clock.now(),
                media_hash=current.media_hash,
                report_digest=checklist.report_digest(current.report),
                redactions_digest=checklist.redactions_digest(current.redactions),
            )
            saved = tx.images.save(
                replace(current, status=ImageStatus.CLEARED, signoff=signoff), version
            )
            append_event(tx, self._audit_clock, person, "image.signoff", "image", image_id)
            return saved

    def reject(self, actor: StaffMember, image_id: int, version: int, reason: str) -> ImageRecord:
        """Mark the photo as not to be used, with a reason (kept, not audited: it may
        describe what the photo shows)."""
        reason = reason.strip()
        if len(reason) < checklist.MIN_REJECT_REASON:
            raise ValidationError(
                "Say in a few words why this photo is rejected.",
                field="reason",
                minimum=checklist.MIN_REJECT_REASON,
            )
        if len(reason) > MAX_NOTES:
            raise ValidationError("The reason is too long.", field="reason", limit=MAX_NOTES)
        with self._uow() as tx:
            person = _active(tx, actor, "reject_image")
            current = tx.images.get(image_id)
            if current.version != version:
                raise _conflict()
            saved = tx.images.save(
                replace(current, status=ImageStatus.REJECTED, signoff=None, rejected_reason=reason),
                version,
            )
            append_event(tx, self._audit_clock, person, "image.reject", "image", image_id)
            return saved

    def reopen(self, actor: StaffMember, image_id: int, version: int) -> ImageRecord:
        """Take a rejected or cleared photo back into the checklist (needs attention)."""
        with self._uow() as tx:
            person = _active(tx, actor, "reopen_image")
            current = tx.images.get(image_id)
            if current.version != version:
                raise _conflict()
            if current.status not in (ImageStatus.REJECTED, ImageStatus.CLEARED):
                return current
            saved = tx.images.save(
                replace(
                    current,
                    status=ImageStatus.NEEDS_ATTENTION,
                    signoff=None,
                    rejected_reason="",
                ),
                version,
            )
            append_event(tx, self._audit_clock, person, "image.reopen", "image", image_id)
            return saved

    # --- posts -----------------------------------------------------------------------------
    def uncleared(self, media_hashes: Sequence[str]) -> int:
        """How many of these images may not go into a post: not in the library, not cleared,
        or cleared for something other than what the photo has now."""
        wanted = list(dict.fromkeys(media_hashes))
        if not wanted:
            return 0
        with self._uow() as tx:
            records = tx.images.by_hashes(wanted)
        return sum(
            1 for h in wanted if h not in records or not checklist.signoff_matches(records[h])
        )

    def export_for_post(self, media_hash: str, dst: Path) -> None:
        """Write the clean copy of a cleared photo to ``dst``: upright, no metadata, its
        redactions burned in (``core.imaging.export_clean``, verified after writing).
        ``ValidationError`` (``field="media"``) for a photo that is not cleared,
        ``NotFound`` when its original is missing, ``ImageRejected`` when it cannot be read."""
        from core.imaging import export_clean

        record = self.by_hash(media_hash)
        if record is None or not checklist.signoff_matches(record):
            raise ValidationError(
                "This photo is not cleared for posts.", field="media", reason="not_cleared"
            )
        path = self.original_path(record)
        if path is None:
            raise NotFound(
                "The original of this photo is missing from the media folder.",
                entity="media",
                id=record.id,
            )
        export_clean(path, dst, redactions=record.redactions)

    def clean_suffix(self, media_hash: str) -> str:
        """The file suffix of the clean copy: ``.png`` for a PNG original, else ``.jpg``."""
        record = self.by_hash(media_hash)
        return ".png" if record is not None and record.format == "PNG" else ".jpg"

    # --- photo spots -----------------------------------------------------------------------
    def spots(self, *, include_inactive: bool = False) -> list[PhotoSpot]:
        with self._uow() as tx:
            return tx.photo_spots.list(include_inactive=include_inactive)

    def save_spot(
        self, actor: StaffMember, spot: PhotoSpot, reference: bytes | None = None
    ) -> PhotoSpot:
        """Add (``spot.id`` is ``None``) or update a photo spot read at ``spot.version``;
        ``reference`` is a new reference photo (checked in the sandbox, kept in the vault).
        Needs ``Permission.MANAGE_PHOTO_SPOTS``."""
        from core.staff.service import require

        require(actor, Permission.MANAGE_PHOTO_SPOTS)
        name = " ".join(spot.name.split())
        notes = spot.notes.strip()
        if not name:
            raise ValidationError("Give the photo spot a name.", field="name")
        if len(name) > MAX_NAME:
            raise ValidationError("The name is too long.", field="name", limit=MAX_NAME)
        if len(notes) > MAX_NOTES:
            raise ValidationError("The notes are too long.", field="notes", limit=MAX_NOTES)
        spot = replace(spot, name=name, notes=notes)
        if reference is not None:
            spot = replace(spot, reference_hash=self._checked_reference(reference))
        with self._uow() as tx:
            person = _active(tx, actor, "manage_photo_spots")
            require(person, Permission.MANAGE_PHOTO_SPOTS)
            if spot.id is None:
                saved = tx.photo_spots.add(spot)
                action = "photo_spot.create"
            else:
                saved = tx.photo_spots.save(spot, spot.version)
                action = "photo_spot.update"
            append_event(tx, self._audit_clock, person, action, "photo_spot", saved.id)
            return saved

    def spot_reference(self, spot: PhotoSpot) -> bytes | None:
        """A small JPEG of the spot's reference photo (long side at most 320 px, upright, no
        metadata), for comparing a photo with it; ``None`` when the spot has none, or it is
        missing from the vault or cannot be read. A library photo gives its thumbnail; any
        other reference is read in the sandbox, like every file that came from outside."""
        from core.imaging import ImageRejected

        if not spot.reference_hash:
            return None
        record = self.by_hash(spot.reference_hash)
        if record is not None and record.thumbnail_hash:
            thumb = self._vault_path(record.thumbnail_hash)
            if thumb is not None:
                try:
                    return thumb.read_bytes()
                except OSError:
                    pass
        path = self._vault_path(spot.reference_hash)
        if path is None:
            return None
        try:
            with self._sandbox() as sandbox:
                return sandbox.inspect(path).thumbnail or None
        except ImageRejected:
            return None

    # --- helpers ---------------------------------------------------------------------------
    def _edit(  # noqa: PLR0917 - who, which record at which version, what, how
        self,
        actor: StaffMember,
        image_id: int,
        version: int,
        action: str,
        change: Callable[[UnitOfWork, ImageRecord], ImageRecord],
        detail: str = "",
    ) -> ImageRecord:
        """Apply ``change`` to the record read at ``version`` and save it, audited as
        ``image.<action>``; a cleared record is reset first. Rejected photos are reopened
        before they change."""
        with self._uow() as tx:
            person = _active(tx, actor, f"image_{action}")
            current = tx.images.get(image_id)
            if current.version != version:
                raise _conflict()
            if current.status is ImageStatus.REJECTED:
                raise _rejected()
            changed = change(tx, current)
            if changed == current:
                return current
            if current.status is ImageStatus.CLEARED:
                changed = self._reset(tx, person, changed)
            saved = tx.images.save(changed, version)
            append_event(
                tx, self._audit_clock, person, f"image.{action}", "image", image_id, detail
            )
            return saved

    def _reset(self, tx: UnitOfWork, person: StaffMember, record: ImageRecord) -> ImageRecord:
        append_event(tx, self._audit_clock, person, "image.reset", "image", record.id)
        return replace(record, status=ImageStatus.NEEDS_ATTENTION, signoff=None)

    def _in_effect(self, record: ImageRecord) -> Callable[[int], bool]:
        """Whether an authorization is in effect today and lists this photo."""
        cache: dict[int, bool] = {}

        def in_effect(authorization_id: int) -> bool:
            if authorization_id not in cache:
                consent = self._consent()
                try:
                    auth = consent.get_authorization(authorization_id)
                except NotFound:
                    cache[authorization_id] = False
                else:
                    cache[authorization_id] = (
                        record.media_hash in auth.media_hashes
                        and consent.status_of(auth) in consent_rules.USABLE
                    )
            return cache[authorization_id]

        return in_effect

    def _vault(self) -> MediaStore:
        if self._media is None:
            raise StorageError("There is no media vault to keep photos in.", reason="no_vault")
        return self._media

    def _vault_path(self, digest: str | None) -> Path | None:
        if self._media is None or not digest:
            return None
        try:
            return self._media.path(digest) if self._media.exists(digest) else None
        except ValueError:
            return None

    def _checked_reference(self, content: bytes) -> str:
        """Keep a reference photo: one of the library's photos was checked when it was
        imported; any other is checked in the sandbox first (``ImageRejected``)."""
        digest = hashlib.sha256(content).hexdigest()
        if self.by_hash(digest) is not None:
            return digest
        media = self._vault()
        with self._sandbox() as sandbox:
            stored = media.put(content)
            sandbox.inspect(media.path(stored))
        return stored


def _active(tx: UnitOfWork, actor: StaffMember, action: str) -> StaffMember:
    """The actor as stored now; a deactivated one may do nothing."""
    person = tx.staff.get(actor.id)
    if not person.active:
        raise PermissionDenied("This staff member is deactivated.", action=action)
    return person


def _hidden(path: Path) -> bool:
    """A dot-file, or one Windows marks hidden."""
    if path.name.startswith("."):
        return True
    if not _WINDOWS:
        return False
    try:
        attributes = getattr(os.lstat(path), "st_file_attributes", 0)
    except OSError:
        return False
    return bool(attributes & getattr(stat, "FILE_ATTRIBUTE_HIDDEN", 0))


def _walk_key(path: Path) -> tuple[int, int] | None:
    """The identity of a sub-folder worth walking (device and inode of where a link leads);
    ``None`` for a hidden or unreadable one."""
    if _hidden(path):
        return None
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or not os.access(path, os.R_OK | os.X_OK):
        return None
    return (info.st_dev, info.st_ino)


def _too_many(limit: int) -> ValidationError:
    return ValidationError(
        f"This folder holds more than {limit:,} photos: import its sub-folders one at a time.",
        field="folder",
        reason="too_many",
        limit=limit,
    )


def _conflict() -> EditConflict:
    return EditConflict("Someone else changed this photo first.", entity="image")


def _rejected() -> ValidationError:
    return ValidationError("Reopen this rejected photo before changing it.", field="status")


def _clamped(query: ImageQuery) -> ImageQuery:
    return replace(query, offset=max(0, query.offset), limit=max(1, min(query.limit, MAX_LIMIT)))


def _person(record: ImageRecord, index: int) -> Person:
    if not 0 <= index < len(record.people):
        raise ValidationError("There is no such person in this photo.", field="person")
    return record.people[index]


def _set_person(record: ImageRecord, index: int, **changes: Any) -> ImageRecord:
    people = list(record.people)
    people[index] = replace(_person(record, index), **changes)
    return replace(record, people=tuple(people))


def _clip_box(record: ImageRecord, box: Box) -> Box:
    """``box`` cut to the photo; ``ValidationError`` when nothing of it is inside."""
    x0, y0 = max(0, box.x), max(0, box.y)
    x1 = min(record.width, box.x + box.width)
    y1 = min(record.height, box.y + box.height)
    if box.width <= 0 or box.height <= 0 or x1 <= x0 or y1 <= y0:
        raise ValidationError("The box must lie on the photo.", field="box")
    return Box(x0, y0, x1 - x0, y1 - y0)


def _clip(record: ImageRecord, redaction: Redaction) -> Redaction:
    return replace(redaction, box=_clip_box(record, redaction.box))


def _content(report: ImageReport | None) -> dict[str, Any] | None:
    """The report without its time: two scans that found the same are the same."""
    if report is None:
        return None
    data = checklist.report_to_json(report)
    data.pop("scanned_at")
    return data


def _with_report(record: ImageRecord, report: ImageReport) -> ImageRecord:
    """``record`` with a new scan report (``record`` itself when the scan found the same)."""
    if record.report is not None and _content(record.report) == _content(report):
        return record
    dismissed = record.text_dismissed
    if record.report is None or record.report.text_regions != report.text_regions:
        dismissed = frozenset()
    status = record.status
    if status is ImageStatus.UNCHECKED and checklist.found_anything(report):
        status = ImageStatus.NEEDS_ATTENTION
    return replace(
        record,
        report=report,
        people=checklist.people_from_report(report, record.people),
        text_dismissed=dismissed,
        status=status,
    )


def _scan_detail(report: ImageReport) -> str:
    """Counts only: never the words read."""
    return (
        f"{len(report.faces)} faces, {len(report.text_regions)} text lines "
        f"({len(report.phi_regions)} with patient information), "
        f"gps: {'yes' if report.metadata.get('gps') else 'no'}"
    )
