"""Pure-Python reader (and a tiny writer) for TensorBoard event files.

No tensorflow/tensorboard dependency (research/probe_anchors.md §11.3: a
stdlib parser is ~40x faster to import and keeps every point, where
``EventAccumulator`` reservoir-samples to 10,000 scalars per tag by default).

Format: TFRecord framing ``uint64 length | uint32 masked_crc32c(length) | data |
uint32 masked_crc32c(data)``; ``data`` is an ``Event`` protobuf: ``wall_time`` = 1
(double), ``step`` = 2 (varint), ``summary`` = 5. ``Summary.value`` = 1 with
``tag`` = 1, ``simple_value`` = 2 (float32, PyTorch/tensorboardX writers) and
``tensor`` = 8 (``TensorProto``: ``dtype`` = 1, ``tensor_content`` = 4,
``float_val`` = 5, ``double_val`` = 6; TF2 ``tf.summary.scalar``).

A directory is read as the union of its ``events.out.tfevents.*`` files (runs
restarted write several); for a duplicate (step, tag) the newest wall_time wins.
A truncated last record (a run still writing) is ignored. The length CRC is
checked on the first record only, to reject non-event files cheaply.
"""

from __future__ import annotations

import os
import struct
from typing import Any, Iterable, Iterator

from ...linter.document import InputError
from ..trace import Trace
from .common import RowMerger, SkipCounter, canonical

