"""Printed visit summaries (下访活动记录) and period reports (信访工作情况报告), docs/architecture.md §9.

`data` gathers what a document needs from a store; `documents` turns it into a neutral list of
blocks with labels in the current language; `text`, `html` and `pdf` render those blocks, one
format each; `fonts` finds the CJK font the PDF embeds. `write` ties them together for the CLI.
`exports` puts the same report (and the register's matters) into `sheets` for Excel and WPS.
"""

from __future__ import annotations

FORMATS = ("pdf", "html", "md", "txt")
