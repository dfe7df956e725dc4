#!/usr/bin/env python3
"""Draws the app icons (static/icons/icon-192.png, icon-512.png): a microphone in the page's
accent blue on its dark background, full bleed, the glyph inside the middle 60% (safe for the
round and squircle masks phones apply). Standard library only; antialiased from exact distances.

    python3 scripts/make-icons.py        # rewrites the PNGs next to static/icons/icon.svg"""

import math
import os
import struct
import zlib

BACKGROUND = (0x0F, 0x11, 0x15)
GLYPH = (0x4F, 0x8C, 0xFF)


def segment_distance(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def glyph_distance(x, y):
    """Signed-ish distance (in units of a 24-wide grid, as in the page's mic SVG) to the glyph."""
    stroke = 1.0  # half of the SVG's stroke width 2
    # Capsule: x 9..15, y 2..14 (the SVG's mic body: a filled rounded rectangle here).
    capsule = segment_distance(x, y, 12, 5, 12, 11) - 3
    # Holder: the lower half of a circle around (12, 11), radius 7.
    if y >= 11:
        holder = abs(math.hypot(x - 12, y - 11) - 7) - stroke
    else:  # its two short upright ends, y 10..11
        holder = min(segment_distance(x, y, 5, 10, 5, 11), segment_distance(x, y, 19, 10, 19, 11)) - stroke
    stem = segment_distance(x, y, 12, 18, 12, 21) - stroke
    base = segment_distance(x, y, 8.5, 21, 15.5, 21) - stroke
    return min(capsule, holder, stem, base)


def draw(size):
    # The 24-unit glyph spans 60% of the icon, centred (its ink runs from y=2 to y=22).
    scale = size * 0.6 / 24
    origin_x = size / 2 - 12 * scale
    origin_y = size / 2 - 12 * scale
    rows = []
    for j in range(size):
        row = bytearray([0])  # PNG filter: none
        for i in range(size):
            x = (i + 0.5 - origin_x) / scale
            y = (j + 0.5 - origin_y) / scale
            coverage = max(0.0, min(1.0, 0.5 - glyph_distance(x, y) * scale))
            row += bytes(round(b + (g - b) * coverage) for b, g in zip(BACKGROUND, GLYPH))
        rows.append(bytes(row))
    return png(size, size, b"".join(rows))


def png(width, height, raw):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "static", "icons")
    os.makedirs(out, exist_ok=True)
    for size in (192, 512):
        with open(os.path.join(out, f"icon-{size}.png"), "wb") as f:
            f.write(draw(size))


if __name__ == "__main__":
    main()
