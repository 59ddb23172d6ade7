/* csv.c - the CSV of training records exported by a learning system (RFC 4180 quoting). */
#include "api/api_internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define CSV_COLS 5
#define CSV_FIELD_MAX 256

static const char *const cols[CSV_COLS] = {"user_id", "course", "level", "date", "valid_until"};

/* Reads one record starting at *pos into fields (up to 16), each capped. */
static int read_record(const char *buf, size_t len, size_t *pos, char fields[16][CSV_FIELD_MAX],
                       int *nf)
{
    size_t p = *pos;
    int n = 0;
    for (;;) {
        if (n >= 16)
            return SLUIS_EINVAL;
        char *out = fields[n];
        size_t o = 0;
        if (p < len && buf[p] == '"') {
            p++;
            for (;;) {
                if (p >= len)
                    return SLUIS_EINVAL; /* unterminated quote */
                if (buf[p] == '"') {
                    if (p + 1 < len && buf[p + 1] == '"') {
                        if (o + 1 >= CSV_FIELD_MAX)
                            return SLUIS_ETOOBIG;
                        out[o++] = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                if (o + 1 >= CSV_FIELD_MAX)
                    return SLUIS_ETOOBIG;
                out[o++] = buf[p++];
            }
        } else {
            while (p < len && buf[p] != ',' && buf[p] != '\n' && buf[p] != '\r') {
                if (buf[p] == '"' || o + 1 >= CSV_FIELD_MAX)
                    return buf[p] == '"' ? SLUIS_EINVAL : SLUIS_ETOOBIG;
                out[o++] = buf[p++];
            }
        }
        out[o] = '\0';
        /* trim spaces */
        while (o > 0 && out[o - 1] == ' ')
            out[--o] = '\0';
        size_t lead = 0;
        while (out[lead] == ' ')
            lead++;
        if (lead)
            memmove(out, out + lead, o - lead + 1);
        n++;
        if (p < len && buf[p] == ',') {
            p++;
            continue;
        }
        if (p < len && buf[p] == '\r')
            p++;
        if (p < len && buf[p] == '\n')
            p++;
        else if (p < len)
            return SLUIS_EINVAL; /* junk after a closing quote */
        break;
    }
    *pos = p;
    *nf = n;
    return 0;
}

int api_csv_parse(const char *buf, size_t len, api_csv_cb cb, void *ud, struct sluis_err *err)
{
    char fields[16][CSV_FIELD_MAX];
    int map[16];
    int nf = 0;
    size_t pos = 0;
    long line = 1;
    if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
        pos = 3; /* UTF-8 BOM from spreadsheet exports */
    if (memchr(buf, '\0', len))
        return sluis_err_set(err, SLUIS_EINVAL, "NUL-byte in CSV / NUL byte in CSV");
    int rc = read_record(buf, len, &pos, fields, &nf);
    if (rc) {
        snprintf(err->path, sizeof(err->path), "/line/1");
        return sluis_err_set(err, rc, "kopregel onleesbaar / header line unreadable");
    }
    int seen[CSV_COLS] = {0};
    for (int i = 0; i < nf; i++) {
        map[i] = -1;
        for (int c = 0; c < CSV_COLS; c++) {
            if (!strcasecmp(fields[i], cols[c])) {
                if (seen[c]) {
                    snprintf(err->path, sizeof(err->path), "/line/1");
                    return sluis_err_set(err, SLUIS_EINVAL, "kolom dubbel / duplicate column %s",
                                         cols[c]);
                }
                map[i] = c;
                seen[c] = 1;
            }
        }
        if (map[i] < 0) {
            snprintf(err->path, sizeof(err->path), "/line/1");
            return sluis_err_set(err, SLUIS_EINVAL,
                                 "onbekende kolom / unknown column '%.64s' (user_id, course, "
                                 "level, date, valid_until)",
                                 fields[i]);
        }
    }
    for (int c = 0; c < 4; c++) {
        if (!seen[c]) {
            snprintf(err->path, sizeof(err->path), "/line/1");
            return sluis_err_set(err, SLUIS_EINVAL, "kolom ontbreekt / missing column %s", cols[c]);
        }
    }
    int header_n = nf;
    long rows = 0;
    while (pos < len) {
        line++;
        int n;
        rc = read_record(buf, len, &pos, fields, &n);
        if (rc) {
            snprintf(err->path, sizeof(err->path), "/line/%ld", line);
            return sluis_err_set(err, rc, "regel %ld onleesbaar / line %ld unreadable", line, line);
        }
        if (n == 1 && fields[0][0] == '\0')
            continue; /* blank line */
        if (n != header_n) {
            snprintf(err->path, sizeof(err->path), "/line/%ld", line);
            return sluis_err_set(err, SLUIS_EINVAL,
                                 "regel %ld: %d velden, %d verwacht / line %ld: %d fields, %d "
                                 "expected",
                                 line, n, header_n, line, n, header_n);
        }
        if (++rows > API_CSV_MAX_ROWS) {
            snprintf(err->path, sizeof(err->path), "/line/%ld", line);
            return sluis_err_set(err, SLUIS_ETOOBIG, "te veel regels / too many rows (max %d)",
                                 API_CSV_MAX_ROWS);
        }
        const char *vals[CSV_COLS] = {"", "", "", "", ""};
        for (int i = 0; i < n; i++)
            vals[map[i]] = fields[i];
        rc = cb ? cb(ud, line, vals) : 0;
        if (rc)
            return rc;
    }
    return 0;
}
