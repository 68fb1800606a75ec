"""Reading the VBA project of an .xlam: the MS-CFB container (the vbaProject.bin) and its
MS-OVBA-compressed module streams, by module name."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

VBA_PART = "xl/vbaProject.bin"


def vba_modules(data: bytes) -> dict[str, str]:
    """The source code of every module in a vbaProject.bin, by module name."""
    streams = _cfb_streams(data)
    dir_stream = _ovba_decompress(streams.get("VBA/dir", b""))
    modules: dict[str, str] = {}
    name, i = None, 0
    while i + 6 <= len(dir_stream):
        record, size = struct.unpack_from("<HI", dir_stream, i)
        if record == 0x0009:  # PROJECTVERSION: its size field says 4 but 6 bytes follow
            size = 6
        body = dir_stream[i + 6: i + 6 + size]
        if record == 0x0019:  # MODULENAME
            name = body.decode("latin-1")
        elif record == 0x0031 and name is not None:  # MODULEOFFSET: where the compressed source starts
            offset = struct.unpack("<I", body)[0]
            stream = streams.get(f"VBA/{name}")
            if stream is None:
                raise ValueError(f"module {name} has no stream")
            modules[name] = _ovba_decompress(stream[offset:]).decode("latin-1").replace("\r\n", "\n")
        i += 6 + size
    if not modules:
        raise ValueError("no VBA modules found")
    return modules


def _ovba_decompress(data: bytes) -> bytes:
    """MS-OVBA 2.4.1 decompression (the VBA source and `dir` streams)."""
    if not data or data[0] != 1:
        raise ValueError("not an MS-OVBA compressed container")
    out = bytearray()
    pos = 1
    while pos < len(data):
        header = struct.unpack_from("<H", data, pos)[0]
        size = (header & 0x0FFF) + 3
        chunk = data[pos + 2: pos + size]
        pos += size
        if not header & 0x8000:
            out += chunk[:4096]
            continue
        start, i = len(out), 0
        while i < len(chunk):
            flags = chunk[i]
            i += 1
            for bit in range(8):
                if i >= len(chunk):
                    break
                if not flags >> bit & 1:
                    out.append(chunk[i])
                    i += 1
                    continue
                token = struct.unpack_from("<H", chunk, i)[0]
                i += 2
                bits = max((len(out) - start - 1).bit_length(), 4)
                offset = (token >> (16 - bits)) + 1
                length = (token & (0xFFFF >> bits)) + 3
                for _ in range(length):
                    out.append(out[-offset])
    return bytes(out)


def _cfb_streams(data: bytes) -> dict[str, bytes]:
    """Every stream of an MS-CFB (OLE) compound file, by path ("VBA/dir")."""
    if data[:8] != bytes.fromhex("D0CF11E0A1B11AE1"):
        raise ValueError("not an OLE compound file")
    sector = 1 << struct.unpack_from("<H", data, 30)[0]
    mini_sector = 1 << struct.unpack_from("<H", data, 32)[0]
    fat_count, dir_start = struct.unpack_from("<II", data, 44)
    mini_cutoff, minifat_start, minifat_count, difat_start, difat_count = struct.unpack_from("<IIIII", data, 56)

    def read(sector_id: int) -> bytes:
        start = (sector_id + 1) * sector
        return data[start: start + sector]

    difat = list(struct.unpack_from("<109I", data, 76))
    next_difat = difat_start
    for _ in range(difat_count):
        block = struct.unpack(f"<{sector // 4}I", read(next_difat))
        difat += block[:-1]
        next_difat = block[-1]
    fat: list[int] = []
    for sid in difat[:fat_count]:
        fat += struct.unpack(f"<{sector // 4}I", read(sid))

    def chain(start: int, table: list[int]) -> list[int]:
        ids, seen = [], set()
        while start < 0xFFFFFFFA:
            if start in seen or start >= len(table):
                raise ValueError("broken sector chain")
            seen.add(start)
            ids.append(start)
            start = table[start]
        return ids

    directory = b"".join(read(s) for s in chain(dir_start, fat))
    entries = []
    for k in range(len(directory) // 128):
        e = directory[k * 128:(k + 1) * 128]
        name_len = struct.unpack_from("<H", e, 64)[0]
        name = e[: max(name_len - 2, 0)].decode("utf-16-le")
        kind = e[66]
        left, right, child = struct.unpack_from("<III", e, 68)
        start, size = struct.unpack_from("<IQ", e, 116)
        entries.append((name, kind, left, right, child, start, size & 0xFFFFFFFF))
    root = entries[0]
    mini_stream = b"".join(read(s) for s in chain(root[5], fat))[: root[6]]
    minifat: list[int] = []
    if minifat_count:
        for sid in chain(minifat_start, fat):
            minifat += struct.unpack(f"<{sector // 4}I", read(sid))

    def content(entry) -> bytes:
        _, _, _, _, _, start, size = entry
        if size < mini_cutoff:
            return b"".join(mini_stream[s * mini_sector:(s + 1) * mini_sector] for s in chain(start, minifat))[:size]
        return b"".join(read(s) for s in chain(start, fat))[:size]

    streams: dict[str, bytes] = {}

    def walk(index: int, prefix: str, depth: int = 0) -> None:
        if index == 0xFFFFFFFF or depth > 64:
            return
        name, kind, left, right, child, _, _ = entries[index]
        walk(left, prefix, depth + 1)
        walk(right, prefix, depth + 1)
        path = f"{prefix}{name}"
        if kind == 2:
            streams[path] = content(entries[index])
        elif kind == 1:
            walk(child, path + "/", depth + 1)

    walk(root[4], "")
    return streams


def read_vba(xlam: Path) -> dict[str, str]:
    """The VBA modules of an .xlam/.xlsm file."""
    with zipfile.ZipFile(xlam) as z:
        return vba_modules(z.read(VBA_PART))
