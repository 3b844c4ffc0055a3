"""WARC: the raw archive (every fetched detail page as received, in WARC/1.1 files), and
every WARC file `extract` reads.

Layout of `DIR/raw/` (one crawl job; an earlier job's files are moved to `DIR/raw-previous/`):

    DIR/raw/<run-id>.warc.gz            one file per crawl run (a resumed job adds one per run)
    DIR/raw/<run-id>-001.warc.gz        … rolled over after PROJEKTBANK_WARC_MAX_BYTES

Files are created owner-only (0600; the folder 0700): the pages hold personal data as
published (contact persons, e-mail addresses, phone numbers), which the datasets leave out.
Each file starts with a `warcinfo` record (software, robots policy, start URLs), then one
`response` record per fetched detail page, each its own gzip member, flushed as soon as it
is written (a killed crawl loses at most the record being written; `repair()` cuts it off):

    WARC-Type: response
    WARC-Target-URI: <the URL as fetched; the record's source_url>
    WARC-Date: <fetched_at, UTC, microseconds: the record's fetched_at>
    WARC-Projektbank-Sha256: <sha256 hex of the body: the record's content_sha256>
    WARC-Projektbank-Requested-URI: <the URL requested, before redirects>
    WARC-Payload-Digest / WARC-Block-Digest: sha1
    HTTP/1.1 <status> <reason>, the response headers (without Content-Encoding,
    Transfer-Encoding and Content-Length: the body is stored decoded), then the body.

`projektbank extract DIR/raw --out OTHER` reads these and rebuilds projects.parquet row for row:
the crawl hands parse_page exactly the url, body, fetched_at and headers stored here.

Reused pages (issue 4, "fetch less"): when a conditional request gets `304 Not Modified`, or a
200 whose body has the previous record's sha256, the crawl does not archive the new response:
it copies the previous run's `response` record (from `DIR/raw-previous/`) byte for byte into
this run's file (`reused_copy`), so `DIR/raw` alone still holds every page of the dataset and
`extract DIR/raw` still equals the crawl. Each copy is followed by a `metadata` record
(`WARC-Refers-To: <the copied record's WARC-Record-ID>`, `Content-Type: application/json`,
`WARC-Date`: when the page was revalidated) whose JSON body says why it was reused and which
validators the server sent this time:

    {"projektbank": "reused", "reason": "not_modified" | "unchanged_hash", "status": 304 | 200,
     "requested_url": …, "etag": …, "last_modified": …, "copied_from": "raw-previous/<file>"}

`index_responses()` reads an archive's response records (location, validators, sha256) and
applies these metadata records, for the next run's conditional requests.

The modules, each used through this package's names:
    dates   warc_date, parse_timestamp: the one ISO 8601 parser of the pipelines
    record  WarcRecord (the one record type: digests, parse), header names
    frame   the one reader: gzip members and records framed from their own headers, bounded
    read    read_warc (extract's pages), iter_responses, index_responses, parse_member
    write   RawArchive, response_member, reused_copy (the one copy operation)
    files   warc_files, repair (a torn last record cut off before a resumed run appends)
No Scrapy here; pipelines.sources imports this package, never the other way.
"""

from projektbank.pipelines.warc.dates import parse_timestamp, warc_date
from projektbank.pipelines.warc.files import complete_length, repair, warc_files
from projektbank.pipelines.warc.read import (
    ArchivedResponse,
    index_responses,
    iter_responses,
    parse_member,
    read_member,
    read_warc,
)
from projektbank.pipelines.warc.record import (
    REQUESTED_HEADER,
    REUSED_PROFILE,
    SHA_HEADER,
    WarcRecord,
)
from projektbank.pipelines.warc.write import (
    RawArchive,
    clean_headers,
    response_member,
    reused_copy,
)

__all__ = ["REQUESTED_HEADER", "REUSED_PROFILE", "SHA_HEADER", "ArchivedResponse", "RawArchive",
           "WarcRecord", "clean_headers", "complete_length", "index_responses", "iter_responses",
           "parse_member", "parse_timestamp", "read_member", "read_warc", "repair",
           "response_member", "reused_copy", "warc_date", "warc_files"]
