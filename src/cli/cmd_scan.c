/*
 * cmd_scan.c - `sluis scan [FILE|-]...`: finds Dutch sensitive data in text files.
 * Files are read in fixed-size chunks through the streaming scanner, so memory
 * stays bounded for multi-gigabyte input. Exit: 0 clean, 1 found, 2 error.
 */
#include "cli/commands.h"
#include "scan/scan.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define CHUNK (256u * 1024u)

enum { FMT_TEXT, FMT_JSON };

struct scan_opts {
    int format;
    int redact;
    float min_conf;
};

/* Counts invalid UTF-8 sequences and NUL bytes across chunk borders. */
struct utf8_state {
    int need;     /* continuation bytes still expected */
    uint64_t bad; /* invalid sequences */
    uint64_t nul; /* NUL bytes */
};

static void utf8_feed(struct utf8_state *u, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
#if defined(__SSE2__)
        /* fast path: 32 ASCII bytes without NUL */
        while (!u->need && i + 32 <= n) {
            __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + i + 16));
            __m128i z = _mm_setzero_si128();
            __m128i bad = _mm_or_si128(_mm_or_si128(a, b), /* high bit set: not ASCII */
                                       _mm_or_si128(_mm_cmpeq_epi8(a, z), _mm_cmpeq_epi8(b, z)));
            if (_mm_movemask_epi8(bad))
                break;
            i += 32;
        }
#endif
        /* fast path: 8 ASCII bytes without NUL */
        while (!u->need && i + 8 <= n) {
            uint64_t v;
            memcpy(&v, p + i, 8);
            if ((v & 0x8080808080808080ull) ||
                ((v - 0x0101010101010101ull) & ~v & 0x8080808080808080ull))
                break;
            i += 8;
        }
        if (i >= n)
            break;
        unsigned char c = p[i];
        if (u->need) {
            if ((c & 0xC0) == 0x80) {
                u->need--;
                continue;
            }
            u->bad++;
            u->need = 0;
        }
        if (c == 0)
            u->nul++;
        else if (c < 0x80)
            continue;
        else if (c >= 0xC2 && c <= 0xDF)
            u->need = 1;
        else if (c >= 0xE0 && c <= 0xEF)
            u->need = 2;
        else if (c >= 0xF0 && c <= 0xF4)
            u->need = 3;
        else
            u->bad++;
    }
}

/* Redacting writer: holds back bytes until the scanner has judged them. */
struct redactor {
    char *buf; /* bytes [off, off + len) of the stream, not written yet */
    size_t len, cap;
    uint64_t off;
    size_t next; /* next finding of the result to apply */
};

static int red_append(struct redactor *r, const char *p, size_t n)
{
    if (r->len + n > r->cap) {
        size_t ncap = (r->len + n) * 2;
        char *nb = realloc(r->buf, ncap);
        if (!nb)
            return -1;
        r->buf = nb;
        r->cap = ncap;
    }
    memcpy(r->buf + r->len, p, n);
    r->len += n;
    return 0;
}

/* Writes everything before `upto` (stream offset), replacing findings. */
static void red_flush(struct redactor *r, const struct scan_result *res, uint64_t upto, FILE *out)
{
    uint64_t end = r->off + r->len;

    if (upto > end)
        upto = end;
    while (r->next < res->n && res->findings[r->next].offset < upto) {
        const struct scan_finding *f = &res->findings[r->next++];
        if (f->offset < r->off)
            continue;
        fwrite(r->buf, 1, (size_t)(f->offset - r->off), out);
        fputs(scan_detector_placeholder(f->detector), out);
        uint64_t fend = f->offset + f->length;
        if (fend > end)
            fend = end;
        size_t drop = (size_t)(fend - r->off);
        memmove(r->buf, r->buf + drop, r->len - drop);
        r->len -= drop;
        r->off = fend;
    }
    if (upto > r->off) {
        size_t n = (size_t)(upto - r->off);
        fwrite(r->buf, 1, n, out);
        memmove(r->buf, r->buf + n, r->len - n);
        r->len -= n;
        r->off = upto;
    }
}

/* Output buffer of print_findings: one fwrite per chunk of findings instead of a printf
 * call per field (printf was a third of the CLI's time on PII-dense text). */
struct obuf {
    char b[1 << 16];
    size_t n;
};

static void ob_flush(struct obuf *ob)
{
    fwrite(ob->b, 1, ob->n, stdout);
    ob->n = 0;
}

