"""parse_page: one pure function from (url, bytes, fetched_at, headers) to a project record.

The spider and `projektbank extract` both call it; nothing else reads fields from pages.
Deterministic: the same inputs give the same record on every machine.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from projektbank.extract import description as desc
from projektbank.extract import enrich as enrichment
from projektbank.extract import normalize as N
from projektbank.extract.block import Block, find_block, split_label_lines
from projektbank.extract.decode import content_type, decode
from projektbank.extract.identify import identify
from projektbank.extract.personal import MASKED_PERSONNUMMER, is_personal_label, mask
from projektbank.extract.registry import MAPPED, PERIOD, PERSONAL
from projektbank.extract.render import (
    looks_like_html,
    parse_html_checked,
    render_html,
    render_text,
)
from projektbank.extract.schema import BY_NAME, COLUMN_NAMES, LIST, MAP
from projektbank.extract.version import EXTRACTOR_VERSION


@dataclass
class Extraction:
    """What parse_page found: a record, or the reason there is none."""

    record: dict | None
    reject_reason: str | None = None
    messages: list[str] = field(default_factory=list)
    unknown_labels: list[str] = field(default_factory=list)
    ignored_labels: list[str] = field(default_factory=list)   # personal data, not written
    encoding: str | None = None
    enrichment_messages: list[str] = field(default_factory=list)  # cross-checks from enrich()
    lines_not_understood: int = 0   # lines inside the block that are neither pair nor value

    @property
    def ok(self) -> bool:
        return self.record is not None

    def __iter__(self):  # `record, messages = parse_page(...)`
        return iter((self.record, self.messages))


_NONE_RECORD: dict = dict.fromkeys(COLUMN_NAMES)
_MAP_COLUMNS = tuple(name for name in COLUMN_NAMES if BY_NAME[name].type == MAP)
_LIST_COLUMNS = tuple(name for name in COLUMN_NAMES if BY_NAME[name].type == LIST)


def empty_record() -> dict:
    rec = _NONE_RECORD.copy()  # every column, in schema order
    for name in _MAP_COLUMNS:
        rec[name] = {}
    for name in _LIST_COLUMNS:
        rec[name] = []
    return rec


def _as_utc(ts: datetime | str | None) -> datetime:
    if ts is None:
        return datetime.now(UTC)
    if isinstance(ts, str):
        ts = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    if ts.tzinfo is None:
        return ts.replace(tzinfo=UTC)
    return ts.astimezone(UTC)


def _is_text_page(headers: Mapping | None, text: str) -> bool:
    ctype = (content_type(headers) or "").lower()
    if "text/plain" in ctype:
        return True
    if "html" in ctype:
        return False
    return not looks_like_html(text)


MAX_TAGS = 200_000      # `<` in the page
MAX_LINES = 200_000     # line breaks in the page
_STRUCTURE_CHECK = 200_000   # pages smaller than this cannot exceed either


def parse_page(url: str, body: bytes, fetched_at: datetime | str | None = None,
               headers: Mapping | None = None, *, personal_data: bool = False) -> Extraction:
    """Turn one fetched page into a record following extract/schema.py.

    Returns an Extraction: `.record` (None when the page holds no project block, with
    `.reject_reason`), `.messages` (also in the record's `validation_messages`).
    Personal data (contact person, e-mail, phone) is left out unless `personal_data=True`, which
    keeps it in `fields_raw` (a personnummer stays masked either way).
    """
    fetched = _as_utc(fetched_at)
    if not body or body.isspace():  # as `not body.strip()`, without copying the page
        return Extraction(None, "empty page")
    if b"\x00" in body[:2048] and not body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Extraction(None, "binary content, not a text or HTML page")
    # Memory grows with a page's structure, not its bytes: a project page has a few thousand
    # tags and lines; a 10 MB page of nothing but tags or lines would take gigabytes.
    if len(body) > _STRUCTURE_CHECK and (body.count(b"<") > MAX_TAGS or body.count(b"\n") > MAX_LINES):
        return Extraction(None, f"page with over {MAX_TAGS} tags or {MAX_LINES} lines (a project "
                                "page has a few thousand): not read")
    text, encoding, messages = decode(body, headers)

    is_text = _is_text_page(headers, text)
    truncated = not is_text and _truncated(text)
    lines, block, title, cut = _find_block(body, text, encoding, is_text)
    if cut:
        messages.append(f"page: {cut}")
    if block is None:
        reason = "no project block found (fewer than 3 known labels together)"
        if truncated:
            reason += "; the page is truncated"
        if cut:
            reason += f"; {cut}"
        return Extraction(None, reason, messages, encoding=encoding)
    if title is None:
        title = desc.text_title(lines, block)

    ex = Extraction(empty_record(), None, messages, encoding=encoding)
    rec = ex.record
    published: dict = {}
    _read_fields(block, rec, ex, published, personal_data)
    _not_understood(lines, block, ex)
    _owner_prefix(rec, ex)
    if truncated:
        _truncation(lines, block, rec, ex, _ends_in_text(text))
    rec["description"] = mask(desc.description(lines, block), personal_data)
    identify(rec, ex.messages, ex.ignored_labels, url, title, block.glued)
    rec["source_url"] = url
    rec["fetched_at"] = fetched
    rec["content_sha256"] = hashlib.sha256(body).hexdigest()
    rec["extractor_version"] = EXTRACTOR_VERSION
    _cross_checks(rec, ex)
    ex.enrichment_messages = enrichment.enrich(rec, enrichment.Published(**published))
    ex.messages.extend(ex.enrichment_messages)
    rec["validation_messages"] = list(ex.messages)
    return ex


def _find_block(body: bytes, text: str, encoding: str | None, is_text: bool):
    """(rendered lines, the block or None, the HTML title or None, why libxml2 stopped or None)."""
    if is_text:
        lines = split_label_lines(render_text(text))
        return lines, find_block(lines), None, None
    root, cut = parse_html_checked(body if encoding == "utf-8" else text)
    lines = split_label_lines(render_html(root, skip_chrome=True))
    block = find_block(lines)
    if block is None:  # chrome detection too eager? read the whole page once more
        lines = split_label_lines(render_html(root, skip_chrome=False))
        block = find_block(lines)
    title = desc.html_title(root, lines, block) if block is not None else None
    return lines, block, title, cut


def _read_fields(block: Block, rec: dict, ex: Extraction, published: dict,
                 personal_data: bool = False) -> None:
    """Each pair of the block into fields_raw / extra_fields and its typed column; `published`
    gets what enrichment needs that no column keeps (the fields of enrich.Published)."""
    raw: dict[str, str] = rec["fields_raw"]
    seen_columns: dict[str, str] = {}
    for label_text, label, value in block.pairs:
        if label is not None and label.kind == PERSONAL or label is None and is_personal_label(label_text):
            # contact data, by the registry's labels or by pattern (`Kontaktperson e-post`)
            key = label.text if label is not None else label_text
            ex.ignored_labels.append(key)
            if personal_data and key not in rec["fields_raw"]:
                rec["fields_raw"][key] = mask(value, True)
            continue
        # Known labels under the registry's spelling (stable keys whatever the page's case or
        # dash style); unknown labels as published. E-mail addresses, phone numbers and
        # personnummer inside a value are masked in place (personal_data keeps the first two).
        name = label.text if label is not None else label_text
        value, text = mask(value, personal_data), value
        if name in raw:
            if raw[name] != value:
                ex.messages.append(f"fields_raw: label '{name}' repeated with another value; "
                                   "the first is kept")
            continue
        raw[name] = value
        if label is None:
            rec["extra_fields"][name] = value
            ex.unknown_labels.append(name)
            ex.messages.append(f"extra_fields: unknown label '{name}'")
            continue
        if label.kind == PERIOD:
            _read_period(rec, ex, label.text, text)
            continue
        col = label.column
        if label.kind != MAPPED or col is None:
            continue
        if col.name == "owner_org_number" and N.is_personnummer(text):
            raw[name] = MASKED_PERSONNUMMER
        _note_published(published, col.name, text, value)
        typed, msg = N.NORMALIZER_OF[col.name](text)
        if isinstance(typed, str) and typed is not text:
            typed = mask(typed, personal_data)
        elif typed is text:
            typed = value
        if msg:
            ex.messages.append(f"{col.name}: {msg}")
        if col.name in seen_columns:
            if rec[col.name] is None and typed is not None:
                rec[col.name] = typed
            elif typed is not None and typed != rec[col.name]:
                ex.messages.append(f"{col.name}: '{name}' ({value}) differs from "
                                   f"'{seen_columns[col.name]}' ({rec[col.name]})")
            continue
        seen_columns[col.name] = name
        rec[col.name] = typed


def _read_period(rec: dict, ex: Extraction, label_text: str, text: str) -> None:
    """`Projektperiod: 2020-01-01 - 2021-12-31` fills the dates the date labels left empty."""
    start, end, msgs = N.period(text)
    for col, val in (("start_date", start), ("end_date", end)):
        if rec[col] is None:
            rec[col] = val
        elif val is not None and rec[col] != val:
            ex.messages.append(f"{col}: '{label_text}' disagrees with the date label")
    ex.messages.extend(f"{col}: {m}" for col, m in msgs)


def _note_published(published: dict, column: str, text: str, value: str) -> None:
    """What enrichment needs from a field that its typed column does not keep
    (enrich.Published): `text` as published, `value` as masked."""
    if column == "owner_org_number" and N.is_personnummer(text):
        published["owner_number_personal"] = True
    elif column == "nuts2_code" and N.is_national_nuts(text):
        published["nuts2_national"] = True
    elif column == "programme_area":
        published.setdefault("programme_area_name", N.programme_area_name(value))


LINE_NOT_UNDERSTOOD = "fields_raw: line not understood"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE_OR_PNR = re.compile(r"(?:\+46|\b0)\d{1,3}[- ]?\d[\d -]{4,}\d|\b\d{6,8}[-+]?\d{4}\b")


def lines_not_understood(record: dict) -> int:
    """How many lines of a record's label block were not understood (from its messages: the
    dataset summary adds them up)."""
    return sum(m.startswith(LINE_NOT_UNDERSTOOD) for m in record.get("validation_messages") or ())


def _not_understood(lines: list, block: Block, ex: Extraction) -> None:
    """Name each line of the block that is neither a pair nor part of a value: published text
    never vanishes silently. Contact data that may sit in it is masked."""
    for i in block.not_understood:
        text = _PHONE_OR_PNR.sub("[nummer]", _EMAIL.sub("[e-post]", lines[i].text))
        if i in block.masked:
            text = f"[{len(text)} tecken efter en kontaktuppgift, ej visade]"
        if len(text) > 80:
            text = text[:77] + "…"
        ex.messages.append(f"{LINE_NOT_UNDERSTOOD} in the label block: '{text}'")
    ex.lines_not_understood = len(block.not_understood)


def _owner_prefix(rec: dict, ex: Extraction) -> None:
    """`Projektägare: 2220000265, GR Arbetsmarknad …`: the organisation number is not the name."""
    owner = rec["owner_name"]
    if not owner or not owner[0].isdigit():
        return
    number, rest, personal = N.owner_org_prefix(owner)
    if personal:
        rec["owner_name"] = rest or None
        rec["fields_raw"][BY_NAME["owner_name"].labels[0]] = f"{MASKED_PERSONNUMMER}, {rest}"
        ex.messages.append("owner_name: a personnummer-shaped number before the name: masked")
    elif number:
        rec["owner_name"] = rest or None
        if rec["owner_org_number"] is None:
            rec["owner_org_number"] = number
        elif rec["owner_org_number"] != number:
            ex.messages.append(f"owner_org_number: 'Projektägare' starts with {number}, the "
                               f"organisation-number label says {rec['owner_org_number']}")


_CLOSED = re.compile(r"<\s*/\s*(?:html|body)\s*>", re.I)
_OPENED = re.compile(r"<\s*(?:html|body)\b", re.I)


def _truncated(text: str) -> bool:
    """An HTML document that opens `<html>`/`<body>` and never closes them: cut off in transfer.
    (Both end tags may be omitted by the HTML rules, but no page of the site omits them.)"""
    if _CLOSED.search(text, max(0, len(text) - 4096)):
        return False
    return _OPENED.search(text, 0, 65536) is not None and _CLOSED.search(text) is None


def _ends_in_text(text: str) -> bool:
    """The document ends inside a text node (`…<dd>ES`), not in or after a tag."""
    tail = text[-2000:].rstrip()
    return bool(tail) and "<" not in tail[tail.rfind(">") + 1:] and not tail.endswith(">")


def _truncation(lines: list, block: Block, rec: dict, ex: Extraction, in_text: bool) -> None:
    """A truncated page stays a row (what it has is real), flagged: cut inside the block, the
    last value may be cut (`<dd>ES`), so its column is left empty when the document ends in
    its text (the text stays in `fields_raw`); cut after it, the description may end
    mid-sentence."""
    if any(line.text and not line.chrome for line in lines[block.end:]):
        ex.messages.append("page: truncated (the HTML ends before the document closes); the "
                           "description may be cut")
        return
    ex.messages.append("page: truncated inside the label block (the HTML ends there); the last "
                       "value may be cut")
    if block.end < len(lines) or not block.pairs or not in_text:
        return
    _, label, value = block.pairs[-1]
    col = label.column if label is not None and label.kind == MAPPED else None
    if col is not None and value and rec.get(col.name) is not None:
        rec[col.name] = None
        ex.messages.append(f"{col.name}: '{value}' is where the page was cut; not used")


def _cross_checks(rec: dict, ex: Extraction) -> None:
    start, end = rec["start_date"], rec["end_date"]
    if start and end and end < start:
        ex.messages.append(f"end_date: {end} is before start_date {start}")
