"""The page of a court document per GB/T 9704-2012: A4, a 156 × 225 mm text block, 22 × 28 grid."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.pagesizes import A4

MM = 72.0 / 25.4
"""One millimetre in PDF points."""


@dataclass(frozen=True)
class PageGeometry:
    """The layout grid.

    The text block is divided into ``lines_per_page`` rows and ``chars_per_line`` columns of
    equal cells: a full-width character occupies one cell, a half-width one (Latin letters,
    digits, ASCII punctuation) half a cell. So 28 body characters fill exactly the 156 mm width
    and 22 lines exactly the 225 mm height, whatever the body type size; the difference between
    the cell and the 16 pt glyph is the character spacing (slightly negative for 三号 type).
    """

    page_width: float = A4[0]
    page_height: float = A4[1]
    top_margin_mm: float = 37.0
    left_margin_mm: float = 28.0
    block_width_mm: float = 156.0
    block_height_mm: float = 225.0
    body_size: float = 16.0
    title_size: float = 22.0
    chars_per_line: int = 28
    lines_per_page: int = 22
    page_number_size: float = 14.0
    page_number_gap_mm: float = 7.0

    @property
    def block_width(self) -> float:
        return self.block_width_mm * MM

    @property
    def block_height(self) -> float:
        return self.block_height_mm * MM

    @property
    def left(self) -> float:
        """x of the text block's left edge."""
        return self.left_margin_mm * MM

    @property
    def top(self) -> float:
        """y of the text block's top edge (PDF y grows upwards)."""
        return self.page_height - self.top_margin_mm * MM

    @property
    def bottom(self) -> float:
        """y of the text block's bottom edge (35 mm above the paper's edge on A4)."""
        return self.top - self.block_height

    @property
    def right_margin(self) -> float:
        return self.page_width - self.left - self.block_width

    @property
    def char_pitch(self) -> float:
        """Width of one full-width cell: block width / 28."""
        return self.block_width / self.chars_per_line

    @property
    def half_pitch(self) -> float:
        return self.char_pitch / 2

    @property
    def char_space(self) -> float:
        """Extra space after each full-width glyph so glyphs sit on the cell grid (PDF Tc)."""
        return self.char_pitch - self.body_size

    @property
    def leading(self) -> float:
        """Height of one line cell: block height / 22."""
        return self.block_height / self.lines_per_page

    @property
    def line_units(self) -> int:
        """Capacity of a line in half-width units (the line breaker's measure)."""
        return self.chars_per_line * 2

    def baseline_offset(self, size: float | None = None) -> float:
        """Baseline height above a line cell's bottom, centring a glyph's em box in the cell."""
        size = self.body_size if size is None else size
        return (self.leading - size) / 2 + 0.12 * size


GB9704 = PageGeometry()
"""The standard geometry every document uses unless a renderer overrides it."""