/* Appends n bytes; strings longer than the buffer go straight to stdout. */
static void ob_put(struct obuf *ob, const char *p, size_t n)
{
    if (ob->n + n > sizeof(ob->b)) {
        ob_flush(ob);
        if (n > sizeof(ob->b)) {
            fwrite(p, 1, n, stdout);
            return;
        }
    }
    memcpy(ob->b + ob->n, p, n);
    ob->n += n;
}

static void ob_str(struct obuf *ob, const char *s)
{
    ob_put(ob, s, strlen(s));
}

/* Decimal digits of v at o; returns the end. */
static char *put_u64(char *o, uint64_t v)
{
    static const char d2[] = "00010203040506070809101112131415161718192021222324252627282930313233"
                             "34353637383940414243444546474849505152535455565758596061626364656667"
                             "6869707172737475767778798081828384858687888990919293949596979899";
    char t[24];
    size_t k = sizeof(t);

    while (v >= 100) { /* two digits at a time */
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        t[--k] = d2[2 * r + 1];
        t[--k] = d2[2 * r];
    }
    if (v >= 10) {
        t[--k] = d2[2 * v + 1];
        t[--k] = d2[2 * v];
    } else {
        t[--k] = (char)('0' + v);
    }
    memcpy(o, t + k, sizeof(t) - k);
    return o + (sizeof(t) - k);
}

static void ob_u64(struct obuf *ob, uint64_t v)
{
    char t[24];

    ob_put(ob, t, (size_t)(put_u64(t, v) - t));
}

/* Per byte: 1 when a JSON string needs it escaped (or it ends the string: NUL). */
static const unsigned char json_esc[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

static void ob_json_str(struct obuf *ob, const char *s)
{
    char t[8];
    size_t n = 0;

    while (!json_esc[(unsigned char)s[n]])
        n++;
    ob_put(ob, "\"", 1);
    ob_put(ob, s, n); /* the plain prefix (usually all of it) in one copy */
    for (s += n; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            t[0] = '\\';
            t[1] = (char)c;
            ob_put(ob, t, 2);
        } else if (c < 0x20 || c >= 0x7f) {
            snprintf(t, sizeof(t), "\\u%04x", c);
            ob_put(ob, t, 6);
        } else {
            ob_put(ob, (const char *)&c, 1);
        }
    }
    ob_put(ob, "\"", 1);
}

/* A string literal without strlen. */
#define OB_LIT(ob, lit) ob_put((ob), (lit), sizeof(lit) - 1)

/* "%.2f" of a confidence; the few distinct values are formatted once. */
static const char *conf_str(float c)
{
    /* a direct-mapped cache by the float's bits: the few distinct values each get a slot */
    static struct {
        uint32_t bits;
        int used;
        char txt[16];
    } slot[256];
    uint32_t bits;

    memcpy(&bits, &c, sizeof(bits));
    size_t i = (size_t)((bits * 2654435761u) >> 24);
    if (!slot[i].used || slot[i].bits != bits) {
        slot[i].used = 1;
        slot[i].bits = bits;
        snprintf(slot[i].txt, sizeof(slot[i].txt), "%.2f", (double)c);
    }
    return slot[i].txt;
}

/* name as a JSON string with its quotes into out (cap bytes); its length, or 0 when it does
 * not fit. */
static size_t json_quote(const char *name, char *out, size_t cap)
{
    size_t k = 0;

    if (cap < 8)
        return 0;
    out[k++] = '"';
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (k + 8 > cap)
            return 0;
        if (*p == '"' || *p == '\\') {
            out[k++] = '\\';
            out[k++] = (char)*p;
        } else if (*p < 0x20 || *p >= 0x7f) {
            snprintf(out + k, 7, "\\u%04x", *p);
            k += 6;
        } else {
            out[k++] = (char)*p;
        }
    }
    out[k++] = '"';
    return k;
}

/* One JSON finding straight into the buffer (the caller made room): the file name is quoted
 * once per call of print_findings, the detector's fields once per process. Returns 0, or -1
 * (nothing written) when the detector's fields do not fit their cache slot: the caller then
 * writes the record the general way. */
