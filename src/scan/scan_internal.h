/* scan_internal.h - shared internals of the scanner (not for other subsystems). */
#ifndef SLUIS_SCAN_INTERNAL_H
#define SLUIS_SCAN_INTERNAL_H

#include <hs/hs.h>
#include <stdint.h>

#include "scan/scan.h"

/* Raw candidate kinds: what a Hyperscan pattern found, before validation. */
enum scan_raw_kind {
    RK_D8,
    RK_D9,
    RK_D10,
    RK_D11,
    RK_D12,
    RK_D9_GROUPED, /* 1234.56.782, 123 456 782 */
    RK_BTW,
    RK_IBAN,
    RK_PHONE,
    RK_EMAIL, /* matched from '@'; the validator walks back to the local part */
    RK_POSTCODE,
    RK_DATE_NUM,
    RK_DATE_TEXT,
    RK_PLATE,
    RK_DOCNR,
    RK_CLASS,
    RK_PEM,
    RK_APIKEY,
    RK_PASSWORD,
    RK_TOKEN, /* letter next to digit: the token around it may be a plate or document nr */
};

/* Context word classes (bit numbers), looked up by scan_ctx.c. */
enum scan_ctx_class {
    CX_BSN,
    CX_RSIN,
    CX_ONDERWIJS,
    CX_KVK,
    CX_VESTIGING,
    CX_KENTEKEN,
    CX_DOC,
    CX_RIJBEWIJS,
    CX_BIG,
    CX_DOB,
    CX_PHONE,
    CX_ADDRESS,
    CX_NEG,     /* invoice, order, case numbers: lowers numeric detectors */
    CX_PRODUCT, /* product, article, type: lowers licence plates */
    CX_COUNT
};

#define SCAN_CTX_BEFORE 64 /* bytes before a candidate searched for context words */
#define SCAN_CTX_AFTER 32  /* bytes after */
#define SCAN_HOLD 96       /* bytes after a candidate needed before it is judged */
#define SCAN_MAXSPAN 512   /* longest candidate except private-key blocks */
#define SCAN_PEM_MAX 16384 /* longest private-key block followed to its END line */

struct scan_pattern {
    const char *re;
    unsigned flags;       /* HS_FLAG_* besides SOM */
    unsigned char kind;   /* enum scan_raw_kind */
    unsigned char arg;    /* context class for RK_CTX; sub-kind otherwise */
    unsigned char nosom;  /* validator finds the start itself */
    unsigned char cparse; /* found by scan_anchor.c, not compiled (except in reference mode) */
};

/*
 * Patterns are compiled into SCAN_NGROUPS databases by engine family (fixed-width
 * digit runs, fixed-width literal-anchored, start-of-match digit, start-of-match
 * literal): Hyperscan runs each family at several GB/s alone, but one mixed
 * database falls back to slower engines. Each group is one pass over the text.
 */
#define SCAN_NGROUPS 4

#define SCAN_NKINDS (RK_TOKEN + 1)

struct scan_db {
    int reference; /* every pattern compiled into Hyperscan (the old path, for tests) */
    unsigned short kid[SCAN_NKINDS][8]; /* pattern id of (kind, arg), for scan_anchor.c */
    hs_database_t *block[SCAN_NGROUPS];
    hs_database_t *stream[SCAN_NGROUPS];
    unsigned npat;
    const struct scan_pattern *pat;
    unsigned *width; /* fixed width per pattern id, 0 = variable */
    int year_max;    /* latest plausible year of birth */
};

struct scan_raw {
    uint64_t from, to; /* absolute offsets; from is meaningless for nosom kinds */
    uint64_t hold;     /* earliest start of its finding (from, or to - 400 for nosom kinds) */
    uint64_t reach;    /* furthest end of its finding (private keys: see scan_engine.c) */
    unsigned id;
    int pem; /* a private-key header: waits for its END line */
};

/* Where a pending candidate may start and how far its finding may reach (stream mode). */
struct scan_span {
    uint64_t reach, hold;
};

/* Sort key of a validated finding (index into scan_engine.tmp). */
struct scan_key {
    uint64_t offset;
    uint32_t length, idx;
};

/*
 * Context words and sentence breaks of a stretch of the window, tokenised once per flush
 * and shared by all candidates in it (scan_ctx.c). Events are in position order.
 */
struct scan_ctx_event {
    uint64_t start, end; /* a word [start, end), or a sentence break at start (end == 0) */
    int cls;             /* class of the word, -1 for none */
};
struct scan_ctx_index {
    struct scan_ctx_event *ev;
    size_t n, cap;
    size_t hint;         /* the last answer of a position search */
    uint64_t start, end; /* words starting in [start, end) are indexed; end = 0: empty */
};

#define SCAN_RING 128 /* >= LOOK_DIGIT in scan_anchor.c */

