"""QR codes for entry points, as print-ready PNG and SVG, and as a module matrix for PDFs.

Error correction H (about 30 % of the code words recoverable): posters hang for months
on outdoor notice boards and get torn, faded, stapled over or rained on. Our URLs are
short (~35 characters), so even at H the symbol stays small (version 3-4, 29-33 modules)
and each printed module remains large, which matters more for cheap phone cameras than
the density Q or M would save. Quiet zone 4 modules, as the standard requires.

Pure functions: no Flask, no database.
"""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_H

QUIET_ZONE = 4
# PNG: 300 dpi is print resolution; a code printed ~10 cm wide needs ~1200 px.
PNG_DPI = 300
PNG_TARGET_PX = 1200


def _make(url: str, box_size: int = 10, error_correction: int = ERROR_CORRECT_H) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=error_correction, box_size=box_size, border=QUIET_ZONE)
    qr.add_data(url)
    qr.make(fit=True)
    return qr


def qr_matrix(url: str) -> list[list[bool]]:
    """Dark/light modules including the quiet zone (for drawing vectors in a PDF)."""
    return _make(url).get_matrix()


def qr_png(url: str) -> bytes:
    """A black-on-white PNG about 1200 px wide, tagged 300 dpi (about 10 cm printed)."""
    qr = _make(url)
    modules = qr.modules_count + 2 * QUIET_ZONE
    qr.box_size = max(8, PNG_TARGET_PX // modules)
    image = qr.make_image(fill_color="black", back_color="white")
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(PNG_DPI, PNG_DPI))
    return out.getvalue()


def qr_svg(url: str, size_mm: int = 100, error_correction: int = ERROR_CORRECT_H) -> bytes:
    """A vector SVG (one path), sized in millimetres so print shops get the intended size.

    Codes shown on a screen for a moment (a TOTP enrolment) take ERROR_CORRECT_M: nothing
    tears a screen, and the long otpauth:// URI stays a less dense symbol.
    """
    qr = _make(url, error_correction=error_correction)
    modules = qr.modules_count + 2 * QUIET_ZONE
    # SvgPathImage sizes the drawing in mm from box_size (box_size / 10 mm per module).
    qr.box_size = max(1, round(size_mm * 10 / modules))
    image = qr.make_image(image_factory=qrcode.image.svg.SvgPathImage)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()