static int ob_json_finding(struct obuf *ob, const char *qname, size_t qlen,
                           const struct scan_finding *f, int first)
{
    static char det[SCAN_DET_COUNT][96];
    static unsigned char detlen[SCAN_DET_COUNT];
    char *o = ob->b + ob->n;
    const char *conf = conf_str(f->confidence), *pv = f->preview;
    size_t n;

    if (!detlen[f->detector]) {
        int w =
            snprintf(det[f->detector], sizeof(det[0]),
                     ", \"detector\": \"%s\", \"category\": \"%s\", \"offset\": ", f->detector_name,
                     f->category);
        detlen[f->detector] = (unsigned char)(w > 0 && (size_t)w < sizeof(det[0]) ? w : 0);
    }
    if (!detlen[f->detector])
        return -1;
    if (!first)
        *o++ = ',';
    memcpy(o, "\n    {\"file\": ", 14);
    o += 14;
    memcpy(o, qname, qlen);
    o += qlen;
    memcpy(o, det[f->detector], sizeof(det[0])); /* fixed size: the buffer has room */
    o += detlen[f->detector];
    o = put_u64(o, f->offset);
    memcpy(o, ", \"length\": ", 12);
    o = put_u64(o + 12, f->length);
    memcpy(o, ", \"confidence\": ", 16);
    o += 16;
    while (*conf)
        *o++ = *conf++;
    memcpy(o, ", \"preview\": ", 13);
    o += 13;
    for (n = 0; !json_esc[(unsigned char)pv[n]];)
        n++;
    if (pv[n]) { /* rare: a byte to escape */
        ob->n = (size_t)(o - ob->b);
        ob_json_str(ob, pv);
        ob_put(ob, "}", 1);
        return 0;
    }
    *o++ = '"';
    memcpy(o, pv, sizeof(f->preview)); /* fixed size: the buffer has room */
    o += n;
    *o++ = '"';
    *o++ = '}';
    ob->n = (size_t)(o - ob->b);
    return 0;
}

static void print_findings(const char *name, const struct scan_result *res, size_t from,
                           const struct scan_opts *o, int *first_json)
{
    static struct obuf ob;
    char qname[1024];
    size_t qlen = o->format == FMT_JSON ? json_quote(name, qname, sizeof(qname)) : 0;

    for (size_t i = from; i < res->n; i++) {
        const struct scan_finding *f = &res->findings[i];
        int fast =
            o->format == FMT_JSON && qlen && f->detector >= 0 && f->detector < SCAN_DET_COUNT;

        /* a record is at most 15 + qlen + 96 + 2 * 20 + 30 + 16 + 2 + 6 * 40 bytes */
        if (fast && ob.n + qlen + 512 > sizeof(ob.b))
            ob_flush(&ob);
        if (fast && ob_json_finding(&ob, qname, qlen, f, *first_json) == 0) {
            *first_json = 0;
        } else if (o->format == FMT_JSON) {
            if (*first_json)
                OB_LIT(&ob, "\n    {\"file\": ");
            else
                OB_LIT(&ob, ",\n    {\"file\": ");
            ob_json_str(&ob, name);
            OB_LIT(&ob, ", \"detector\": \"");
            ob_str(&ob, f->detector_name);
            OB_LIT(&ob, "\", \"category\": \"");
            ob_str(&ob, f->category);
            OB_LIT(&ob, "\", \"offset\": ");
            ob_u64(&ob, f->offset);
            OB_LIT(&ob, ", \"length\": ");
            ob_u64(&ob, f->length);
            OB_LIT(&ob, ", \"confidence\": ");
            ob_str(&ob, conf_str(f->confidence));
            OB_LIT(&ob, ", \"preview\": ");
            ob_json_str(&ob, f->preview);
            ob_put(&ob, "}", 1);
            *first_json = 0;
        } else {
            ob_str(&ob, name);
            ob_put(&ob, ":", 1);
            ob_u64(&ob, f->offset);
            ob_str(&ob, ": ");
            ob_str(&ob, f->detector_name);
            ob_str(&ob, " (");
            ob_str(&ob, f->category);
            ob_str(&ob, ") ");
            ob_str(&ob, conf_str(f->confidence));
            ob_put(&ob, " ", 1);
            ob_str(&ob, f->preview);
            ob_put(&ob, "\n", 1);
        }
    }
    ob_flush(&ob);
}

