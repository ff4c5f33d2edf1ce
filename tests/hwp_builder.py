"""Builds small HWP 5.0 files for tests: olefile can read compound files but not create them.

`compound_file` writes a version-3 Compound File Binary (MS-CFB): 512-byte sectors, streams under 4,096 bytes in
the mini stream, one FAT, no DIFAT sectors (so files up to about 7 MB). `hwp` wraps paragraphs in the HWP 5.0
records that Hangul writes (FileHeader, DocInfo with the section count, BodyText/SectionN of PARA_TEXT records,
raw-deflate compressed).
"""

from __future__ import annotations

import struct
import zlib

FREE, END, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
SECTOR, MINI, CUTOFF = 512, 64, 4096


def _chain(fat: list[int], start: int, count: int) -> None:
    for i in range(count):
        fat[start + i] = start + i + 1 if i < count - 1 else END


def _pad(data: bytes, size: int) -> bytes:
    return data + b"\0" * (-len(data) % size)


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A compound file holding `streams`, named by '/'-separated paths (storages are made as needed)."""
    # the directory: entry 0 is the root; every storage and stream gets one entry
    entries = [{"name": "Root Entry", "type": 5, "children": []}]
    index = {"": 0}
    for path in streams:
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            key = "/".join(parts[:depth])
            if key not in index:
                index[key] = len(entries)
                entries.append({"name": parts[depth - 1], "type": 2 if depth == len(parts) else 1, "children": []})
                entries[index["/".join(parts[: depth - 1])]]["children"].append(index[key])

    # stream data: small ones in the mini stream, the others in their own sectors
    mini_stream, mini_fat, big = b"", [], []
    for path, data in streams.items():
        entry = entries[index[path]]
        entry["size"] = len(data)
        if len(data) < CUTOFF:
            start, count = len(mini_stream) // MINI, -(-len(data) // MINI)
            mini_fat += [FREE] * count
            _chain(mini_fat, start, count)
            entry["start"] = start if data else END
            mini_stream += _pad(data, MINI)
        else:
            big.append((entry, data))

    blocks: list[tuple[str, bytes]] = []  # (what, data) laid out in order, each padded to sectors
    for _entry, data in big:
        blocks.append(("stream", data))
    blocks.append(("mini stream", mini_stream))
    mini_fat_bytes = struct.pack(f"<{len(mini_fat)}I", *mini_fat) if mini_fat else b""
    blocks.append(("mini fat", mini_fat_bytes))
    directory_size = len(entries) * 128
    blocks.append(("directory", b"\0" * directory_size))  # filled in below once the start sectors are known

    starts, sector = [], 0
    for _, data in blocks:
        starts.append(sector)
        sector += -(-len(data) // SECTOR)
    data_sectors = sector
    fat_sectors = 1
    while fat_sectors * (SECTOR // 4) < data_sectors + fat_sectors:
        fat_sectors += 1
    assert fat_sectors <= 109, "too large for a header-only DIFAT"
    fat = [FREE] * (fat_sectors * SECTOR // 4)
    for (_, data), start in zip(blocks, starts):
        if data:
            _chain(fat, start, -(-len(data) // SECTOR))
    for i in range(fat_sectors):
        fat[data_sectors + i] = FATSECT

    for (entry, _), start in zip(big, starts):
        entry["start"] = start
    mini_start, mini_fat_start, directory_start = starts[-3], starts[-2], starts[-1]
    entries[0]["start"] = mini_start if mini_stream else END
    entries[0]["size"] = len(mini_stream)

    def sort_key(i: int) -> tuple[int, str]:
        return len(entries[i]["name"]), entries[i]["name"].upper()

    for entry in entries:  # siblings as a right-leaning chain in CFB order: a valid (if unbalanced) search tree
        kids = sorted(entry["children"], key=sort_key)
        entry["child"] = kids[0] if kids else FREE
        for a, b in zip(kids, kids[1:] + [FREE]):
            entries[a]["right"] = b

    directory = b""
    for entry in entries:
        name = entry["name"].encode("utf-16-le") + b"\0\0"
        directory += struct.pack(
            "<64sHBBIII16sI8s8sIQ",
            name,
            len(name),
            entry["type"],
            1,
            FREE,
            entry.get("right", FREE),
            entry["child"],
            b"\0" * 16,
            0,
            b"\0" * 8,
            b"\0" * 8,
            entry.get("start", END) if entry["type"] != 1 else 0,
            entry.get("size", 0),
        )
    blocks[-1] = ("directory", directory)

    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        bytes.fromhex("D0CF11E0A1B11AE1"),
        b"\0" * 16,
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        b"\0" * 6,
        0,
        fat_sectors,
        directory_start,
        0,
        CUTOFF,
        mini_fat_start if mini_fat else END,
        -(-len(mini_fat_bytes) // SECTOR),
        END,
        0,
    )
    difat = list(range(data_sectors, data_sectors + fat_sectors)) + [FREE] * (109 - fat_sectors)
    header += struct.pack("<109I", *difat)
    body = b"".join(_pad(data, SECTOR) for _, data in blocks)
    return header + body + struct.pack(f"<{len(fat)}I", *fat)


PASSWORD, DISTRIBUTION = 1 << 1, 1 << 2
PARA_HEADER, PARA_TEXT, DOCUMENT_PROPERTIES = 66, 67, 16


def record(tag: int, payload: bytes, level: int = 0) -> bytes:
    if len(payload) < 0xFFF:
        return struct.pack("<I", tag | level << 10 | len(payload) << 20) + payload
    return struct.pack("<II", tag | level << 10 | 0xFFF << 20, len(payload)) + payload


def paragraph(text: str) -> bytes:
    """One paragraph: its header and its text (UTF-16LE, ending in the paragraph mark 13)."""
    chars = text.encode("utf-16-le") + struct.pack("<H", 13)
    return record(PARA_HEADER, struct.pack("<IIHBB", len(chars) // 2, 0, 0, 0, 0)) + record(PARA_TEXT, chars, 1)


def deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def hwp(
    sections: list[list[str]] | None = None,
    *,
    flags: int = 1,
    bodies: list[bytes] | None = None,
    extra: dict[str, bytes] | None = None,
) -> bytes:
    """An HWP 5.0 file with these paragraphs per section (or these raw, uncompressed section bodies)."""
    bodies = bodies if bodies is not None else [b"".join(paragraph(p) for p in section) for section in sections]
    pack = deflate if flags & 1 else (lambda data: data)
    header = _pad(b"HWP Document File", 32) + bytes([0, 5, 0, 5]) + struct.pack("<I", flags)
    doc_info = record(DOCUMENT_PROPERTIES, struct.pack("<H", len(bodies)) + b"\0" * 24)
    streams = {"FileHeader": _pad(header, 256), "DocInfo": pack(doc_info)}
    streams.update({f"BodyText/Section{i}": pack(body) for i, body in enumerate(bodies)})
    streams.update(extra or {})
    return compound_file(streams)
