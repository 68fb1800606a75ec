"""Write a VBA project (`xl/vbaProject.bin`) from module sources, per [MS-OVBA], on any platform.

The project is *source only*: every module stream holds just its compressed source
(MODULEOFFSET 0, no compiled p-code), `_VBA_PROJECT` is the 7-byte header with version 0xFFFF
and an empty performance cache. Excel sees a version that is not its own and compiles the project
from source when it opens the add-in ([MS-OVBA] 2.3.4.1: "the performance cache MUST be ignored"
when the version does not match). xlwings' own add-in templates ship exactly this way.

What is taken from xlwings' template project and kept byte for byte: the PROJECTINFORMATION
and PROJECTREFERENCES records of the `dir` stream (system kind, code page 1252, references to
stdole, MSForms and Office), except the project name; and the PROJECT stream's ID and its
CMG/DPB/GC lines (protection state, password, visibility — "none", encrypted with a key derived
from that ID, [MS-OVBA] 2.4.3). Everything else is written here:

    dir           PROJECTMODULES: one record group per module, offset 0 ([MS-OVBA] 2.3.4.2.3)
    <module>      the module's source, compressed ([MS-OVBA] 2.4.1)
    PROJECT       the module list, the name, the workspace section ([MS-OVBA] 2.3.1)
    PROJECTwm     module names in MBCS and UTF-16 ([MS-OVBA] 2.3.3)
    _VBA_PROJECT  CC 61 FF FF 00 01 00 ([MS-OVBA] 2.3.4.1)

The compound file around them is written by `cfbwrite` (MS-CFB v3, directory as a red-black
tree, small streams in the mini stream; it checks what it wrote by reading it back with olefile).
Why not the `ms-ovba` package: it is a 0.0.1 release that pulls in four more packages
(ms-cfb, ms-ovba-crypto, red-black trees, PyYAML) for what is ~200 lines here, and this module's
output is checked by two independent readers in the tests (oletools' olevba and LibreOffice).
"""

from __future__ import annotations

import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

CODEPAGE = "cp1252"  # PROJECTCODEPAGE of xlwings' template (1252, Western European)
VBA_PROJECT_STREAM = bytes.fromhex("cc61ffff000100")


@dataclass(frozen=True)
class Module:
    name: str
    source: str  # with its Attribute lines, as the module stream holds it
    kind: str = "module"  # "module" (standard), "class", or "document" (ThisWorkbook, Sheet2)

    @property
    def project_line(self) -> str:
        if self.kind == "document":
            return f"Document={self.name}/&H00000000"
        return f"{'Class' if self.kind == 'class' else 'Module'}={self.name}"


# --- [MS-OVBA] 2.4.1 compression -------------------------------------------------------------------

def compress(data: bytes) -> bytes:
    """A CompressedContainer: signature 0x01, then one chunk per 4,096 bytes of input."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        chunk = data[start:start + 4096]
        packed = _compress_chunk(chunk)
        if len(packed) > 4096 and len(chunk) == 4096:  # incompressible: a raw chunk (flag clear)
            out += struct.pack("<H", 0x3000 | 4095) + chunk
        elif len(packed) > 4096:  # a raw chunk always decompresses to 4,096 bytes: no way to store this one
            raise ValueError("the last 4,096-byte block does not compress (VBA source is text; this is not)")
        else:
            out += struct.pack("<H", 0xB000 | (len(packed) + 2 - 3)) + packed
    return bytes(out)


def _split(position: int) -> tuple[int, int, int]:
    """(offset bits, length mask, maximum length) at `position` bytes into the chunk (2.4.1.3.19.1)."""
    bits = max((position - 1).bit_length(), 4)
    length_bits = 16 - bits
    return bits, (0xFFFF >> bits), (0xFFFF >> bits) + 3


def _compress_chunk(chunk: bytes) -> bytes:
    out = bytearray()
    heads: dict[bytes, list[int]] = {}  # 3-byte prefix -> positions where it starts, in this chunk
    pos = 0
    while pos < len(chunk):
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= len(chunk):
                break
            best_len, best_off = 0, 0
            if pos >= 1 and pos + 3 <= len(chunk):
                _, _, max_len = _split(pos)
                limit = min(max_len, len(chunk) - pos)
                for cand in reversed(heads.get(chunk[pos:pos + 3], ())[-64:]):
                    n = 0
                    while n < limit and chunk[cand + n] == chunk[pos + n]:
                        n += 1
                    if n > best_len:
                        best_len, best_off = n, pos - cand
                        if n == limit:
                            break
            if best_len >= 3:
                bits, _, _ = _split(pos)
                token = ((best_off - 1) << (16 - bits)) | (best_len - 3)
                out += struct.pack("<H", token)
                flags |= 1 << bit
                step = best_len
            else:
                out.append(chunk[pos])
                step = 1
            for p in range(pos, min(pos + step, len(chunk) - 2)):
                heads.setdefault(chunk[p:p + 3], []).append(p)
            pos += step
        out[flag_at] = flags
    return bytes(out)


# --- the dir stream ---------------------------------------------------------------------------------

def _record(record_id: int, body: bytes = b"") -> bytes:
    return struct.pack("<HI", record_id, len(body)) + body


def _dir_records(data: bytes):
    i = 0
    while i + 6 <= len(data):
        record_id, size = struct.unpack_from("<HI", data, i)
        if record_id == 0x0009:  # PROJECTVERSION: says 4, carries 6 (2.3.4.2.1.11)
            size = 6
        yield record_id, data[i: i + 6 + size], data[i + 6: i + 6 + size]
        i += 6 + size


def project_header(template_dir: bytes, project_name: str) -> bytes:
    """The template's PROJECTINFORMATION and PROJECTREFERENCES, renamed; stops at PROJECTMODULES."""
    out = bytearray()
    for record_id, raw, _ in _dir_records(template_dir):
        if record_id == 0x000F:
            return bytes(out)
        out += _record(0x0004, project_name.encode(CODEPAGE)) if record_id == 0x0004 else raw
    raise ValueError("the template's dir stream has no PROJECTMODULES record")