/* Scans one file; returns 0 clean, 1 found, 2 error. */
static int scan_one(const struct scan_db *db, struct scan_scratch *s, const char *path,
                    const struct scan_opts *o, int *first_json, uint64_t *total)
{
    const char *name = strcmp(path, "-") ? path : "<stdin>";
    int fd = strcmp(path, "-") ? open(path, O_RDONLY) : STDIN_FILENO;
    struct scan_stream *st = NULL;
    struct scan_result res = {0};
    struct sluis_err err = {0};
    struct utf8_state u = {0};
    struct redactor red = {0};
    char *chunk = NULL;
    size_t printed = 0;
    int rc = 2;

    if (fd < 0) {
        fprintf(stderr, "sluis scan: kan %s niet openen / cannot open %s: %s\n", name, name,
                strerror(errno));
        return 2;
    }
    res.max_findings = (size_t)-1;
    chunk = malloc(CHUNK);
    if (!chunk || scan_stream_open(db, &st, &err))
        goto out;
    for (;;) {
        ssize_t n = read(fd, chunk, CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            fprintf(stderr, "sluis scan: leesfout / read error %s: %s\n", name, strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        utf8_feed(&u, (const unsigned char *)chunk, (size_t)n);
        if (o->redact && red_append(&red, chunk, (size_t)n))
            goto out;
        if (scan_stream_feed(st, s, chunk, (size_t)n, o->min_conf, &res, &err))
            goto out;
        if (o->redact) {
            red_flush(&red, &res, scan_stream_stable_offset(st), stdout);
            if (red.next) { /* applied findings are no longer needed: bounded memory */
                *total += red.next;
                memmove(res.findings, res.findings + red.next,
                        (res.n - red.next) * sizeof(*res.findings));
                res.n -= red.next;
                red.next = 0;
            }
        } else {
            print_findings(name, &res, printed, o, first_json);
            *total += res.n - printed;
            /* printed findings are no longer needed: keep memory bounded */
            res.n = 0;
            printed = 0;
            continue;
        }
        printed = res.n;
    }
    {
        struct scan_stream *tmp = st;
        st = NULL;
        if (scan_stream_close(tmp, s, o->min_conf, &res, &err))
            goto out;
    }
    if (o->redact) {
        red_flush(&red, &res, UINT64_MAX, stdout);
        *total += res.n;
    } else {
        print_findings(name, &res, printed, o, first_json);
        *total += res.n - printed;
    }
    if (res.truncated)
        fprintf(stderr,
                "sluis scan: waarschuwing / warning: %s: te veel kandidaten, niet alles gemeld / "
                "too many candidates, findings incomplete\n",
                name);
    if (u.need)
        u.bad++;
    if (u.bad || u.nul)
        fprintf(stderr,
                "sluis scan: waarschuwing / warning: %s: %llu ongeldige UTF-8-reeksen / invalid "
                "UTF-8 sequences, %llu NUL-bytes; gescand als scheidingstekens / scanned as "
                "separators\n",
                name, (unsigned long long)u.bad, (unsigned long long)u.nul);
    rc = 0;
out:
    if (rc && err.code)
        fprintf(stderr, "sluis scan: %s: %s\n", name, err.msg);
    else if (rc && !chunk)
        fprintf(stderr, "sluis scan: onvoldoende geheugen / out of memory\n");
    scan_stream_free(st);
    scan_result_free(&res);
    free(red.buf);
    free(chunk);
    if (fd != STDIN_FILENO)
        close(fd);
    return rc;
}

#define CACHE_MAX (16u << 20) /* a cached database is about 0.1 MB; refuse odd files */

/* $XDG_CACHE_HOME/sluis/scan-db.bin (or ~/.cache/...); 0, or -1 when there is no home. */
static int cache_path(char *buf, size_t cap, int mkdirs)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n;

    if (xdg && xdg[0] == '/')
        n = snprintf(buf, cap, "%s/sluis", xdg);
    else if (home && home[0] == '/')
        n = snprintf(buf, cap, "%s/.cache/sluis", home);
    else
        return -1;
    if (n < 0 || (size_t)n + 16 >= cap)
        return -1;
    if (mkdirs) {
        char *slash = strrchr(buf, '/');
        *slash = 0;
        (void)mkdir(buf, 0700); /* ~/.cache may not exist yet */
        *slash = '/';
        if (mkdir(buf, 0700) && errno != EEXIST)
            return -1;
    }
    memcpy(buf + n, "/scan-db.bin", 13);
    return 0;
}

/* Loads the cached database: only a regular file of ours that nobody else can write. */
static struct scan_db *cache_load(void)
{
    char path[4096];
    struct scan_db *db = NULL;
    struct sluis_err err = {0};
    struct stat sb;
    char *buf = NULL;
    size_t got = 0;
    int fd;

    if (cache_path(path, sizeof(path), 0) || (fd = open(path, O_RDONLY | O_NOFOLLOW)) < 0)
        return NULL;
    if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_uid != getuid() || (sb.st_mode & 022) ||
        sb.st_size <= 0 || (uint64_t)sb.st_size > CACHE_MAX || !(buf = malloc((size_t)sb.st_size)))
        goto out;
    while (got < (size_t)sb.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)sb.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            goto out;
        got += (size_t)n;
    }
    if (scan_db_deserialize(buf, got, &db, &err)) /* another version: compile and rewrite */
        db = NULL;
