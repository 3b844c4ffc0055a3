"""Bytes → text, deterministically: BOM, HTTP charset, `<meta charset>`, strict UTF-8,
then detection (bs4's UnicodeDammit) only when all of those fail.

The same bytes give the same text on every machine.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([a-zA-Z0-9_\-:.]+)", re.I)

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def _canonical(name: str | None) -> str | None:
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None
    # Browsers read latin-1 and ascii labels as windows-1252 (WHATWG Encoding); so do we.
    return "cp1252" if codec in ("latin-1", "iso8859-1", "ascii") else codec


def content_type(headers: Mapping[str, object] | None) -> str | None:
    """The Content-Type header's value, whatever the key's case or the value's type."""
    for key, value in (headers or {}).items():
        k = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        if k.lower() == "content-type":
            if isinstance(value, list | tuple):
                value = value[0] if value else ""
            return value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return None


def header_charset(headers: Mapping[str, object] | None) -> str | None:
    m = _HEADER_CHARSET.search(content_type(headers) or "")
    return m.group(1) if m else None


def decode(body: bytes, headers: Mapping[str, object] | None = None) -> tuple[str, str, list[str]]:
    """Return (text, encoding used, messages)."""
    messages: list[str] = []
    for bom, enc in _BOMS:
        if body.startswith(bom):
            return body.decode(enc, errors="replace"), enc, messages
    declared = [("HTTP header", header_charset(headers))]
    m = _META_CHARSET.search(body, 0, 4096)  # the first 4 KB, without copying them
    declared.append(("<meta charset>", m.group(1).decode("ascii", "ignore") if m else None))
    if any(_canonical(n) in _SINGLE_BYTE for _, n in declared) and not body.isascii():
        # A legacy charset declared for bytes that are valid UTF-8: a server's wrong default.
        # Swedish text in windows-1252 is practically never valid UTF-8, so trust the bytes.
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            src, name = next((src, n) for src, n in declared if _canonical(n) in _SINGLE_BYTE)
            messages.append(f"encoding: {source_label(src)} says {name}, but the page is valid "
                            "UTF-8; read as UTF-8")
            return text, "utf-8", messages
    for source, name in declared:
        enc = _canonical(name)
        if name and not enc:
            messages.append(f"encoding: unknown charset '{name}' in {source}")
            continue
        if enc:
            try:
                return body.decode(enc), enc, messages
            except UnicodeDecodeError:
                messages.append(f"encoding: page does not decode as {enc} declared in {source}")
    try:
        return body.decode("utf-8"), "utf-8", messages
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(body)
    if mostly is not None:  # UTF-8 with a few damaged bytes: not a legacy page
        text, bad = mostly
        messages.append(f"encoding: {bad} byte sequence(s) are not valid UTF-8 in an otherwise "
                        "UTF-8 page; replaced with U+FFFD")
        return text, "utf-8", messages
    from bs4 import UnicodeDammit  # detection: only for undeclared, non-UTF-8 pages

    # bs4 asks whichever detector is installed (cchardet, chardet, else charset_normalizer):
    # a package that merely pulls in chardet would change the record. charset_normalizer's
    # guess, given first, keeps detection the same on every machine.
    dammit = UnicodeDammit(body, is_html=True, user_encodings=_normalizer_guess(body))
    guess = _canonical(dammit.original_encoding)
    # Detectors misread short Swedish text (cp1006, cp1250, and chardet 7's cp850 for
    # windows-1252 'ä'); a Western-European web charset or the web's legacy default
    # windows-1252 is what a browser in Sweden would show.
    if guess in _PLAUSIBLE and dammit.unicode_markup is not None:
        return dammit.unicode_markup, guess, messages
    return body.decode("cp1252", errors="replace"), "cp1252", messages


def _normalizer_guess(body: bytes) -> list[str]:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # bs4 then detects with what it has
        return []
    best = from_bytes(body).best()
    return [best.encoding] if best is not None else []


def _mostly_utf8(body: bytes) -> tuple[str, int] | None:
    """A page whose non-ASCII text is valid UTF-8 but for a few damaged sequences (a cut or
    corrupted byte): decoding it all as windows-1252 would garble every letter, key columns
    included. Real windows-1252 Swedish text is practically never valid multi-byte UTF-8, so
    at least 20 valid multi-byte characters per damaged sequence marks UTF-8."""
    text = body.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - body.count("\ufffd".encode())
    if bad <= 0:
        return None
    good = sum(1 for ch in text if ch > "\x7f") - text.count("\ufffd")
    return (text, bad) if good >= 20 * bad else None


_SINGLE_BYTE = {"cp1252", "iso8859-15", "iso8859-2", "cp1250", "mac-roman", "cp850", "cp437"}


def source_label(source: str) -> str:
    return "the " + source if source.startswith("HTTP") else source


_PLAUSIBLE = {"cp1252", "iso8859-15", "utf-16", "utf-16-le", "utf-16-be"}  # no DOS/Mac code pages