/* Pending candidates of one block scan or one stream. */
struct scan_engine {
    struct scan_raw *raw;
    size_t nraw, capraw;
    struct scan_finding *tmp; /* validated findings of one flush */
    size_t ntmp, captmp;
    struct scan_key *key; /* sort keys of tmp */
    size_t capkey;
    struct scan_span *span; /* candidates that hold others back (scan_engine.c) */
    size_t capspan;
    struct scan_ctx_index ix;
    uint64_t emitted_end; /* end of the last reported finding */
    int oom;
    /* scan_anchor.c state (persists across stream feeds) */
    uint64_t anchor_done;  /* anchors before this stream offset have been parsed */
    uint64_t pending_from; /* candidates of unparsed anchors may start here: hold later ones */
    uint64_t key_done;     /* API key prefixes before this offset have been looked for */
    uint64_t tok_s, tok_e; /* span of the last plate/document token reported (scan_anchor.c) */
    uint64_t run_s, run_e; /* the last whole token of at most 12 bytes looked at */
    struct {
        uint64_t end;
        uint64_t ids;  /* bit per pattern id */
    } ring[SCAN_RING]; /* ends of variable-width patterns claimed: one report per (id, end) */
};

struct scan_scratch {
    hs_scratch_t *hs;
    struct scan_engine eng; /* used by scan_block */
};

/* A window of text: bytes [off, off + len) of the stream or block. */
struct scan_window {
    const char *p;
    size_t len;
    uint64_t off;
    struct scan_ctx_index *ix; /* context index of this flush, or NULL (look up directly) */
};

extern const struct scan_pattern scan_patterns[];
extern const unsigned scan_npatterns;

void scan_engine_init(struct scan_engine *e);
void scan_engine_free(struct scan_engine *e);
/* Hyperscan match callback; ctx is a struct scan_cbctx. */
struct scan_cbctx {
    const struct scan_db *db;
    struct scan_engine *eng;
    struct scan_result *out; /* its truncated flag is set when candidates are dropped */
};
/* Appends one raw candidate; 0, or non-zero when out of memory (e->oom set). */
int scan_engine_push(const struct scan_db *db, struct scan_engine *e, struct scan_result *out,
                     unsigned id, uint64_t from, uint64_t to);
int scan_engine_on_match(unsigned int id, unsigned long long from, unsigned long long to,
                         unsigned int flags, void *ctx);
/*
 * Validates pending candidates that are ready (to + SCAN_HOLD <= limit, or all when
 * final), appends confirmed findings to out. win must cover every ready candidate
 * with its look-around.
 */
int scan_engine_flush(const struct scan_db *db, struct scan_engine *e,
                      const struct scan_window *win, uint64_t limit, int final, float min_conf,
                      struct scan_result *out);

/*
 * The hand-written candidate finder for the digit, e-mail, password and API-key patterns
 * (cparse in scan_patterns.c): one SIMD pass finds anchors (digit-run borders, '@', ':',
 * '='), small parsers at each anchor report what the Hyperscan expressions would report.
 * Parses anchors from e->anchor_done on; unless final, an anchor is left for the next call
 * when the window does not yet hold the bytes its parser may read. Updates anchor_done and
 * pending_from. Returns 0 or SLUIS_ENOMEM.
 */
void scan_anchor_reset(struct scan_engine *e);
int scan_anchor_run(const struct scan_db *db, struct scan_engine *e, const struct scan_window *w,
                    int final, struct scan_result *out);
/* Internal: compiles the databases; reference != 0 puts every pattern into Hyperscan (the
 * pre-anchor path, kept as the oracle for tests). */
int scan_db_new_mode(struct scan_db **out, int reference, struct sluis_err *err);
/* Fills db->kid from db->pat. */
void scan_db_fill_kid(struct scan_db *db);

/* Validates one raw candidate; calls emit for each finding (detector, offset, length,
 * confidence filled). Returns 0 or the first non-zero value of emit. */
typedef int (*scan_emit_fn)(void *arg, const struct scan_finding *f);
int scan_detect(const struct scan_db *db, const struct scan_window *w, const struct scan_raw *r,
                scan_emit_fn emit, void *arg);

/*
 * The class (enum scan_ctx_class) of the context word nearest to [from, to) among
 * the classes in mask, at most `before` bytes before or `after` bytes after it and
 * within the same sentence; -1 when there is none. Words are looked up in a fixed
 * Dutch/English list (scan_ctx.c).
 */
int scan_ctx_nearest(const struct scan_window *w, uint64_t from, uint64_t to, unsigned mask,
                     unsigned before, unsigned after);
/* 0 when the context word table is sorted (binary search needs it); for the tests. */
int scan_ctx_table_check(void);

/* Byte classes (scan_cls.c): scan_cls[c] holds the SCAN_CLS_* bits of byte c; bytes >= 0x80
 * have none. SCAN_CLS_LOCAL marks '%', '+', '-' and '.' (e-mail local part besides word
 * bytes). scan_cls_of(c) also takes -1 (outside the text), which has none. */
enum {
    SCAN_CLS_DIGIT = 1,
    SCAN_CLS_UPPER = 2,
    SCAN_CLS_LOWER = 4,
    SCAN_CLS_UNDER = 8,
    SCAN_CLS_DASH = 16,
    SCAN_CLS_LOCAL = 32,
    SCAN_CLS_ALPHA = SCAN_CLS_UPPER | SCAN_CLS_LOWER,
    SCAN_CLS_ALNUM = SCAN_CLS_DIGIT | SCAN_CLS_ALPHA,
    SCAN_CLS_WORD = SCAN_CLS_ALNUM | SCAN_CLS_UNDER,
};
extern const unsigned char scan_cls[256];
static inline unsigned scan_cls_of(int c)
{
    return scan_cls[(unsigned)c & 0xffu];
}

/* Fills f->preview from the text of the finding. */
void scan_preview_fill(struct scan_finding *f, const char *text, size_t len);

#endif
