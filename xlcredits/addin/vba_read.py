"""Reading the VBA project of an .xlam: the MS-CFB container (the vbaProject.bin) and its
MS-OVBA-compressed module streams, by module name."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path
from typing import NamedTuple

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


END_OF_CHAIN = 0xFFFFFFFA  # sector ids from here up mark the end of a chain (or a free sector)
NO_ENTRY = 0xFFFFFFFF  # a directory entry's empty sibling or child


class _Entry(NamedTuple):
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    left: int
    right: int
    child: int
    start: int
    size: int


class _CompoundFile:
    """An MS-CFB (OLE) compound file read in the order of [MS-CFB]: header, sector allocation
    table (FAT, found through the DIFAT), directory, then each stream's chain of sectors (small
    streams live in the mini stream, chained through the mini FAT)."""

    def __init__(self, data: bytes):
        if data[:8] != bytes.fromhex("D0CF11E0A1B11AE1"):
            raise ValueError("not an OLE compound file")
        self.data = data
        self.sector = 1 << struct.unpack_from("<H", data, 30)[0]
        self.mini_sector = 1 << struct.unpack_from("<H", data, 32)[0]
        fat_count, self.dir_start = struct.unpack_from("<II", data, 44)
        self.mini_cutoff, minifat_start, minifat_count, difat_start, difat_count = \
            struct.unpack_from("<IIIII", data, 56)
        self.fat = self._fat(fat_count, difat_start, difat_count)
        self.entries = self._directory()
        root = self.entries[0]
        self.mini_stream = self._read_chain(root.start, self.fat)[: root.size]
        self.minifat = self._table(self.chain(minifat_start, self.fat)) if minifat_count else []

    def read(self, sector_id: int) -> bytes:
        start = (sector_id + 1) * self.sector
        return self.data[start: start + self.sector]

    def _table(self, sector_ids) -> list[int]:
        """Sector ids of an allocation table held in these sectors."""
        table: list[int] = []
        for sid in sector_ids:
            table += struct.unpack(f"<{self.sector // 4}I", self.read(sid))
        return table

    def _fat(self, fat_count: int, difat_start: int, difat_count: int) -> list[int]:
        difat = list(struct.unpack_from("<109I", self.data, 76))  # the first 109 FAT sectors, in the header
        next_difat = difat_start
        for _ in range(difat_count):
            block = struct.unpack(f"<{self.sector // 4}I", self.read(next_difat))
            difat += block[:-1]
            next_difat = block[-1]
        return self._table(difat[:fat_count])

    @staticmethod
    def chain(start: int, table: list[int]) -> list[int]:
        ids, seen = [], set()
        while start < END_OF_CHAIN:
            if start in seen or start >= len(table):
                raise ValueError("broken sector chain")
            seen.add(start)
            ids.append(start)
            start = table[start]
        return ids

    def _read_chain(self, start: int, table: list[int]) -> bytes:
        return b"".join(self.read(s) for s in self.chain(start, table))

    def _directory(self) -> list[_Entry]:
        directory = self._read_chain(self.dir_start, self.fat)
        entries = []
        for k in range(len(directory) // 128):
            e = directory[k * 128:(k + 1) * 128]
            name_len = struct.unpack_from("<H", e, 64)[0]
            left, right, child = struct.unpack_from("<III", e, 68)
            start, size = struct.unpack_from("<IQ", e, 116)
            entries.append(_Entry(e[: max(name_len - 2, 0)].decode("utf-16-le"), e[66], left, right, child, start,
                                  size & 0xFFFFFFFF))
        return entries

    def content(self, entry: _Entry) -> bytes:
        if entry.size < self.mini_cutoff:
            size = self.mini_sector
            return b"".join(self.mini_stream[s * size:(s + 1) * size]
                            for s in self.chain(entry.start, self.minifat))[: entry.size]
        return self._read_chain(entry.start, self.fat)[: entry.size]

    def streams(self) -> dict[str, bytes]:
        """Every stream by path, walking the directory's red-black trees (siblings, then children)."""
        found: dict[str, bytes] = {}

        def walk(index: int, prefix: str, depth: int = 0) -> None:
            if index == NO_ENTRY or depth > 64:
                return
            entry = self.entries[index]
            walk(entry.left, prefix, depth + 1)
            walk(entry.right, prefix, depth + 1)
            path = f"{prefix}{entry.name}"
            if entry.kind == 2:
                found[path] = self.content(entry)
            elif entry.kind == 1:
                walk(entry.child, path + "/", depth + 1)

        walk(self.entries[0].child, "")
        return found


def _cfb_streams(data: bytes) -> dict[str, bytes]:
    """Every stream of an MS-CFB (OLE) compound file, by path ("VBA/dir")."""
    return _CompoundFile(data).streams()


def read_vba(xlam: Path) -> dict[str, str]:
    """The VBA modules of an .xlam/.xlsm file."""
    with zipfile.ZipFile(xlam) as z:
        return vba_modules(z.read(VBA_PART))
