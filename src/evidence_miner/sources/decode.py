"""Decode an article's bytes to text: BOM, UTF-8, the HTML's declared charset, then detection."""

from __future__ import annotations

import logging

from bs4.dammit import EncodingDetector
from charset_normalizer import from_bytes

from evidence_miner.errors import InputError

log = logging.getLogger(__name__)

# Bytes that occur in text: tab, line breaks, form feed, escape, printable ASCII
# and everything above 0x7F (legacy code pages and UTF-8 sequences).
TEXT_BYTES = bytes([9, 10, 11, 12, 13, 27]) + bytes(range(0x20, 0x7F)) + bytes(range(0x80, 0x100))
MAX_CONTROL_SHARE = 0.3
SAMPLE_BYTES = 65_536
# WHATWG Encoding Standard: browsers decode these labels as windows-1252, and pages declaring
# them routinely use its curly quotes and dashes in 0x80-0x9F, which latin-1 would turn into
# control characters. Python's codecs do not apply that mapping, so it is done here.
WINDOWS_1252_LABELS = {"ascii", "us-ascii", "latin-1", "latin1", "iso-8859-1", "iso8859-1", "l1"}
# The web's most common legacy encoding: preferred when detection finds equally good candidates.
PREFERRED_LEGACY = "cp1252"


def is_binary(data: bytes) -> bool:
    """NUL bytes, or more than MAX_CONTROL_SHARE control bytes in the first SAMPLE_BYTES."""
    sample = data[:SAMPLE_BYTES]
    if b"\x00" in sample:
        return True
    controls = len(sample.translate(None, TEXT_BYTES))
    return bool(sample) and controls / len(sample) > MAX_CONTROL_SHARE


def decode_with_bom(data: bytes) -> str | None:
    """Text of bytes starting with a UTF-8/16/32 byte order mark, else None."""
    stripped, encoding = EncodingDetector.strip_byte_order_mark(data)
    if encoding is None:
        return None
    try:
        return stripped.decode(encoding)
    except UnicodeDecodeError:
        return None


def decode_strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_declared(data: bytes) -> str | None:
    """Text decoded with the charset an HTML page declares (<meta charset>, http-equiv)."""
    declared = EncodingDetector.find_declared_encoding(data, is_html=True)
    if not declared:
        return None
    encoding = "cp1252" if declared.lower() in WINDOWS_1252_LABELS else declared
    text = decode_strict(data, encoding)
    if text is None:
        log.debug("declared charset %r does not decode the page", declared)
    return text


def decode_detected(data: bytes) -> str | None:
    """Text decoded with charset-normalizer's best guess; ties go to windows-1252."""
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    for match in matches:
        same = (match.chaos, match.coherence) == (best.chaos, best.coherence)
        if same and match.encoding == PREFERRED_LEGACY:
            best = match
    log.debug("detected charset %s", best.encoding)
    return str(best)


def decode_bytes(data: bytes, *, is_html: bool, name: str) -> str:
    """The text of an article's bytes; InputError when they are binary or not decodable."""
    text = decode_with_bom(data)
    if text is not None:
        return text
    if is_binary(data):
        raise InputError(
            f"[EM105] {name} looks binary (NUL or control bytes), not an article. "
            "Give a .txt or .html file."
        )
    text = decode_strict(data, "utf-8")
    if text is None and is_html:
        text = decode_declared(data)
    if text is None:
        text = decode_detected(data)
    if text is None:
        raise InputError(
            f"[EM106] {name} is not decodable as text in UTF-8 or any detected encoding. "
            "Convert it to UTF-8."
        )
    return text


def decode_with_header(data: bytes, charset: str | None) -> str | None:
    """Text decoded with the HTTP header's charset (latin-1 labels read as windows-1252)."""
    if not charset:
        return None
    encoding = "cp1252" if charset.strip().lower() in WINDOWS_1252_LABELS else charset.strip()
    text = decode_strict(data, encoding)
    if text is None:
        log.debug("header charset %r does not decode the page", charset)
    return text


def decode_http_body(data: bytes, *, header_charset: str | None, name: str) -> str:
    """A fetched page's text: byte order mark, then the HTTP header's charset, then the page's
    own declaration, UTF-8 and detection (as for a saved file)."""
    text = decode_with_bom(data)
    if text is None and not is_binary(data):
        text = decode_with_header(data, header_charset)
    return text if text is not None else decode_bytes(data, is_html=True, name=name)
