/*
 * scan.h - detection of Dutch sensitive and confidential data (issue 4).
 *
 * One pass finds candidates for every detector (a SIMD anchor scan with hand-written
 * parsers, plus Hyperscan for classification markings and key headers); C validators
 * confirm them (11-proef, mod-97, calendar, issued ranges, sidecodes); context words
 * before or after a candidate raise or lower its confidence. Pure and I/O-free:
 * the module depends only on sluis_core (for struct sluis_err) and libhs.
 *
 * Objects and threads:
 *   struct scan_db      compiled once per process; read-only after scan_db_new,
 *                       so any number of threads may share one.
 *   struct scan_scratch one per thread (Hyperscan scratch + work arrays).
 *   struct scan_stream  one per stream (e.g. one SSE response); not thread-safe.
 *   struct scan_result  owned by the caller: zero-initialise it (optionally set
 *                       max_findings), pass it to scan_block / scan_stream_*, which
 *                       append; free it with scan_result_free.
 *
 * Offsets are byte offsets into the text (block mode) or into the whole stream
 * (streaming mode). Text is treated as bytes: invalid UTF-8 and NUL bytes are
 * separators, never errors.
 */
#ifndef SLUIS_SCAN_SCAN_H
#define SLUIS_SCAN_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

enum scan_detector {
    SCAN_DET_BSN = 0,
    SCAN_DET_RSIN,
    SCAN_DET_ONDERWIJSNUMMER,
    SCAN_DET_BTW,
    SCAN_DET_IBAN,
    SCAN_DET_PHONE,
    SCAN_DET_EMAIL,
    SCAN_DET_POSTCODE,
    SCAN_DET_DOB,
    SCAN_DET_KVK,
    SCAN_DET_VESTIGING,
    SCAN_DET_KENTEKEN,
    SCAN_DET_PASPOORT, /* passport or identity card number */
    SCAN_DET_RIJBEWIJS,
    SCAN_DET_BIG,
    SCAN_DET_CLASSIFICATION,
    SCAN_DET_PRIVATE_KEY,
    SCAN_DET_API_KEY,
    SCAN_DET_PASSWORD,
    SCAN_DET_COUNT
};

/* Default threshold of the CLI and a sensible default for callers. */
#define SCAN_MIN_CONFIDENCE_DEFAULT 0.5f
/* Default cap on findings per result when max_findings is 0. */
#define SCAN_MAX_FINDINGS_DEFAULT 100000

struct scan_db;
struct scan_scratch;
struct scan_stream;

struct scan_finding {
    int detector;              /* enum scan_detector */
    const char *detector_name; /* "bsn", "iban", ... (static string) */
    const char *category;      /* "identifier", "financial", "contact", "location",
                                  "personal", "classification", "secret" (static) */
    uint64_t offset;           /* byte offset of the first byte */
    uint32_t length;           /* bytes */
    float confidence;          /* 0..1, see docs/scan.md */
    char preview[40];          /* masked, NUL-terminated; never the whole value */
};

struct scan_result {
    struct scan_finding *findings; /* owned by the result, in offset order */
    size_t n, cap;
    size_t max_findings; /* 0 = SCAN_MAX_FINDINGS_DEFAULT; further findings are dropped */
    int truncated;       /* 1 when findings were dropped (max_findings, or over 1M candidates) */
};

/* Static name ("bsn") and category of a detector; NULL for an unknown id. */
const char *scan_detector_name(int detector);
const char *scan_detector_category(int detector);
/* Typed placeholder used by scan_redact, e.g. "[BSN]"; NULL for an unknown id. */
const char *scan_detector_placeholder(int detector);

/*
 * Compiles the pattern databases (block and streaming). Call once per process
 * and share the result. On success *out is owned by the caller (scan_db_free).
 * Errors: SLUIS_ENOMEM, SLUIS_EINTERNAL (Hyperscan refused a pattern; message
 * in err).
 */
int scan_db_new(struct scan_db **out, struct sluis_err *err);
/*
 * Serialises a compiled database (e.g. to cache it in a file) and loads it back, which is
 * much faster than compiling. The blob is tied to this build's pattern set: loading a blob
 * of another pattern set or Hyperscan version fails with SLUIS_EINVAL. scan_db_serialize:
 * *out is malloc'd, owned by the caller. scan_db_deserialize: *out as for scan_db_new.
 */
int scan_db_serialize(const struct scan_db *db, char **out, size_t *len, struct sluis_err *err);
int scan_db_deserialize(const char *buf, size_t len, struct scan_db **out, struct sluis_err *err);

/* Frees a database; NULL is fine. No scratch or stream of it may be in use. */
void scan_db_free(struct scan_db *db);

/*
 * Allocates per-thread scratch space for db. Returns 0 or SLUIS_ENOMEM.
 * *out is owned by the caller (scan_scratch_free). db must outlive it.
 */
int scan_scratch_new(const struct scan_db *db, struct scan_scratch **out);
void scan_scratch_free(struct scan_scratch *s);

/*
 * Scans one block of text and appends the findings with confidence >=
 * min_confidence to out, in offset order, overlapping candidates resolved to
 * the most confident one. text is borrowed. Returns 0, SLUIS_ENOMEM or
 * SLUIS_EINTERNAL (err filled). Hitting max_findings is not an error
 * (out->truncated).
 */
int scan_block(const struct scan_db *db, struct scan_scratch *s, const char *text, size_t len,
               float min_confidence, struct scan_result *out, struct sluis_err *err);

/*
 * Streaming: open a stream, feed chunks in order, close. Findings that span
 * chunk borders are found; offsets are stream offsets. A candidate is
 * reported once enough bytes after it have arrived to judge context (or at
 * close), so feed may report findings in earlier chunks. Memory per stream is
 * bounded (a tail window of SCAN_STREAM_WINDOW bytes plus the current chunk).
 * The stream is owned by the caller and is freed by scan_stream_close, which
 * must be called exactly once (also after an error), or by scan_stream_free
 * to abandon it without reporting.
 */
#define SCAN_STREAM_WINDOW 32768
int scan_stream_open(const struct scan_db *db, struct scan_stream **out, struct sluis_err *err);
int scan_stream_feed(struct scan_stream *st, struct scan_scratch *s, const char *chunk, size_t len,
                     float min_confidence, struct scan_result *out, struct sluis_err *err);
int scan_stream_close(struct scan_stream *st, struct scan_scratch *s, float min_confidence,
                      struct scan_result *out, struct sluis_err *err);
void scan_stream_free(struct scan_stream *st);
/*
 * Every finding that starts before the returned stream offset has been
 * reported by now; bytes before it can be released by a redacting proxy.
 */
uint64_t scan_stream_stable_offset(const struct scan_stream *st);

/* Frees the findings array and zeroes the result (keeps max_findings). */
void scan_result_free(struct scan_result *r);

/*
 * Writes text with each finding of r replaced by its placeholder ([BSN],
 * [IBAN], ...). r must hold block offsets into this text in offset order
 * (as scan_block produces); findings outside text are ignored. On success
 * *out is a NUL-terminated malloc'd buffer owned by the caller, *out_len its
 * length without the NUL. Returns 0 or SLUIS_ENOMEM.
 */
int scan_redact(const char *text, size_t len, const struct scan_result *r, char **out,
                size_t *out_len);

#endif