_POLY = 0x82F63B78
_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ _POLY if _c & 1 else _c >> 1
    _TABLE.append(_c)


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli), as TFRecord uses."""
    crc = 0xFFFFFFFF
    for b in data:
        crc = _TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc(data: bytes) -> int:
    """TFRecord's masked CRC: ``((crc >> 15) | (crc << 17)) + 0xa282ead8`` mod 2**32."""
    c = crc32c(data)
    return ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise ValueError("truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def _fields(buf: bytes) -> Iterator[tuple[int, int, Any]]:
    """``(field number, wire type, value)``; value is int, bytes (len-delimited) or raw 4/8 bytes."""
    pos, n = 0, len(buf)
    while pos < n:
        key, pos = _varint(buf, pos)
        num, wt = key >> 3, key & 7
        if wt == 0:
            val, pos = _varint(buf, pos)
        elif wt == 1:
            val, pos = buf[pos:pos + 8], pos + 8
        elif wt == 2:
            ln, pos = _varint(buf, pos)
            val, pos = buf[pos:pos + ln], pos + ln
        elif wt == 5:
            val, pos = buf[pos:pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported wire type {wt}")
        if pos > n:
            raise ValueError("truncated field")
        yield num, wt, val


def _tensor_value(buf: bytes) -> float | None:
    dtype = 1
    content = None
    floats: list[float] = []
    for num, wt, val in _fields(buf):
        if num == 1 and wt == 0:
            dtype = val
        elif num == 4 and wt == 2:
            content = val
        elif num == 5:
            floats.extend(struct.unpack(f"<{len(val) // 4}f", val) if wt == 2 else struct.unpack("<f", val))
        elif num == 6:
            floats.extend(struct.unpack(f"<{len(val) // 8}d", val) if wt == 2 else struct.unpack("<d", val))
    if floats:
        return float(floats[0])
    if content:
        if dtype == 2 and len(content) >= 8:
            return struct.unpack("<d", content[:8])[0]
        if dtype == 1 and len(content) >= 4:
            return struct.unpack("<f", content[:4])[0]
        if dtype == 19 and len(content) >= 2:  # DT_HALF
            return struct.unpack("<e", content[:2])[0]
    return None


def _event_scalars(data: bytes) -> tuple[float, int, list[tuple[str, float]]]:
    wall, step, out = 0.0, 0, []
    for num, wt, val in _fields(data):
        if num == 1 and wt == 1:
            wall = struct.unpack("<d", val)[0]
        elif num == 2 and wt == 0:
            step = val if val < 1 << 63 else val - (1 << 64)
        elif num == 5 and wt == 2:
            for snum, swt, sval in _fields(val):
                if snum != 1 or swt != 2:
                    continue
                tag, value = None, None
                for vnum, vwt, vval in _fields(sval):
                    if vnum == 1 and vwt == 2:
                        tag = vval.decode("utf-8", "replace")
                    elif vnum == 2 and vwt == 5:
                        value = struct.unpack("<f", vval)[0]
                    elif vnum == 8 and vwt == 2 and value is None:
                        value = _tensor_value(vval)
                if tag is not None and value is not None:
                    out.append((tag, float(value)))
    return wall, step, out


def records(path: str, data: bytes, skips: SkipCounter | None = None
            ) -> Iterator[tuple[float, int, list[tuple[str, float]]]]:
    """``(wall_time, step, [(tag, value)])`` per event in one file's bytes.

    ``skips``: when given, a record whose payload cannot be decoded is counted there and
    skipped (the framing still gives the next record), instead of raising.

    Raises:
        InputError: not an event file (bad first-record CRC), or a corrupt record when ``skips`` is None.
    """
    pos, n, first = 0, len(data), True
    while pos + 12 <= n:
        header = data[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        if first:
            (crc,) = struct.unpack("<I", data[pos + 8:pos + 12])
            if crc != masked_crc(header):
                raise InputError(path, "not a TensorBoard event file (record header checksum mismatch)")
            first = False
        start = pos + 12
        if start + length + 4 > n:
            break  # truncated tail: a run still writing
        try:
            event = _event_scalars(data[start:start + length])
        except (ValueError, struct.error) as exc:
            if skips is None:
                raise InputError(path, f"corrupt event record at byte {pos}: {exc}") from None
            skips.add("corrupt event records")
            event = None
        if event is not None:
            yield event
        pos = start + length + 4


def event_files(path: str) -> list[str]:
    """The event files of a run directory (sorted by name, i.e. by creation time), or ``[path]``."""
    if os.path.isdir(path):
        found = []
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames.sort()
            found.extend(os.path.join(dirpath, f) for f in sorted(filenames) if "tfevents" in f)
        return found
    return [path]


def parse_files(path: str, files: Iterable[str], max_bytes: int) -> Trace:
    """Read and merge event files into a Trace (tags mapped by :func:`~.common.canonical`).

    Raises:
        InputError: unreadable, too large, not an event file, or no scalars.
    """
    latest: dict[tuple[int, str], tuple[float, float]] = {}
    nfiles = 0
    skips = SkipCounter()
    for f in files:
        try:
            if os.path.getsize(f) > max_bytes:
                raise InputError(f, f"event file larger than {max_bytes} bytes")
            with open(f, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise InputError(f, f"cannot read: {exc.strerror or exc}") from None
        nfiles += 1
        for wall, step, scalars in records(f, data, skips):
            for tag, value in scalars:
                old = latest.get((step, tag))
                if old is None or wall >= old[0]:
                    latest[(step, tag)] = (wall, value)
    if not nfiles:
        raise InputError(path, "no TensorBoard event files (events.out.tfevents.*) found")
    if not latest:
        raise InputError(path, "no scalar summaries in the event files")
    merger = RowMerger()
    for (step, tag), (_, value) in sorted(latest.items()):
        canon = canonical(tag)
        merger.add(step, {canon or tag: value}, 0, keep_first=(canon,) if canon else ())
    return merger.trace(skips.meta({"format": "tensorboard", "event_files": nfiles}))


def write_events(path: str, scalars: Iterable[tuple[int, str, float]], wall_time: float = 0.0) -> None:
    """Write a minimal event file: one ``Event`` per ``(step, tag, value)`` with a ``simple_value``.

    Used by the tests and by anyone needing a dependency-free writer; files open in TensorBoard.
    """
    def varint(v: int) -> bytes:
        out = bytearray()
        while True:
            b = v & 0x7F
            v >>= 7
            out.append(b | (0x80 if v else 0))
            if not v:
                return bytes(out)

    def ld(num: int, payload: bytes) -> bytes:
        return varint(num << 3 | 2) + varint(len(payload)) + payload

    def frame(data: bytes) -> bytes:
        header = struct.pack("<Q", len(data))
        return header + struct.pack("<I", masked_crc(header)) + data + struct.pack("<I", masked_crc(data))

    with open(path, "wb") as fh:
        version = varint(1 << 3 | 1) + struct.pack("<d", wall_time) + ld(3, b"brain.Event:2")
        fh.write(frame(version))
        for i, (step, tag, value) in enumerate(scalars):
            val = ld(1, tag.encode()) + varint(2 << 3 | 5) + struct.pack("<f", value)
            event = (varint(1 << 3 | 1) + struct.pack("<d", wall_time + i) + varint(2 << 3 | 0) + varint(step)
                     + ld(5, ld(1, val)))
            fh.write(frame(event))
