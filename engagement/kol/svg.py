"""Server-rendered inline SVG charts (no script, no CDN). Each chart carries a <title> and <desc>
and is referenced by aria-labelledby; pages show the same numbers in a table next to it."""

import itertools

from django.utils.html import escape
from django.utils.safestring import mark_safe

PALETTE = ["#1d4ed8", "#c2410c", "#1a7f37", "#b42318", "#6d28d9", "#0f766e"]
_ids = itertools.count(1)


def _fmt(value):
    return f"{value:.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def line_chart(*, series, labels, title, desc, width=640, height=220, y_label=""):
    """series: [(name, [value or None, ...]), ...] aligned with labels (x axis, e.g. days)."""
    uid = next(_ids)
    left, right, top, bottom = 44, 12, 12, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _name, vs in series for v in vs if v is not None]
    top_value = max(values) if values else 1
    top_value = top_value if top_value > 0 else 1
    n = max(len(labels), 1)

    def x(i):
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v):
        return top + plot_h - plot_h * v / top_value

    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="chart{uid}-t chart{uid}-d" preserveAspectRatio="xMidYMid meet">',
        f'<title id="chart{uid}-t">{escape(title)}</title><desc id="chart{uid}-d">{escape(desc)}</desc>',
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="#d8dce1"/>',
    ]
    for k in range(5):  # horizontal grid with values
        v = top_value * k / 4
        yy = y(v)
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#eef0f3"/>')
        parts.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" font-size="11" fill="#57606a">'
                     f'{escape(_fmt(round(v, 1) if top_value < 10 else int(round(v))))}</text>')
    step = max(1, n // 6)
    for i, label in enumerate(labels):
        if i % step == 0 or i == n - 1:
            parts.append(f'<text x="{x(i):.1f}" y="{top + plot_h + 16}" text-anchor="middle" font-size="11" '
                         f'fill="#57606a">{escape(label)}</text>')
    for s_index, (_name, vs) in enumerate(series):
        color = PALETTE[s_index % len(PALETTE)]
        segment = []
        segments = []
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
                parts.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{color}"/>')
            else:
                parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{" ".join(seg)}"/>')
    if len(series) > 1 or y_label:
        lx = left
        for s_index, (name, _vs) in enumerate(series):
            color = PALETTE[s_index % len(PALETTE)]
            parts.append(f'<rect x="{lx}" y="{height - 14}" width="10" height="10" fill="{color}"/>'
                         f'<text x="{lx + 14}" y="{height - 5}" font-size="11" fill="#1f2328">{escape(name)}</text>')
            lx += 24 + 7 * len(str(name)) + 6 * sum(1 for ch in str(name) if ord(ch) > 0x2E80)
    parts.append("</svg>")
    return mark_safe("".join(parts))


def sparkline(*, values, title, width=120, height=28):
    """A small line of values (None = no value that run), for a table cell."""
    uid = next(_ids)
    present = [v for v in values if v is not None]
    parts = [f'<svg class="sparkline" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" aria-labelledby="spark{uid}"><title id="spark{uid}">{escape(title)}</title>']
    if present:
        lo, hi = min(present), max(present)
        span = (hi - lo) or 1
        n = len(values)
        pts = [f"{(width - 4) * i / max(n - 1, 1) + 2:.1f},{height - 3 - (height - 6) * (v - lo) / span:.1f}"
               for i, v in enumerate(values) if v is not None]
        if len(pts) == 1:
            cx, cy = pts[0].split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="#1d4ed8"/>')
        else:
            parts.append(f'<polyline fill="none" stroke="#1d4ed8" stroke-width="1.8" points="{" ".join(pts)}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _fit(text, room, size=12):
    """`text` cut (with …) to about `room` px at font `size`: CJK characters are square, others ~0.6 wide."""
    used, out = 0.0, []
    for ch in text:
        used += size if ord(ch) > 0x2E80 else size * 0.6
        if used > room:
            return "".join(out[:-1]) + "…"
        out.append(ch)
    return text


def bar_chart(*, rows, title, desc, width=640, bar_height=22, label_width=150, colors=None):
    """Horizontal bars: rows = [(label, value), ...] (value >= 0), largest scale first as given.
    `colors` (one per row) marks, for example, sources and sinks apart."""
    uid = next(_ids)
    rows = list(rows)
    gap, top = 6, 6
    height = top * 2 + max(len(rows), 1) * (bar_height + gap)
    plot_w = width - label_width - 70
    top_value = max([v for _label, v in rows] or [1]) or 1
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="chart{uid}-t chart{uid}-d" preserveAspectRatio="xMidYMid meet">',
        f'<title id="chart{uid}-t">{escape(title)}</title><desc id="chart{uid}-d">{escape(desc)}</desc>',
    ]
    for i, (label, value) in enumerate(rows):
        y = top + i * (bar_height + gap)
        w = max(1.0, plot_w * value / top_value) if value else 0
        color = (colors[i] if colors else PALETTE[0])
        text = str(label)
        short = _fit(text, label_width - 10)
        parts.append(f'<text x="{label_width - 6}" y="{y + bar_height * 0.7:.1f}" text-anchor="end" font-size="12" '
                     f'fill="currentColor">{escape(short)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{color}"/>')
        parts.append(f'<text x="{label_width + w + 6:.1f}" y="{y + bar_height * 0.7:.1f}" font-size="12" '
                     f'fill="currentColor">{escape(_fmt(value))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