def dir_stream(header: bytes, modules: list[Module]) -> bytes:
    out = bytearray(header)
    out += _record(0x000F, struct.pack("<H", len(modules)))
    out += _record(0x0013, struct.pack("<H", 0xFFFF))  # PROJECTCOOKIE
    for m in modules:
        name, wide = m.name.encode(CODEPAGE), m.name.encode("utf-16-le")
        out += _record(0x0019, name)                     # MODULENAME
        out += _record(0x0047, wide)                     # MODULENAMEUNICODE
        out += _record(0x001A, name) + _record(0x0032, wide)  # MODULESTREAMNAME
        out += _record(0x001C) + _record(0x0048)          # MODULEDOCSTRING (empty)
        out += _record(0x0031, struct.pack("<I", 0))      # MODULEOFFSET: source starts the stream
        out += _record(0x001E, struct.pack("<I", 0))      # MODULEHELPCONTEXT
        out += _record(0x002C, struct.pack("<H", 0xFFFF))  # MODULECOOKIE
        out += _record(0x0021 if m.kind == "module" else 0x0022)  # MODULETYPE: procedural / document-class
        out += struct.pack("<HI", 0x002B, 0)              # module terminator
    out += struct.pack("<HI", 0x0010, 0)                  # dir terminator
    return bytes(out)


# --- the PROJECT and PROJECTwm streams --------------------------------------------------------------

def project_stream(template_project: str, modules: list[Module], project_name: str) -> bytes:
    keep = {}
    for line in template_project.splitlines():
        key = line.split("=", 1)[0]
        if key in ("ID", "HelpContextID", "VersionCompatible32", "CMG", "DPB", "GC"):
            keep[key] = line
    for key in ("ID", "CMG", "DPB", "GC"):
        if key not in keep:
            raise ValueError(f"the template's PROJECT stream has no {key} line")
    lines = [keep["ID"], *(m.project_line for m in modules), f'Name="{project_name}"',
             keep.get("HelpContextID", 'HelpContextID="0"'),
             keep.get("VersionCompatible32", 'VersionCompatible32="393222000"'),
             keep["CMG"], keep["DPB"], keep["GC"], "",
             "[Host Extender Info]", "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000", "",
             "[Workspace]", *(f"{m.name}=0, 0, 0, 0, C" for m in modules), "", ""]
    return "\r\n".join(lines).encode(CODEPAGE)


def projectwm_stream(modules: list[Module]) -> bytes:
    out = bytearray()
    for m in modules:
        out += m.name.encode(CODEPAGE) + b"\x00" + m.name.encode("utf-16-le") + b"\x00\x00"
    return bytes(out + b"\x00\x00")


# --- the whole project -----------------------------------------------------------------------------

def source_bytes(source: str) -> bytes:
    """A module's source as its stream stores it: CRLF lines in the project's code page."""
    text = source.replace("\r\n", "\n").rstrip("\n") + "\n"
    return text.replace("\n", "\r\n").encode(CODEPAGE)


def vba_project(modules: list[Module], project_name: str, template_dir: bytes, template_project: str) -> bytes:
    """The bytes of a vbaProject.bin holding `modules` (source only)."""
    from cfbwrite import Entry, write_ole

    names = [m.name for m in modules]
    if len(set(n.upper() for n in names)) != len(names):
        raise ValueError(f"module names must be unique: {names}")

    def stream(name: str, data: bytes) -> Entry:
        return Entry(name=name, is_storage=False, size=len(data), read=lambda d=data: d)

    vba = [stream(m.name, compress(source_bytes(m.source))) for m in modules]
    vba.append(stream("_VBA_PROJECT", VBA_PROJECT_STREAM))
    vba.append(stream("dir", compress(dir_stream(project_header(template_dir, project_name), modules))))
    root = [Entry(name="VBA", is_storage=True, size=0, read=None, children=vba),
            stream("PROJECT", project_stream(template_project, modules, project_name)),
            stream("PROJECTwm", projectwm_stream(modules))]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "vbaProject.bin"
        write_ole(path, root)
        return path.read_bytes()
