"""Sector paths such as ``iot/wearables``: normalisation, depth and prefix matching."""

import re

from ecoport.core.text import brief, clean_text
from ecoport.errors import InvalidInput

_SEPARATORS = re.compile(r"[\s_]+")
_INVALID = re.compile(r"[^\w-]")
MAX_DEPTH = 5
#: The longest sector path stored (the column's width on every backend).
MAX_LENGTH = 200


def normalize_sector(text: str) -> str:
    """``IoT / Smart Home`` -> ``iot/smart-home``. Raise InvalidInput on an empty path, a
    control character, or a path longer than MAX_LENGTH."""
    text = clean_text(text)
    segments = []
    for raw in text.split("/"):
        segment = _SEPARATORS.sub("-", raw.strip().lower())
        segment = _INVALID.sub("", segment).replace("_", "-")
        segment = re.sub(r"-{2,}", "-", segment).strip("-")
        if segment:
            segments.append(segment)
        elif raw.strip():
            raise InvalidInput(f"sector segment {raw.strip()!r} has no letters or digits")
    if not segments:
        raise InvalidInput(f"{brief(text)!r} is not a sector (expected a path like iot/wearables)")
    if len(segments) > MAX_DEPTH:
        raise InvalidInput(f"sector {brief(text)!r} is deeper than {MAX_DEPTH} levels")
    path = "/".join(segments)
    if len(path) > MAX_LENGTH:
        raise InvalidInput(f"a sector has at most {MAX_LENGTH} characters (got {len(path)})")
    return path


def at_depth(sector: str, depth: int) -> str:
    """The first *depth* segments of a path: ``at_depth("iot/smart-home/air", 2)``."""
    return "/".join(sector.split("/")[:depth])


def within(sector: str, prefix: str) -> bool:
    """True when *sector* is *prefix* or lies under it (``iot/wearables`` is within ``iot``)."""
    return sector == prefix or sector.startswith(prefix + "/")
