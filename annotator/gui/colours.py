"""How spans look: the label colours (the scheme's, or a colour-blind-safe palette the editor can switch to), and
the fills and bars drawn from them so that black text stays readable on every label and a suggestion never looks
accepted.

Suggested and accepted spans differ in pattern, not only in colour: an accepted span's bar is solid, a
suggestion's is dashed, and an accepted event's fill is several times stronger. A colour-blind editor therefore
tells them apart on any label, and light labels (a pale yellow accepted span) still show a clearly drawn solid bar.

The colour-blind-safe palette: arguments take Okabe and Ito's colours, events Paul Tol's "muted" scheme (both
made to stay distinct under the common colour-vision deficiencies); arguments are told apart by their bar and
events by their fill, so each kind draws from its own set. Tol's set has nine colours and the default scheme eleven
events: the last two take a pale grey and Okabe-Ito's orange, and the tooltip always names the label."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtGui import QColor

from annotator.core.labels import Label, LabelScheme

OKABE_ITO = ["#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#999999"]
TOL_MUTED = ["#cc6677", "#332288", "#ddcc77", "#117733", "#88ccee", "#882255", "#44aa99", "#999933", "#aa4499",
             "#dddddd", "#e69f00"]

_override: dict[str, str] = {}  # label name -> colour, while the colour-blind-safe palette is on


def use_safe_palette(scheme: LabelScheme | None) -> None:
    """Turns the colour-blind-safe palette on for this scheme's labels (None turns it off)."""
    _override.clear()
    if scheme is None:
        return
    for kind, palette in (("event", TOL_MUTED), ("argument", OKABE_ITO)):
        for i, lb in enumerate(scheme.of_kind(kind)):
            _override[lb.name] = palette[i % len(palette)]


def safe_palette_on() -> bool:
    return bool(_override)


def label_colour(label: Label | None) -> QColor:
    if label is None:
        return QColor("#888888")
    return QColor(_override.get(label.name, label.colour))


def readable_on(colour: QColor) -> QColor:
    """Black or white, whichever reads on this colour."""
    return QColor("#000000") if luminance(colour) > 0.18 else QColor("#ffffff")


def luminance(colour: QColor) -> float:
    """WCAG relative luminance."""
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio between two colours (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def mix(colour: QColor, share: float, base: QColor | None = None) -> QColor:
    """`share` of the colour over white (or `base`), opaque."""
    base = base or QColor("#ffffff")
    return QColor(*(round(share * c + (1 - share) * b) for c, b in
                    zip((colour.red(), colour.green(), colour.blue()), (base.red(), base.green(), base.blue()))))


def fill(colour: QColor, share: float, min_contrast: float = 7.0) -> QColor:
    """A fill of this colour under black text, paled until the text keeps `min_contrast` (WCAG AAA is 7)."""
    black = QColor("#000000")
    out = mix(colour, share)
    while contrast(out, black) < min_contrast and share > 0.02:
        share *= 0.85
        out = mix(colour, share)
    return out


def bar(colour: QColor) -> QColor:
    """A bar of this colour that shows on white (3:1, WCAG's figure for shapes): light labels are darkened."""
    return QColor(_bar(colour.name()))


@lru_cache(maxsize=256)
def _bar(name: str) -> str:
    white = QColor("#ffffff")
    out = QColor(name)
    while contrast(out, white) < 3.0 and out.lightness() > 0:
        out = out.darker(115)
    return out.name()


@dataclass(frozen=True)
class SpanStyle:
    fill: QColor | None  # the background under the words (events; and any selected span)
    bar: QColor  # the line under the words, in the span's lane
    dashed: bool  # suggestions: dashed; accepted: solid
    width: float


def span_style(label: Label | None, accepted: bool, selected: bool) -> SpanStyle:
    return _style(label_colour(label).name(), label is None or label.kind == "event", accepted, selected)


@lru_cache(maxsize=512)
def _style(name: str, is_event: bool, accepted: bool, selected: bool) -> SpanStyle:
    colour = QColor(name)
    white = QColor("#ffffff")
    while contrast(fill(colour, 0.42), white) < 1.35 and colour.lightness() > 0:
        colour = colour.darker(112)  # a light label (pale peach) would fill accepted words with near-white
    if selected:
        background: QColor | None = fill(colour, 0.55)
    elif is_event:
        background = fill(colour, 0.42 if accepted else 0.14)
    else:
        background = None
    return SpanStyle(background, bar(colour), not accepted, 2.6 if accepted else 2.0)
