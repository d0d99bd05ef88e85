"""The CJK font a PDF embeds: `--font PATH`, else a system font, else the one fieldvisit installs.

Order:
1. `--font PATH` (a .ttf, .otf or .ttc; in a collection the Simplified Chinese face is taken).
2. A system CJK font with TrueType outlines: WenQuanYi on Linux (known paths, then `fc-match`),
   Microsoft YaHei / SimHei / SimSun on Windows, PingFang / Songti on macOS. Faces with CFF
   (PostScript) outlines, like Debian's Noto Sans CJK collection, are passed over: fpdf2 embeds
   them with an encoding some readers mis-read, so the PDF's text could not be searched or
   copied there (pypdf reads a NUL before every character). Given with `--font`, they are used.
3. Noto Sans SC from the `justmytype-intl-cjk` package, a dependency of fieldvisit (SIL OFL 1.1,
   redistributable). It ships as a variable font whose default instance is Thin, and instancing
   it takes about 10 s, so the Regular instance is made once and kept in the user cache folder,
   named Regular inside too (a PDF's font list says which weight it embeds).
Every candidate must hold the glyphs of the report's own title; otherwise it is skipped, and
with none left `FontMissingError` says what to do: Chinese never comes out as boxes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from fieldvisit.core.errors import FieldVisitError
from fieldvisit.locations.paths import font_cache_dir

PROBE = "下访活动记录信访工作情况报告"
PACKAGED_NAME = "NotoSansSC-Regular.ttf"
PACKAGED_MAKE = 2
"""Bumped when the instance is made differently (2: its names say Regular, not Thin): an older
file in the cache is then made anew."""
PACKAGED_WEIGHT = 400

LINUX_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
)
WINDOWS_FONTS = ("msyh.ttc", "msyh.ttf", "simhei.ttf", "simsun.ttc")
MAC_FONTS = ("/System/Library/Fonts/PingFang.ttc", "/System/Library/Fonts/Supplemental/Songti.ttc")


class FontMissingError(FieldVisitError):
    message_key = "error.report.font_missing"


class FontUnusableError(FieldVisitError):
    message_key = "error.report.font_unusable"


@dataclass(frozen=True)
class FontChoice:
    path: Path
    index: int
    """The face in a font collection (.ttc); 0 otherwise."""
    source: str
    """"given", "system" or "packaged"."""


def find_font(given: Path | None = None, system: bool = True, cache_dir: Path | None = None) -> FontChoice:
    if given is not None:
        given = Path(given)
        if not given.is_file():
            raise FontUnusableError(path=str(given), reason="not found")
        index, problem = _usable_face(given)
        if problem:
            raise FontUnusableError(path=str(given), reason=problem)
        return FontChoice(given, index, "given")
    if system:
        for candidate in _system_candidates():
            index, problem = _usable_face(candidate, truetype_only=True)
            if not problem:
                return FontChoice(candidate, index, "system")
    packaged = packaged_font(cache_dir)
    if packaged is not None:
        return FontChoice(packaged, 0, "packaged")
    raise FontMissingError()


def packaged_font(cache_dir: Path | None = None) -> Path | None:
    """The Regular instance of the packaged Noto Sans SC, made on first use; None if not installed."""
    try:
        source = Path(str(files("justmytype_intl_cjk") / "fonts" / "ofl" / "notosanssc" / "NotoSansSC[wght].ttf"))
    except (ImportError, ModuleNotFoundError):
        return None
    if not source.is_file():
        return None
    folder = Path(cache_dir) if cache_dir else _cache_dir()
    target = folder / f"{source.stat().st_size}-{PACKAGED_MAKE}-{PACKAGED_NAME}"
    if target.is_file():
        return target
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    folder.mkdir(parents=True, exist_ok=True)
    font = instancer.instantiateVariableFont(TTFont(source), {"wght": PACKAGED_WEIGHT}, static=True, updateFontNames=True)
    partial = target.with_suffix(f".{os.getpid()}.part")
    font.save(partial)
    os.replace(partial, target)
    for stale in folder.glob(f"*-{PACKAGED_NAME}"):  # made by an older fieldvisit
        if stale != target:
            stale.unlink(missing_ok=True)
    return target


def _cache_dir() -> Path:
    return font_cache_dir()


def _system_candidates() -> list[Path]:
    found: list[Path] = []
    if sys.platform == "win32":
        windir = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
        found += [windir / name for name in WINDOWS_FONTS]
    elif sys.platform == "darwin":
        found += [Path(name) for name in MAC_FONTS]
    else:
        found += [Path(name) for name in LINUX_FONTS]
        found += _fc_match()
    return [path for path in found if path.is_file()]


def _fc_match() -> list[Path]:
    if shutil.which("fc-match") is None:
        return []
    try:
        result = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh-cn"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return []
    return [Path(result.stdout.strip())] if result.returncode == 0 and result.stdout.strip() else []


def _usable_face(path: Path, truetype_only: bool = False) -> tuple[int, str | None]:
    """The face to use (Simplified Chinese in a collection) and None, or 0 and why it is unusable;
    `truetype_only`: CFF outlines count as unusable (a system font, see the module's docstring)."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    try:
        if _head(path) == b"ttcf":
            faces = TTCollection(str(path), lazy=True).fonts
        else:
            faces = [TTFont(str(path), lazy=True)]
    except (OSError, TTLibError, AssertionError, ValueError) as error:
        return 0, str(error) or type(error).__name__
    best = 0
    for index, face in enumerate(faces):
        name = face["name"].getDebugName(1) or ""
        if "SC" in name.split() or "GB" in name or "Microsoft YaHei" == name or "SimSun" in name:
            best = index
            break
    try:
        cmap = faces[best].getBestCmap() or {}
    except Exception as error:  # a broken cmap table in a font we were handed
        return 0, str(error) or type(error).__name__
    missing = [char for char in PROBE if ord(char) not in cmap]
    if missing:
        return 0, "no Chinese glyphs"
    if "glyf" not in faces[best] and "CFF " not in faces[best]:
        return 0, "no TrueType or CFF outlines"
    if truetype_only and "glyf" not in faces[best]:
        return 0, "CFF outlines"
    return best, None


def _head(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(4)
