"""Drawing frames: as half-block text for a terminal, and as PNG / SVG files and a printable sheet.

The terminal form packs two QR modules into one character cell (▀ ▄ █ and space), which makes the
modules square on a terminal whose cells are twice as tall as wide. Dark modules are the
foreground, so it must be shown dark on light (the screen styles it black on white).
"""

from __future__ import annotations

import html
import io
from pathlib import Path

import qrcode
import qrcode.image.svg
from qrcode.util import MODE_ALPHA_NUM, QRData

from fieldvisit.stores.storage import write_atomically
from fieldvisit.sync.frames import EC_LEVELS

SCREEN_BORDER = 2
"""Quiet-zone modules on screen: the terminal draws them light, like paper around a printed code."""
PRINT_BORDER = 4
HALF_BLOCKS = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def matrix(text: str, ec: str = "M", border: int = SCREEN_BORDER) -> list[list[bool]]:
    code = _qr(text, ec, border)
    return code.get_matrix()


def symbol_modules(version: int, border: int = SCREEN_BORDER) -> int:
    return 17 + 4 * version + 2 * border


def largest_version(columns: int, rows: int, border: int = SCREEN_BORDER, limit: int = 40) -> int:
    """The largest QR version whose half-block drawing fits columns × rows cells (0: none fits)."""
    for version in range(limit, 0, -1):
        size = symbol_modules(version, border)
        if size <= columns and (size + 1) // 2 <= rows:
            return version
    return 0


def half_block_lines(grid: list[list[bool]]) -> list[str]:
    rows = grid + ([[False] * len(grid[0])] if len(grid) % 2 else [])
    return ["".join(HALF_BLOCKS[top, bottom] for top, bottom in zip(rows[y], rows[y + 1])) for y in range(0, len(rows), 2)]


def write_png(text: str, path: Path, ec: str = "M", box_size: int = 6) -> Path:
    """Made in memory, then written whole or not at all (a full stick leaves no broken file)."""
    image = io.BytesIO()
    _qr(text, ec, PRINT_BORDER, box_size).make_image(fill_color="black", back_color="white").save(image, format="PNG")
    write_atomically(Path(path), image.getvalue())
    return path


def write_svg(text: str, path: Path, ec: str = "M") -> Path:
    image = io.BytesIO()
    _qr(text, ec, PRINT_BORDER, 10).make_image(image_factory=qrcode.image.svg.SvgPathImage).save(image)
    write_atomically(Path(path), image.getvalue())
    return path


def svg_markup(text: str, ec: str = "M") -> str:
    image = _qr(text, ec, PRINT_BORDER, 10).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


def write_sheet(frames: list[str], path: Path, title: str, ec: str = "M") -> Path:
    """One self-contained HTML page that prints on A4: the frames numbered, six to a page."""
    cells = "\n".join(
        f'<figure><div class="code">{svg_markup(text, ec)}</div><figcaption>{number} / {len(frames)}</figcaption></figure>'
        for number, text in enumerate(frames, 1)
    )
    page = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
@page {{ size: A4; margin: 12mm; }}
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", "SimSun", sans-serif; margin: 0; }}
h1 {{ font-size: 14pt; margin: 0 0 4mm 0; }}
p {{ font-size: 9pt; margin: 0 0 4mm 0; }}
main {{ display: grid; grid-template-columns: 1fr 1fr; gap: 6mm; }}
figure {{ margin: 0; text-align: center; break-inside: avoid; }}
.code svg {{ width: 80mm; height: 80mm; }}
figcaption {{ font-size: 12pt; font-weight: bold; }}
figure:nth-of-type(6n) {{ break-after: page; }}
</style></head>
<body><h1>{html.escape(title)}</h1>
<p>按任意顺序扫描全部 {len(frames)} 张二维码 · Scan all {len(frames)} codes, in any order.</p>
<main>
{cells}
</main></body></html>
"""
    write_atomically(Path(path), page.encode("utf-8"))
    return path


def _qr(text: str, ec: str, border: int, box_size: int = 1) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=EC_LEVELS[ec], border=border, box_size=box_size)
    code.add_data(QRData(text, mode=MODE_ALPHA_NUM))
    code.make(fit=True)
    return code