out:
    free(buf);
    close(fd);
    return db;
}

/* Writes the database to the cache (temporary file + rename); failures are ignored. */
static void cache_store(const struct scan_db *db)
{
    char path[4096], tmp[4200];
    struct sluis_err err = {0};
    char *blob = NULL;
    size_t len = 0, off = 0;
    int fd;

    if (cache_path(path, sizeof(path), 1) || scan_db_serialize(db, &blob, &len, &err))
        goto out;
    snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
    if ((fd = mkstemp(tmp)) < 0)
        goto out;
    while (off < len) {
        ssize_t n = write(fd, blob + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    if (close(fd) || off != len || rename(tmp, path))
        unlink(tmp);
out:
    free(blob);
}

/*
 * The pattern database: loaded from the cache when it holds one of this build (about 1
 * ms), else compiled and cached. SLUIS_SCAN_CACHE=0 turns the cache off.
 */
static int db_open(struct scan_db **db, struct sluis_err *err)
{
    const char *env = getenv("SLUIS_SCAN_CACHE");
    int use = !(env && !strcmp(env, "0"));

    if (use && (*db = cache_load()))
        return 0;
    if (scan_db_new(db, err))
        return -1;
    if (use)
        cache_store(*db);
    return 0;
}

static void usage(FILE *out)
{
    fprintf(out,
            "gebruik / usage: sluis scan [opties / options] [FILE|-]...\n"
            "  zoekt gevoelige gegevens (BSN, IBAN, rubriceringen, geheimen, ...) /\n"
            "  finds sensitive data (BSN, IBAN, classification markings, secrets, ...)\n"
            "  --format text|json      uitvoer / output format (text)\n"
            "  --redact                schrijf de tekst met [BSN] enz. / write redacted text\n"
            "  --min-confidence X      drempel 0..1 / threshold 0..1 (%.2f)\n"
            "  exit: 0 schoon / clean, 1 gevonden / found, 2 fout / error\n",
            (double)SCAN_MIN_CONFIDENCE_DEFAULT);
}

int cmd_scan(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"redact", no_argument, NULL, 'r'},
        {"min-confidence", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct scan_opts o = {FMT_TEXT, 0, SCAN_MIN_CONFIDENCE_DEFAULT};
    struct scan_db *db = NULL;
    struct scan_scratch *s = NULL;
    struct sluis_err err = {0};
    uint64_t total = 0;
    int c, rc = CLI_OK, first_json = 1, any_error = 0;
    char *endp;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (!strcmp(optarg, "json"))
                o.format = FMT_JSON;
            else if (!strcmp(optarg, "text"))
                o.format = FMT_TEXT;
            else {
                fprintf(stderr, "sluis scan: onbekend formaat / unknown format '%s'\n", optarg);
                return CLI_USAGE;
            }
            break;
        case 'r':
            o.redact = 1;
            break;
        case 'm':
            errno = 0;
            o.min_conf = strtof(optarg, &endp);
            if (errno || *endp || endp == optarg || !(o.min_conf >= 0.0f && o.min_conf <= 1.0f)) {
                fprintf(stderr, "sluis scan: --min-confidence moet 0..1 zijn / must be 0..1\n");
                return CLI_USAGE;
            }
            break;
        case 'h':
            usage(stdout);
            return CLI_OK;
        default:
            usage(stderr);
            return CLI_USAGE;
        }
    }
    if (db_open(&db, &err) || scan_scratch_new(db, &s)) {
        fprintf(stderr, "sluis scan: %s\n", err.msg[0] ? err.msg : "out of memory");
        scan_db_free(db);
        return CLI_USAGE;
    }
    if (o.format == FMT_JSON && !o.redact)
        printf("{\"findings\": [");
    if (optind >= argc) {
        any_error |= scan_one(db, s, "-", &o, &first_json, &total) == 2;
    } else {
        for (int i = optind; i < argc; i++)
            any_error |= scan_one(db, s, argv[i], &o, &first_json, &total) == 2;
    }
    if (o.format == FMT_JSON && !o.redact)
        printf("%s], \"count\": %llu, \"errors\": %s}\n", first_json ? "" : "\n",
               (unsigned long long)total, any_error ? "true" : "false");
    fflush(stdout);
    if (any_error)
        rc = CLI_USAGE;
    else if (total > 0)
        rc = CLI_NO;
    scan_scratch_free(s);
    scan_db_free(db);
    return rc;
}
