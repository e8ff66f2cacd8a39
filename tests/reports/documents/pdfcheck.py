"""Reading our PDFs back with pypdf: their text, their embedded fonts, and every glyph id drawn
(to prove that no character came out as .notdef: a tofu glyph still extracts as its character,
so text extraction alone is no proof)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject, IndirectObject


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def text(pdf: bytes) -> str:
    """The text of every page, white space removed (extraction splits and spaces freely)."""
    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader(pdf).pages))


def _resolve(obj: object) -> object:
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


@dataclass
class Glyphs:
    """Glyph ids drawn per font (BaseFont name) and what shows as .notdef: glyph 0, or a glyph
    id the embedded font program does not have (WeasyPrint 70 draws a character no font
    covers with an unused id past the font's glyphs and an encoding CMap without it, which a
    viewer shows as .notdef)."""

    by_font: dict[str, set[int]] = field(default_factory=dict)
    glyph_count: dict[str, int] = field(default_factory=dict)
    encoding: dict[str, str] = field(default_factory=dict)

    def notdef(self) -> dict[str, list[int]]:
        """Per font, the drawn glyph ids that show as .notdef."""
        found = {}
        for name, ids in self.by_font.items():
            count = self.glyph_count.get(name, 0)
            bad = sorted(i for i in ids if i == 0 or i >= count)
            if bad or self.encoding.get(name) != "/Identity-H":
                found[name] = bad
        return found


def _program_glyphs(font: DictionaryObject) -> int:
    """How many glyphs the embedded font program of a Type0 font has (0: none embedded)."""
    from fontTools.cffLib import CFFFontSet
    from fontTools.ttLib import TTFont

    descendant = _resolve(_resolve(font["/DescendantFonts"])[0])  # type: ignore[index]
    descriptor = _resolve(descendant["/FontDescriptor"])  # type: ignore[index]
    for key in ("/FontFile3", "/FontFile2"):
        stream = _resolve(descriptor.get(key))  # type: ignore[union-attr]
        if stream is None:
            continue
        data = stream.get_data()  # type: ignore[union-attr]
        if key == "/FontFile3" and stream.get("/Subtype") == "/CIDFontType0C":  # type: ignore[union-attr]
            cff = CFFFontSet()
            cff.decompile(io.BytesIO(data), None)
            return len(cff[cff.fontNames[0]].charset)
        return len(TTFont(io.BytesIO(data)).getGlyphOrder())
    return 0


def _fonts_of(resources: DictionaryObject) -> dict[str, DictionaryObject]:
    fonts = _resolve(resources.get("/Font")) if resources is not None else None
    found: dict[str, DictionaryObject] = {}
    if isinstance(fonts, DictionaryObject):
        for key, value in fonts.items():
            found[str(key)] = _resolve(value)  # type: ignore[assignment]
    return found


def _glyph_ids(raw: bytes) -> list[int]:
    """Identity-H strings are big-endian two-byte glyph ids (WeasyPrint's CID fonts)."""
    return [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw) - 1, 2)]


def _walk(pdf_reader: PdfReader, content: object, resources: DictionaryObject, out: Glyphs) -> None:
    fonts = _fonts_of(resources)
    stream = ContentStream(content, pdf_reader)
    current: DictionaryObject | None = None
    for operands, operator in stream.operations:
        if operator == b"Tf":
            current = fonts.get(str(operands[0]))
        elif operator in (b"Tj", b"'", b'"', b"TJ") and current is not None:
            strings = operands[0] if operator == b"TJ" else operands[-1:]
            name = str(current.get("/BaseFont", "?")).lstrip("/")
            if name not in out.glyph_count and current.get("/Subtype") == "/Type0":
                out.glyph_count[name] = _program_glyphs(current)
                encoding = _resolve(current.get("/Encoding"))
                out.encoding[name] = encoding if isinstance(encoding, str) else "custom CMap"
            ids = out.by_font.setdefault(name, set())
            for item in strings:
                if isinstance(item, (bytes, str)) or hasattr(item, "original_bytes"):
                    raw = item.original_bytes if hasattr(item, "original_bytes") else bytes(item)
                    if current.get("/Subtype") == "/Type0":
                        ids.update(_glyph_ids(raw))
        elif operator == b"Do":
            xobjects = _resolve(resources.get("/XObject")) if resources is not None else None
            if isinstance(xobjects, DictionaryObject):
                target = _resolve(xobjects.get(str(operands[0])))
                if getattr(target, "get", None) and target.get("/Subtype") == "/Form":
                    inner = _resolve(target.get("/Resources")) or resources
                    _walk(pdf_reader, target, inner, out)  # type: ignore[arg-type]


def glyphs(pdf: bytes) -> Glyphs:
    pdf_reader = reader(pdf)
    out = Glyphs()
    for page in pdf_reader.pages:
        resources = _resolve(page.get("/Resources"))
        contents = page.get_contents()
        if contents is not None:
            _walk(pdf_reader, contents, resources, out)  # type: ignore[arg-type]
    return out


def font_names(pdf: bytes) -> set[str]:
    """The embedded fonts' names without the subset prefix (ABCDEF+Name → Name)."""
    names: set[str] = set()
    pdf_reader = reader(pdf)
    for page in pdf_reader.pages:
        resources = _resolve(page.get("/Resources"))
        stack = [resources]
        while stack:
            res = stack.pop()
            if not isinstance(res, DictionaryObject):
                continue
            for font in _fonts_of(res).values():
                names.add(str(font.get("/BaseFont", "")).lstrip("/").split("+", 1)[-1])
            xobjects = _resolve(res.get("/XObject"))
            if isinstance(xobjects, DictionaryObject):
                for xobject in xobjects.values():
                    target = _resolve(xobject)
                    if getattr(target, "get", None) and target.get("/Resources") is not None:
                        stack.append(_resolve(target.get("/Resources")))
    return names
