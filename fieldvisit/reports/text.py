"""Plain text and Markdown: readable in a terminal, stable line by line so two runs diff cleanly.

Columns are aligned by display width (a Chinese character takes two cells).
"""

from __future__ import annotations

import unicodedata

from fieldvisit.reports.document import Bars, Document, Entry, Fields, Heading, Paragraph, Signatures, Table

BAR_CELLS = 30


def render_txt(document: Document) -> str:
    lines = [document.title, document.subtitle, document.footer(), "=" * 72, ""]
    for block in document.blocks:
        if isinstance(block, Heading):
            lines += [block.text, "-" * width(block.text), ""]
        elif isinstance(block, Fields):
            lines += _aligned_pairs(block.pairs, "") + [""]
        elif isinstance(block, Paragraph):
            lines += [block.text, ""]
        elif isinstance(block, Entry):
            lines += [block.heading] + _aligned_pairs(block.all_pairs, "    ") + [""]
        elif isinstance(block, Table):
            lines += _text_table(block.headers, block.rows, block.numeric) + [""]
        elif isinstance(block, Bars):
            lines += _text_bars(block) + [""]
        elif isinstance(block, Signatures):
            lines += ["", *(f"{name}：________________    {block.date_label}：____年__月__日" for name in block.labels), ""]
    return _finish(lines)


def render_md(document: Document) -> str:
    lines = [f"# {document.title}", "", f"**{_md(document.subtitle)}**", "", f"*{_md(document.footer())}*", ""]
    for block in document.blocks:
        if isinstance(block, Heading):
            lines += [f"## {_md(block.text)}", ""]
        elif isinstance(block, Fields):
            lines += [f"- **{_md(name)}**：{_md(value)}" for name, value in block.pairs] + [""]
        elif isinstance(block, Paragraph):
            lines += [_md(block.text), ""]
        elif isinstance(block, Entry):
            lines += [f"### {_md(block.heading)}", ""] + [f"- **{_md(name)}**：{_md(value)}" for name, value in block.all_pairs] + [""]
        elif isinstance(block, Table):
            lines += _md_table(block.headers, block.rows, block.numeric) + [""]
        elif isinstance(block, Bars):
            rows = [[name, str(count), bar] for (name, count), bar in zip(block.items, _bar_runs(block))]
            lines += _md_table([block.title, "", ""], rows, (1,)) + [""]
        elif isinstance(block, Signatures):
            lines += [f"{_md(name)}：\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_  {_md(block.date_label)}：\\_\\_\\_\\_\\_\\_\\_\\_  " for name in block.labels] + [""]
    return _finish(lines)


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, cells: int, right: bool = False) -> str:
    gap = " " * max(0, cells - width(text))
    return gap + text if right else text + gap


def _aligned_pairs(pairs: list[tuple[str, str]], indent: str) -> list[str]:
    cells = max((width(name) for name, _ in pairs), default=0)
    lines = []
    for name, value in pairs:
        first, *rest = (value or "").splitlines() or [""]
        lines.append(f"{indent}{_pad(name, cells)}  {first}".rstrip())
        lines += [f"{indent}{' ' * cells}  {more}".rstrip() for more in rest]
    return lines


def _text_table(headers: list[str], rows: list[list[str]], numeric: tuple[int, ...]) -> list[str]:
    cells = [max(width(row[index]) for row in [headers, *rows]) for index in range(len(headers))]
    def line(row: list[str]) -> str:
        return "  ".join(_pad(value, cells[index], index in numeric) for index, value in enumerate(row)).rstrip()
    return [line(headers), "  ".join("-" * cell for cell in cells), *(line(row) for row in rows)]


def _bar_runs(block: Bars) -> list[str]:
    top = max((count for _, count in block.items), default=0)
    return ["█" * (round(count * BAR_CELLS / top) if top else 0) for _, count in block.items]


def _text_bars(block: Bars) -> list[str]:
    names = max((width(name) for name, _ in block.items), default=0)
    digits = max((len(str(count)) for _, count in block.items), default=1)
    return [f"{_pad(name, names)}  {count:>{digits}}  {bar}".rstrip() for (name, count), bar in zip(block.items, _bar_runs(block))]


def _md_table(headers: list[str], rows: list[list[str]], numeric: tuple[int, ...]) -> list[str]:
    rule = ["---:" if index in numeric else "---" for index in range(len(headers))]
    return ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in [headers, rule, *rows]]


def _md(text: str) -> str:
    """Escape what Markdown would read as markup; line breaks become `<br>` inside one item."""
    for char in "\\`*_[]|<>#":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "<br>")


def _finish(lines: list[str]) -> str:
    text = "\n".join(line.rstrip() for line in lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip() + "\n"
