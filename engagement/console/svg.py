"""The console's charts: server-rendered inline SVG in the style of engagement.kol.svg, but coloured
only through CSS classes (console.css: the series colours and the frame follow the light and dark
themes; text is currentColor), so a chart needs no style attribute, no script and no white
background. Each chart has a <title> and <desc> referenced by aria-labelledby; the page shows the
same numbers in a table under it."""

import itertools

from django.utils.html import escape
from django.utils.safestring import mark_safe

_ids = itertools.count(1)
WIDTH = 400
TEXT = 14  # the largest font size console.css gives chart text (on phones): labels are fitted to it


def _fmt(value):
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return str(value)


def _text_width(text, size):
    return sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in str(text))


def _head(uid, width, height, title, desc, css="console-chart"):
    return [
        f'<svg class="{css}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="cc{uid}-t cc{uid}-d" preserveAspectRatio="xMidYMid meet">',
        f'<title id="cc{uid}-t">{escape(title)}</title><desc id="cc{uid}-d">{escape(desc)}</desc>',
    ]


def line_chart(*, series, labels, title, desc, height=200):
    """series: [(name, [value or None, ...]), ...] aligned with labels (days)."""
    uid = next(_ids)
    width = WIDTH
    left, right, top = 48, 22, 8
    legend_rows = 1 if len(series) > 1 else 0
    bottom = 26 + 18 * legend_rows
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _name, vs in series for v in vs if v is not None]
    top_value = max(values) if values else 1
    top_value = top_value if top_value > 0 else 1
    n = max(len(labels), 1)

    def x(i):
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v):
        return top + plot_h - plot_h * v / top_value

    parts = _head(uid, width, height, title, desc)
    parts.append(f'<rect class="cc-frame" x="{left}" y="{top}" width="{plot_w}" height="{plot_h}"/>')
    for k in range(5):
        v = top_value * k / 4
        yy = y(v)
        parts.append(f'<line class="cc-grid" x1="{left}" x2="{left + plot_w}" y1="{yy:.1f}" y2="{yy:.1f}"/>')
        shown = _fmt(round(v, 1) if top_value < 10 else int(round(v)))
        parts.append(f'<text class="cc-axis" x="{left - 4}" y="{yy + 4:.1f}" text-anchor="end">{escape(shown)}</text>')
    step = max(1, -(-n // 5))
    for i, label in enumerate(labels):
        if i % step == 0:
            anchor = "end" if i == n - 1 and n > 1 else "middle"
            parts.append(f'<text class="cc-axis" x="{x(i) + (8 if anchor == "end" else 0):.1f}" '
                         f'y="{top + plot_h + 16}" text-anchor="{anchor}">{escape(label)}</text>')
    for s_index, (_name, vs) in enumerate(series):
        segments, segment = [], []
        for i, v in enumerate(vs):
            if v is None:
                if segment:
                    segments.append(segment)
                segment = []
            else:
                segment.append(f"{x(i):.1f},{y(v):.1f}")
        if segment:
            segments.append(segment)
        for seg in segments:
            if len(seg) == 1:
                cx, cy = seg[0].split(",")
                parts.append(f'<circle class="cc-dot cc-s{s_index}" cx="{cx}" cy="{cy}" r="2.5"/>')
            else:
                parts.append(f'<polyline class="cc-line cc-s{s_index}" points="{" ".join(seg)}"/>')
    if legend_rows:
        lx = left
        for s_index, (name, _vs) in enumerate(series):
            parts.append(f'<rect class="cc-key cc-s{s_index}" x="{lx}" y="{height - 14}" width="10" height="10"/>'
                         f'<text class="cc-label" x="{lx + 14}" y="{height - 4}">{escape(name)}</text>')
            lx += 26 + _text_width(name, TEXT)
    parts.append("</svg>")
    return mark_safe("".join(parts))


def bar_chart(*, rows, title, desc, bar_height=18, label_width=150, kinds=None):
    """Horizontal bars: rows = [(label, value), ...]; `kinds` (one class suffix per row, e.g.
    "source" / "sink") colours them apart."""
    uid = next(_ids)
    width = WIDTH
    rows = list(rows)
    gap, top = 5, 4
    height = top * 2 + max(len(rows), 1) * (bar_height + gap)
    plot_w = width - label_width - 56
    top_value = max([v for _label, v in rows] or [1]) or 1
    parts = _head(uid, width, height, title, desc)
    for i, (label, value) in enumerate(rows):
        yy = top + i * (bar_height + gap)
        w = max(1.0, plot_w * value / top_value) if value else 0
        kind = kinds[i] if kinds else "s0"
        text = str(label)
        room, short = label_width - 6, ""
        for ch in text:
            if _text_width(short + ch + "…", TEXT) > room:
                short += "…"
                break
            short += ch
        parts.append(f'<text class="cc-label" x="{label_width - 4}" y="{yy + bar_height * 0.72:.1f}" '
                     f'text-anchor="end">{escape(short)}</text>')
        parts.append(f'<rect class="cc-bar cc-{kind}" x="{label_width}" y="{yy}" width="{w:.1f}" height="{bar_height}"/>')
        parts.append(f'<text class="cc-label" x="{label_width + w + 4:.1f}" y="{yy + bar_height * 0.72:.1f}">'
                     f'{escape(_fmt(value))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
