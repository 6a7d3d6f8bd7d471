"""Checks before sending: the clean exports of a post's images, and what a platform refuses.

Connectors only ever get the clean export (re-encoded, without metadata, redactions applied)
from the outbox; this reads it and tells its kind from its first bytes (never its file name,
which stays out of messages and logs like everything about the photo), so ``validate`` can
refuse what a platform would refuse before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from core.platforms import measure
from core.publishing.connectors import (
    PermanentPublishError,
    PublishRequest,
    TransientPublishError,
    UncertainOutcome,
)

T = TypeVar("T")

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


@dataclass(frozen=True, slots=True)
class ImageFile:
    """One image ready to upload: its bytes and MIME type (``""`` when not recognised)."""

    data: bytes
    mime: str

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def filename(self) -> str:
        """A neutral upload name (never the real one)."""
        extension = self.mime.rpartition("/")[2] or "bin"
        return f"image.{'jpg' if extension == 'jpeg' else extension}"


ImageChecks = Callable[[PublishRequest, list[ImageFile]], list[str]]
"""A platform's problem codes for a request and its images (text, count, size, kinds…)."""


def sniff(data: bytes) -> str:
    """The image's MIME type from its first bytes; ``""`` when it is none we know."""
    for signature, mime in _SIGNATURES:
        if data.startswith(signature):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return ""


def read_images(paths: tuple[Path, ...]) -> list[ImageFile]:
    """The images' bytes and kinds. A file that cannot be read is a ``TransientPublishError``
    (``media_error``): nothing was sent, and the next attempt exports the images again."""
    images: list[ImageFile] = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise TransientPublishError(
                "An image of the post could not be read for upload.", code="media_error"
            ) from exc
        images.append(ImageFile(data, sniff(data)))
    return images


def image_problems(
    images: list[ImageFile], *, max_count: int, max_bytes: int | None, kinds: frozenset[str]
) -> list[str]:
    """Problem codes of ``images`` against a platform's limits: ``too_many_images``,
    ``image_too_large``, ``unsupported`` (a kind the platform does not take)."""
    problems: list[str] = []
    if len(images) > max_count:
        problems.append("too_many_images")
    if max_bytes is not None and any(i.size > max_bytes for i in images):
        problems.append("image_too_large")
    if any(i.mime not in kinds for i in images):
        problems.append("unsupported")
    return problems


def alt_text(request: PublishRequest, index: int) -> str:
    """The description of the request's ``index``-th image (``""`` when it has none)."""
    return request.alt_texts[index] if index < len(request.alt_texts) else ""


def validate_images(request: PublishRequest, platform: str, checks: ImageChecks) -> list[str]:
    """``validate`` for a connector that checks the images themselves: what ``checks`` finds,
    or — when an image cannot be read — the text's problems and ``image_unreadable``."""
    try:
        images = read_images(request.image_paths)
    except TransientPublishError:
        return [*measure(request.text, platform).problems, "image_unreadable"]
    return checks(request, images)


def upload_images(
    request: PublishRequest,
    name: str,
    checks: ImageChecks,
    upload: Callable[[ImageFile, str], T],
) -> list[T]:
    """``publish``'s steps before the post itself: reads the images, refuses the post (in
    ``name``'s words, nothing sent) when ``checks`` finds problems, then ``upload``s each image
    with its description, in order, ``before_the_post``. Returns what each upload returned."""
    images = read_images(request.image_paths)
    problems = checks(request, images)
    if problems:
        raise refusal(name, problems)
    with before_the_post():
        return [upload(image, alt_text(request, n)) for n, image in enumerate(images)]


def upload_refused(name: str, what: str = "an image") -> TransientPublishError:
    """The error for an upload the platform answered without the id of what it stored."""
    return TransientPublishError(f"{name} did not accept {what} upload.", code="upload")


@contextmanager
def before_the_post() -> Iterator[None]:
    """Wraps the steps before the post itself is created (image uploads): an unknown outcome
    there cannot have made a post (an uploaded image alone is not one), so it is a
    ``TransientPublishError``: the outbox retries without a look-up first."""
    try:
        yield
    except UncertainOutcome as exc:
        raise TransientPublishError(str(exc), code=exc.code) from exc


_PROBLEMS = {
    "empty": "the text is empty",
    "too_long": "the text is too long",
    "too_many_bytes": "the text is too long",
    "too_many_links": "the text has too many links",
    "too_many_hashtags": "the text has too many hashtags",
    "invalid_characters": "the text holds characters it does not accept",
    "too_many_images": "the post has too many images",
    "image_too_large": "an image is too large",
    "unsupported": "an image is of a kind it does not take",
    "alt_text_too_long": "an image description is too long",
    "image_unreadable": "an image could not be read",
}


def refusal(name: str, problems: list[str]) -> PermanentPublishError:
    """The error for a post ``validate`` found problems with (``code``: the first problem), in
    plain words: "X would refuse this post: the text is too long."."""
    words = [_PROBLEMS.get(p, p.replace("_", " ")) for p in problems]
    reasons = "; ".join(dict.fromkeys(words))
    return PermanentPublishError(f"{name} would refuse this post: {reasons}.", code=problems[0])
