"""Make the bundled document fonts: a GB2312-coverage subset of Noto Serif CJK SC (Regular and
Bold) as OTF, renamed "Wusong Serif SC" (a Modified Version under the SIL OFL 1.1 keeps no
Reserved Font Name; the new name also tells the bundled subset from the system font in a PDF).

Source: Debian's fonts-noto-cjk (/usr/share/fonts/opentype/noto/NotoSerifCJK-*.ttc, face
"Noto Serif CJK SC"). Output: platform/reports/documents/fonts/WusongSerifSC-{Regular,Bold}.otf.
Characters outside the subset (rare name characters such as 䶮 𠮷 堃) fall back to the system
fonts at the end of the print stylesheet's font stack.

    .venv/bin/python scripts/subset_fonts.py [--source-dir DIR] [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = Path("/usr/share/fonts/opentype/noto")
OUT_DIR = ROOT / "platform" / "reports" / "documents" / "fonts"
FACE = "Noto Serif CJK SC"
FAMILY = "Wusong Serif SC"
WEIGHTS = ("Regular", "Bold")


def gb2312() -> set[int]:
    """Every character of GB 2312 (rows 0xA1-0xF7, cells 0xA1-0xFE that decode)."""
    found: set[int] = set()
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                found.add(ord(bytes((row, cell)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return found


def extras() -> set[int]:
    """ASCII, Latin-1 signs, general and CJK punctuation, full-width forms, enclosed and
    parenthesised numbers (①…⑳, ⑴…⒇), Roman numerals, arrows and a few symbols documents use."""
    ranges = [
        (0x20, 0x7E),  # ASCII
        (0xA0, 0xFF),  # Latin-1: ×, ÷, §, °, ±, ·
        (0x2010, 0x2027),  # dashes, quotes, ellipsis
        (0x2030, 0x203B),  # ‰, ′, ″, ※
        (0x2100, 0x2122),  # ℃, №, ℡, ™
        (0x2150, 0x218B),  # Roman numerals
        (0x2190, 0x2199),  # arrows
        (0x2460, 0x24FF),  # ①…⑳, ⑴…⒇, ⒈…⒛
        (0x2500, 0x257F),  # box drawing
        (0x25A0, 0x25FF),  # geometric shapes: □ ■ ○ ● ◎ △
        (0x2600, 0x2606),  # ★ ☆
        (0x2713, 0x2717),  # ✓ ✔ ✕ ✖ ✗
        (0x3000, 0x303F),  # CJK symbols and punctuation
        (0x3200, 0x32FF),  # ㈠…㈩, ㊀…
        (0xFE30, 0xFE4F),  # CJK compatibility forms
        (0xFF00, 0xFFEF),  # full-width forms, ￥
    ]
    return {code for low, high in ranges for code in range(low, high + 1)}


def source_font(path: Path) -> TTFont:
    collection = TTCollection(str(path))
    for font in collection.fonts:
        if font["name"].getDebugName(1) == FACE or font["name"].getDebugName(16) == FACE:
            return font
    raise SystemExit(f"{path}: no face named {FACE!r}")


def rename(font: TTFont, weight: str) -> None:
    """The subset's own names (OFL: a Modified Version does not use the Reserved Font Name)."""
    names = font["name"]
    postscript = f"{FAMILY.replace(' ', '')}-{weight}"
    values = {
        1: FAMILY,
        2: weight,
        3: f"{postscript};GB2312 subset of {FACE}",
        4: f"{FAMILY} {weight}",
        6: postscript,
        16: FAMILY,
        17: weight,
    }
    for record in list(names.names):
        if record.nameID in values or record.nameID in (18, 21, 22):
            names.removeNames(nameID=record.nameID)
    for name_id, value in values.items():
        names.setName(value, name_id, 3, 1, 0x409)
        names.setName(value, name_id, 1, 0, 0)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [postscript]
        top = cff.topDictIndex[0]
        top.FullName = f"{FAMILY} {weight}"
        top.FamilyName = FAMILY


def make(source: Path, out: Path, weight: str, codepoints: set[int]) -> int:
    font = source_font(source)
    cmap = font.getBestCmap()
    wanted = sorted(code for code in codepoints if code in cmap)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = False
    options.drop_tables += ["VORG", "vhea", "vmtx"]  # horizontal setting only
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(font)
    rename(font, weight)
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(out))
    missing = [chr(code) for code in codepoints if code not in cmap and 0x4E00 <= code <= 0x9FFF]
    if missing:
        print(f"{weight}: {len(missing)} GB2312 ideographs absent from the source", file=sys.stderr)
    return len(wanted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-dir", type=Path, default=SOURCE_DIR)
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR)
    args = parser.parse_args()
    codepoints = gb2312() | extras()
    for weight in WEIGHTS:
        out = args.out_dir / f"{FAMILY.replace(' ', '')}-{weight}.otf"
        count = make(args.source_dir / f"NotoSerifCJK-{weight}.ttc", out, weight, codepoints)
        print(
            f"{out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}: "
            f"{count} characters, {out.stat().st_size / 1e6:.1f} MB"
        )


if __name__ == "__main__":
    main()
