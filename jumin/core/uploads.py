"""Uploaded files: refuse one that is too big before a byte of it is read.

Django has already streamed an upload to a temporary file (anything over
``FILE_UPLOAD_MAX_MEMORY_SIZE``); ``upload.size`` is known without reading it. Every page and
endpoint that takes a file checks the size of its kind here first (the limits are settings,
``docs/formats/limits.md``), so a 2 GB "bank file" is a message, not a worker holding 2 GB.
Services that receive the bytes (the CLI reads a path) check the same limit with
``check_size``.
"""

from django.core.exceptions import ValidationError

MEGABYTE = 1024 * 1024


def size_text(size: int) -> str:
    """``209715200`` → ``"200 MB"``; small limits keep one decimal (``"0.5 MB"``)."""
    megabytes = size / MEGABYTE
    return f"{megabytes:,.0f} MB" if megabytes >= 10 else f"{megabytes:,.1f} MB"


def check_size(size: int | None, *, limit: int, field: str = "file") -> None:
    """``ValidationError`` naming the limit when ``size`` is over it, or the file is empty."""
    if not size:
        raise ValidationError({field: "文件是空的"})
    if size > limit:
        raise ValidationError(
            {field: f"文件过大（{size_text(size)}，最大 {size_text(limit)}），请分成几个文件导入"}
        )


def check_lines(data: bytes, *, limit: int, field: str = "file") -> None:
    """``ValidationError`` when ``data`` holds more than ``limit`` lines (counted in C)."""
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if lines > limit:
        raise ValidationError({field: f"文件超过 {limit:,} 行，请分成几个文件导入"})


def read_upload(upload, *, limit: int, field: str = "file") -> bytes:
    """The bytes of ``upload`` after its size was checked against ``limit``."""
    check_size(upload.size, limit=limit, field=field)
    return b"".join(upload.chunks())
