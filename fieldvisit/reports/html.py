"""One self-contained HTML file that prints on A4: inline CSS, CSS bar charts, no external asset.

When printed, the document id and generation time repeat at the foot of every page (a fixed
footer), and browsers that support CSS page margin boxes add "page n / N".
"""

from __future__ import annotations

from html import escape

from fieldvisit.core.i18n import language
from fieldvisit.reports.document import Bars, Document, Entry, Fields, Heading, Paragraph, Signatures, Table

CSS = """
@page { size: A4 portrait; margin: 18mm 16mm 20mm 16mm;
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; color: #555; } }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei", SimSun, sans-serif;
  font-size: 10.5pt; line-height: 1.5; color: #111; max-width: 180mm; margin: 1em auto; padding: 0 1em; }
h1 { font-size: 18pt; text-align: center; margin: 0 0 .2em; letter-spacing: .2em; }
.subtitle { text-align: center; font-size: 12pt; margin: 0 0 .4em; }
.ident { text-align: center; font-size: 8.5pt; color: #555; margin-bottom: 1em; }
h2 { font-size: 12.5pt; border-bottom: 1.5px solid #333; margin: 1.2em 0 .5em; padding-bottom: .1em; break-after: avoid; }
dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: .15em 1em; margin: 0; }
dl.fields dt { font-weight: bold; white-space: nowrap; }
dl.fields dd { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
section.entry { border: 1px solid #999; padding: .4em .7em; margin: .6em 0; break-inside: avoid; page-break-inside: avoid; }
section.entry h3 { font-size: 11pt; margin: 0 0 .3em; }
table { border-collapse: collapse; width: 100%; margin: .3em 0; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 1px solid #999; padding: .15em .4em; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #eee; }
td.num, th.num { text-align: right; white-space: nowrap; }
.bars { margin: .3em 0; break-inside: avoid; }
.bar-row { display: grid; grid-template-columns: 10em 1fr 3em; gap: .5em; align-items: center; }
.bar { height: .9em; background: #3a6ea5; print-color-adjust: exact; -webkit-print-color-adjust: exact; }
.bar-count { text-align: right; }
.signatures { margin-top: 2.5em; display: grid; grid-template-columns: 1fr 1fr; gap: 2em; break-inside: avoid; }
.sign-line { border-bottom: 1px solid #111; height: 2.2em; }
.sign-label { font-size: 9.5pt; margin-top: .2em; }
footer.print-footer { display: none; }
@media print {
  body { margin: 0; padding: 0; max-width: none; }
  footer.print-footer { display: block; position: fixed; bottom: -12mm; left: 0; right: 0; font-size: 8pt; color: #555; }
}
"""


def render_html(document: Document) -> str:
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(language())}">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{escape(document.title)} {escape(document.subtitle)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(document.title)}</h1>",
        f'<p class="subtitle">{escape(document.subtitle)}</p>',
        f'<p class="ident">{escape(document.footer())}</p>',
    ]
    parts += [_block(block) for block in document.blocks]
    parts += [f'<footer class="print-footer">{escape(document.footer())}</footer>', "</body>", "</html>", ""]
    return "\n".join(parts)


def _block(block: object) -> str:
    if isinstance(block, Heading):
        return f"<h2>{escape(block.text)}</h2>"
    if isinstance(block, Fields):
        return _fields(block.pairs)
    if isinstance(block, Paragraph):
        return f"<p>{escape(block.text)}</p>"
    if isinstance(block, Entry):
        return f'<section class="entry"><h3>{escape(block.heading)}</h3>{_fields(block.all_pairs)}</section>'
    if isinstance(block, Table):
        head = "".join(f'<th{_num(i, block.numeric)}>{escape(cell)}</th>' for i, cell in enumerate(block.headers))
        body = "".join(
            "<tr>" + "".join(f"<td{_num(i, block.numeric)}>{escape(cell)}</td>" for i, cell in enumerate(row)) + "</tr>"
            for row in block.rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if isinstance(block, Bars):
        top = max((count for _, count in block.items), default=0) or 1
        rows = "".join(
            f'<div class="bar-row"><span>{escape(name)}</span><div class="bar" style="width:{count * 100 / top:.1f}%"></div>'
            f'<span class="bar-count">{count}</span></div>'
            for name, count in block.items
        )
        return f'<div class="bars" role="img" aria-label="{escape(block.title)}">{rows}</div>'
    if isinstance(block, Signatures):
        cells = "".join(
            f'<div><div class="sign-line"></div><div class="sign-label">{escape(name)}</div>'
            f'<div class="sign-line"></div><div class="sign-label">{escape(block.date_label)}</div></div>'
            for name in block.labels
        )
        return f'<div class="signatures">{cells}</div>'
    raise TypeError(f"unknown block {block!r}")


def _fields(pairs: list[tuple[str, str]]) -> str:
    items = "".join(f"<dt>{escape(name)}</dt><dd>{escape(value)}</dd>" for name, value in pairs)
    return f'<dl class="fields">{items}</dl>'


def _num(index: int, numeric: tuple[int, ...]) -> str:
    return ' class="num"' if index in numeric else ""
