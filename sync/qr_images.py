"""Reading QR frames out of photos and screenshots with zxing-cpp (several codes per image)."""

from __future__ import annotations

from pathlib import Path

import zxingcpp
from PIL import Image, UnidentifiedImageError

from fieldvisit.errors import BundleError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")


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
        with Image.open(path) as image:
            image.load()
            results = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    except (UnidentifiedImageError, OSError) as error:
        raise BundleError("error.image_unreadable", path=str(path), reason=str(error)) from None
    return [result.text for result in sorted(results, key=lambda r: (r.position.top_left.y, r.position.top_left.x)) if result.valid]
