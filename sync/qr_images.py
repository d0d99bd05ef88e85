"""Reading QR frames out of photos and screenshots with zxing-cpp (several codes per image).

An image is sized from its header before any pixel is decoded: one larger than
`MAX_IMAGE_PIXELS` is refused with a message, so a small file claiming a huge picture (a
"decompression bomb") costs nothing; every other failure of the image library is a message too.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Iterable, Iterator

import zxingcpp
from PIL import Image, UnidentifiedImageError

from fieldvisit.core.errors import BundleError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")
MAX_IMAGE_PIXELS = 50_000_000
"""The largest picture decoded (50 megapixels, e.g. 8,660 × 5,774): a 48-megapixel phone photo
and an A4 page scanned at 600 dpi (35 megapixels) fit. Decoding holds a few bytes per pixel
(~200 MB here at most); a larger image is refused before it is decoded."""


def image_files(names: list[str]) -> list[Path]:
    """The images named, folders giving their image files in name order."""
    found: list[Path] = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES))
        elif path.is_file():
            found.append(path)
        else:
            raise BundleError("error.no_such_file", path=name)
    return found


def decode_image(path: Path) -> list[str]:
    """Every QR code's text in one image, top to bottom."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise _too_large(path, width * height)
                image.load()
                results = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    except Image.DecompressionBombError as error:  # PIL's own, larger, limit: raised by open
        claimed = re.search(r"\((\d+) pixels\)", str(error))
        raise _too_large(path, int(claimed.group(1)) if claimed else None) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, MemoryError) as error:
        raise BundleError("error.image_unreadable", path=str(path), reason=str(error) or type(error).__name__) from None
    return [result.text for result in sorted(results, key=lambda r: (r.position.top_left.y, r.position.top_left.x)) if result.valid]


def lines_from_images(paths: Iterable[Path], refused: list[str]) -> Iterator[str]:
    """The codes of every image in turn; an image that cannot be read adds its reason to `refused`."""
    for path in paths:
        try:
            yield from decode_image(path)
        except BundleError as error:
            refused.append(str(error))


def _too_large(path: Path, pixels: int | None) -> BundleError:
    found = f"{pixels / 1e6:,.0f}" if pixels else "?"
    return BundleError("error.source_limit.image", path=str(path), pixels=found, limit=f"{MAX_IMAGE_PIXELS / 1e6:,.0f}")
