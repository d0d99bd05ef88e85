"""Where a USB stick shows up on this machine: the folders a hand-over is written to or read from."""

from __future__ import annotations

import getpass
import os
import string
from pathlib import Path


def removable_folders() -> list[Path]:
    """Mounted removable media, best guess per platform; empty when none is plugged in."""
    if os.name == "nt":  # pragma: no cover - Windows laptops
        return _windows_removable_drives()
    user = _user()
    roots = [Path("/media") / user, Path("/run/media") / user, Path("/media"), Path("/Volumes")]
    found: list[Path] = []
    for root in roots:
        try:
            children = sorted(child for child in root.iterdir() if child.is_dir() and os.access(child, os.W_OK))
        except OSError:
            continue
        found.extend(child for child in children if child not in found and child.name != user)
    return [folder for folder in found if folder.name != "Macintosh HD"]


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def _windows_removable_drives() -> list[Path]:  # pragma: no cover - Windows laptops
    import ctypes

    drive_removable = 2
    drives = []
    for letter in string.ascii_uppercase:
        root = f"{letter}:\\"
        if ctypes.windll.kernel32.GetDriveTypeW(root) == drive_removable:
            drives.append(Path(root))
    return drives
