/*
 * policy_load.c - reads one policy file (YAML 1.2, docs/policy.md) into a policy set:
 * strict keys, typed values, conditions compiled and checked against the dossier schema.
 * Every error is reported with line:column and the loader keeps going, so `sluis policy lint`
 * shows all of them at once.
 */
#include "core/cond_schema.h"
#include "core/policy_internal.h"
#include "core/verdict_text.h"

#include <errno.h>
#include <libfyaml.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct loader {
    struct policy_set *ps;
    struct policy_diag *d;
    const char *buf;
    size_t len;
    int is_base;
    int oom;
    char file_id[72];
    struct fy_parser *fyp;
    struct fy_diag *diag;
    /* rules and roles of this file, moved into ps at the end when the file is clean */
    struct policy_rule *rules;
    size_t n_rules;
    struct policy_role *roles;
    size_t n_roles;
};

void policy_diag_report(struct policy_diag *d, int code, int line, int col, const char *path,
                        const char *fmt, ...)
{
    struct sluis_err e;
    va_list ap;

    d->n++;
    if (d->n > POLICY_MAX_ERRORS)
        return;
    memset(&e, 0, sizeof e);
    e.code = code;
    snprintf(e.file, sizeof e.file, "%s", d->file ? d->file : "");
    e.line = line;
    e.column = col;
    snprintf(e.path, sizeof e.path, "%s", path ? path : "");
    va_start(ap, fmt);
    vsnprintf(e.msg, sizeof e.msg, fmt, ap);
    va_end(ap);
    if (d->n == 1)
        d->first = e;
    if (d->cb)
        d->cb(&e, d->ud);
}

/* ---- positions ---- */

static void node_pos(struct fy_node *n, int *line, int *col)
{
    int guard = 0;

    *line = 0;
    *col = 0;
    while (n && guard++ < 64) {
        if (fy_node_is_scalar(n) || fy_node_is_alias(n)) {
            struct fy_token *t = fy_node_get_scalar_token(n);
            const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
            if (m) {
                *line = m->line + 1;
                *col = m->column + 1;
            }
            return;
        }
        if (fy_node_is_mapping(n)) {
            void *it = NULL;
            struct fy_node_pair *p = fy_node_mapping_iterate(n, &it);
            n = p ? fy_node_pair_key(p) : NULL;
        } else {
            void *it = NULL;
            n = fy_node_sequence_iterate(n, &it);
        }
    }
}

#define ERR(L, node, path, ...)                                                                    \
    do {                                                                                           \
        int l_, c_;                                                                                \
        node_pos((node), &l_, &c_);                                                                \
        policy_diag_report((L)->d, SLUIS_EINVAL, l_, c_, (path), __VA_ARGS__);                     \
    } while (0)

/*
 * Maps a byte offset in a scalar's value to line:column in the source: walks the raw text from
 * the scalar's start and the value side by side, skipping quotes, indentation and folding.
 */
static void scalar_offset_pos(struct loader *L, struct fy_node *n, size_t off, int *line, int *col)
{
    struct fy_token *t = fy_node_get_scalar_token(n);
    const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
    size_t vlen = 0, i = 0, j;
    const char *v = fy_node_get_scalar(n, &vlen);
    enum fy_node_style st = fy_node_get_style(n);
    int ln, cl;

    *line = 0;
    *col = 0;
    if (!m || !v || m->input_pos >= L->len)
        return;
    j = m->input_pos;
    ln = m->line + 1;
    cl = m->column + 1;
    if ((st == FYNS_LITERAL || st == FYNS_FOLDED) && (L->buf[j] == '|' || L->buf[j] == '>')) {
        while (j < L->len && L->buf[j] != '\n') {
            j++;
            cl++;
        }
    }
    /* quoted scalars: libfyaml's start mark is already past the opening quote */
    while (i < off && i < vlen && j < L->len) {
        if (L->buf[j] == v[i]) {
            i++;
        } else if (!(L->buf[j] == ' ' || L->buf[j] == '\n' || L->buf[j] == '\t' ||
                     L->buf[j] == '\r' || L->buf[j] == '\\' || L->buf[j] == '\'')) {
            if (v[i] == ' ' || v[i] == '\n')
                i++;
            else
                break;
            continue;
        }
        if (L->buf[j] == '\n') {
            ln++;
            cl = 1;
        } else {
            cl++;
        }
        j++;
    }
    /* skip leading white space of a continuation line */
    while (i < vlen && j < L->len && (L->buf[j] == ' ' || L->buf[j] == '\n')) {
        if (L->buf[j] == '\n') {
            ln++;
            cl = 1;
        } else {
            cl++;
        }
        j++;
    }
    *line = ln;
    *col = cl;
}

/* ---- typed scalar helpers ---- */

static const char *scalar(struct fy_node *n, size_t *len)
{
    if (!n || !fy_node_is_scalar(n) || fy_node_is_alias(n))
        return NULL;
    return fy_node_get_scalar(n, len);
}

static int key_is(const char *k, size_t kl, const char *w)
{
    return strlen(w) == kl && memcmp(k, w, kl) == 0;
}

static char *dupn(struct loader *L, const char *s, size_t n)
{
    char *d = malloc(n + 1);

    if (!d) {
        L->oom = 1;
        return NULL;
    }
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static int get_str(struct loader *L, struct fy_node *n, const char *path, size_t max, char **out)
{
    size_t len;
    const char *s = scalar(n, &len);

    if (!s) {
        ERR(L, n, path, "expected text here");
        return -1;
    }
    if (len == 0) {
        ERR(L, n, path, "empty value");
        return -1;
    }
    if (len > max) {
        ERR(L, n, path, "too long (%zu bytes, at most %zu)", len, max);
        return -1;
    }
    free(*out);
    *out = dupn(L, s, len);
    return *out ? 0 : -1;
}

static int get_date(struct loader *L, struct fy_node *n, const char *path, char out[11])
{
    size_t len;
    const char *s = scalar(n, &len);

    if (!s || !cond_date_valid(s, len)) {
        ERR(L, n, path, "expected a calendar day YYYY-MM-DD, found '%.*s'",
            s ? (int)(len > 40 ? 40 : len) : 0, s ? s : "");
        return -1;
    }
    memcpy(out, s, 10);
    out[10] = '\0';
    return 0;
}

static int get_bool(struct loader *L, struct fy_node *n, const char *path, int *out)
{
    size_t len;
    const char *s = scalar(n, &len);

    if (s && key_is(s, len, "true"))
        *out = 1;
    else if (s && key_is(s, len, "false"))
        *out = 0;
    else {
        ERR(L, n, path, "expected true or false");
        return -1;
    }
    return 0;
}

static int get_long(struct loader *L, struct fy_node *n, const char *path, long min, long max,
                    long *out)
{
    size_t len;
    const char *s = scalar(n, &len);
    char tmp[32];
    char *end;
    long v;

    if (!s || len == 0 || len >= sizeof tmp) {
        ERR(L, n, path, "expected a whole number");
        return -1;
    }
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    errno = 0;
    v = strtol(tmp, &end, 10);
    if (errno || *end || v < min || v > max) {
        ERR(L, n, path, "expected a whole number from %ld to %ld, found '%s'", min, max, tmp);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_severity(const char *s, size_t len, enum severity *out)
{
    static const char *const names[] = {"advise", "warn", "block", "prohibit"};

    for (int i = 0; i < 4; i++)
        if (key_is(s, len, names[i])) {
            *out = (enum severity)i;
            return 0;
        }
    return -1;
}

static int get_severity(struct loader *L, struct fy_node *n, const char *path, enum severity *out)
{
    size_t len;
    const char *s = scalar(n, &len);

    if (!s || parse_severity(s, len, out) < 0) {
        ERR(L, n, path, "unknown severity '%.*s' (one of: advise, warn, block, prohibit)",
            s ? (int)(len > 40 ? 40 : len) : 0, s ? s : "");
        return -1;
    }
    return 0;
}

static void scalar_offset_pos(struct loader *L, struct fy_node *n, size_t off, int *line, int *col);

/* A message or remedy may hold {derived.*} placeholders; they must name derived facts. */
static int check_placeholders(struct loader *L, struct fy_node *n, const char *path,
                              const char *text)
{
    size_t off = 0;
    char msg[200];
    int line, col;

    if (!text || verdict_text_check(text, &off, msg, sizeof msg) == 0)
        return 0;
    scalar_offset_pos(L, n, off, &line, &col);
    policy_diag_report(L->d, SLUIS_EINVAL, line, col, path, "%s", msg);
    return -1;
}

/* nl/en text: a mapping {nl: .., en: ..} or a plain string used for both */
static int get_text_ph(struct loader *L, struct fy_node *n, const char *path, int need_both,
                       int placeholders, struct policy_text *t)
{
    char **nl = (char **)&t->nl, **en = (char **)&t->en;
    char p[128];

    if (n && fy_node_is_mapping(n)) {
        void *it = NULL;
        struct fy_node_pair *pr;
        int bad = 0;
        while ((pr = fy_node_mapping_iterate(n, &it))) {
            size_t kl;
            const char *k = scalar(fy_node_pair_key(pr), &kl);
            struct fy_node *v = fy_node_pair_value(pr);
            if (k && key_is(k, kl, "nl")) {
                snprintf(p, sizeof p, "%s.nl", path);
                bad |= get_str(L, v, p, POLICY_MAX_TEXT, nl) < 0 ||
                       (placeholders && check_placeholders(L, v, p, *nl) < 0);
            } else if (k && key_is(k, kl, "en")) {
                snprintf(p, sizeof p, "%s.en", path);
                bad |= get_str(L, v, p, POLICY_MAX_TEXT, en) < 0 ||
                       (placeholders && check_placeholders(L, v, p, *en) < 0);
            } else {
                ERR(L, fy_node_pair_key(pr), path, "unknown language key '%.*s' (use nl and en)",
                    k ? (int)(kl > 40 ? 40 : kl) : 0, k ? k : "");
                bad = 1;
            }
        }
        if (!bad && need_both && (!*nl || !*en)) {
            ERR(L, n, path, "needs both a Dutch (nl) and an English (en) text");
            bad = 1;
        }
        return bad ? -1 : 0;
    }
    if (get_str(L, n, path, POLICY_MAX_TEXT, nl) < 0)
        return -1;
    if (placeholders && check_placeholders(L, n, path, *nl) < 0)
        return -1;
    if (need_both) {
        ERR(L, n, path,
            "needs both a Dutch (nl) and an English (en) text: write {nl: ..., en: ...}");
        return -1;
    }
    *en = dupn(L, *nl, strlen(*nl));
    return *en ? 0 : -1;
}

static int get_text(struct loader *L, struct fy_node *n, const char *path, int need_both,
                    struct policy_text *t)
{
    return get_text_ph(L, n, path, need_both, 0, t);
}

static int get_cond(struct loader *L, struct fy_node *n, const char *path, unsigned flags,
                    struct cond **out)
{
    size_t len;
    const char *s = scalar(n, &len);
    struct cond_error ce;
    int rc;

    if (!s) {
        ERR(L, n, path, "expected a condition (text), e.g. \"use.environment == production\"");
        return -1;
    }
    if (len == 4 && memcmp(s, "true", 4) == 0 && fy_node_get_style(n) == FYNS_PLAIN) {
        /* plain true is fine: the rule always applies */
    }
    rc = cond_compile(s, len, flags, out, &ce);
    if (rc == -2) {
        L->oom = 1;
        return -1;
    }
    if (rc < 0) {
        int line, col;
        scalar_offset_pos(L, n, ce.offset, &line, &col);
        policy_diag_report(L->d, SLUIS_EINVAL, line, col, path, "condition: %s", ce.msg);
        return -1;
    }
    return 0;
}

static int check_id(struct loader *L, struct fy_node *n, const char *path, const char *id,
                    int upper)
{
    size_t len = strlen(id);

    if (len > 32)
        goto bad;
    for (size_t i = 0; i < len; i++) {
        char c = id[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                 (upper && ((c >= 'A' && c <= 'Z') || c == '.'));
        if (!ok)
            goto bad;
    }
    return 0;
bad:
    ERR(L, n, path, "invalid id '%.40s' (%s, at most 32)", id,
        upper ? "letters, digits, '.', '-', '_'" : "lower-case letters, digits, '-', '_'");
    return -1;
}

/* ---- rules ---- */

static int env_bit(const char *s, size_t len)
{
    if (key_is(s, len, "exploration"))
        return POLICY_ENV_EXPLORATION;
    if (key_is(s, len, "pilot"))
        return POLICY_ENV_PILOT;
    if (key_is(s, len, "production"))
        return POLICY_ENV_PRODUCTION;
    return 0;
}

static void parse_schedule(struct loader *L, struct fy_node *n, const char *path,
                           struct policy_rule *r)
{
    void *it = NULL;
    struct fy_node *item;

    if (!n || !fy_node_is_sequence(n)) {
        ERR(L, n, path, "schedule must be a list of {until: YYYY-MM-DD, severity: ...}");
        return;
    }
    while ((item = fy_node_sequence_iterate(n, &it))) {
        struct policy_schedule s;
        void *it2 = NULL;
        struct fy_node_pair *pr;
        int have_until = 0, have_sev = 0;
        memset(&s, 0, sizeof s);
        if (!fy_node_is_mapping(item)) {
            ERR(L, item, path, "schedule entry must be {until: YYYY-MM-DD, severity: ...}");
            continue;
        }
        while ((pr = fy_node_mapping_iterate(item, &it2))) {
            size_t kl;
            const char *k = scalar(fy_node_pair_key(pr), &kl);
            struct fy_node *v = fy_node_pair_value(pr);
            if (k && key_is(k, kl, "until"))
                have_until = get_date(L, v, path, s.until) == 0;
            else if (k && key_is(k, kl, "severity"))
                have_sev = get_severity(L, v, path, &s.severity) == 0;
            else
                ERR(L, fy_node_pair_key(pr), path,
                    "unknown key '%.*s' in a schedule entry (until, severity)",
                    k ? (int)(kl > 40 ? 40 : kl) : 0, k ? k : "");
        }
        if (!have_until || !have_sev) {
            if (have_until || have_sev)
                ERR(L, item, path, "schedule entry needs both until and severity");
            continue;
        }
        if (r->n_schedule >= POLICY_MAX_SCHEDULE) {
            ERR(L, item, path, "too many schedule entries (at most %d)", POLICY_MAX_SCHEDULE);
            return;
        }
        if (r->n_schedule > 0 && strcmp(r->schedule[r->n_schedule - 1].until, s.until) >= 0) {
            ERR(L, item, path, "schedule dates must increase");
            continue;
        }
        r->schedule[r->n_schedule++] = s;
    }
}

static void parse_rule(struct loader *L, struct fy_node *n, size_t idx)
{
    struct policy_rule r;
    void *it = NULL;
    struct fy_node_pair *pr;
    char path[96];
    int bad = 0, have_sev = 0;
    struct fy_node *idnode = n;

    memset(&r, 0, sizeof r);
    if (!fy_node_is_mapping(n)) {
        snprintf(path, sizeof path, "rules[%zu]", idx);
        ERR(L, n, path, "a rule must be a mapping (id, title, requires, severity, ...)");
        return;
    }
    while ((pr = fy_node_mapping_iterate(n, &it))) {
        size_t kl;
        struct fy_node *kn = fy_node_pair_key(pr), *v = fy_node_pair_value(pr);
        const char *k = scalar(kn, &kl);
        if (!k) {
            ERR(L, kn, "rules", "keys must be plain words");
            bad = 1;
            continue;
        }
        snprintf(path, sizeof path, "rules[%zu].%.*s", idx, (int)(kl > 40 ? 40 : kl), k);
        if (!v) {
            ERR(L, kn, path, "missing value");
            bad = 1;
        } else if (key_is(k, kl, "id")) {
            idnode = v;
            bad |= get_str(L, v, path, 32, &r.id) < 0 || check_id(L, v, path, r.id, 1) < 0;
        } else if (key_is(k, kl, "catalogue")) {
            bad |= get_str(L, v, path, 32, &r.catalogue) < 0;
        } else if (key_is(k, kl, "kind")) {
            bad |= get_str(L, v, path, 32, &r.kind) < 0;
            if (r.kind && strcmp(r.kind, "mandatory") && strcmp(r.kind, "encouraged") &&
                strcmp(r.kind, "law") && strcmp(r.kind, "guidance")) {
                ERR(L, v, path, "unknown kind '%s' (mandatory, encouraged, law, guidance)", r.kind);
                bad = 1;
            }
        } else if (key_is(k, kl, "title")) {
            bad |= get_text(L, v, path, 1, &r.title) < 0;
        } else if (key_is(k, kl, "explanation")) {
            bad |= get_text(L, v, path, 1, &r.explanation) < 0;
        } else if (key_is(k, kl, "message")) {
            bad |= get_text_ph(L, v, path, 1, 1, &r.message) < 0;
        } else if (key_is(k, kl, "remedy")) {
            bad |= get_text_ph(L, v, path, 1, 1, &r.remedy) < 0;
        } else if (key_is(k, kl, "source")) {
            bad |= get_text(L, v, path, 0, &r.source) < 0;
        } else if (key_is(k, kl, "environments")) {
            void *it2 = NULL;
            struct fy_node *e;
            if (!fy_node_is_sequence(v)) {
                ERR(L, v, path, "environments must be a list, e.g. [pilot, production]");
                bad = 1;
                continue;
            }
            while ((e = fy_node_sequence_iterate(v, &it2))) {
                size_t el;
                const char *es = scalar(e, &el);
                int b = es ? env_bit(es, el) : 0;
                if (!b) {
                    ERR(L, e, path, "unknown environment (exploration, pilot, production)");
                    bad = 1;
                }
                r.env_mask |= b;
            }
        } else if (key_is(k, kl, "applies_when")) {
            bad |= get_cond(L, v, path, 0, &r.applies_when) < 0;
        } else if (key_is(k, kl, "requires")) {
            bad |= get_cond(L, v, path, 0, &r.requires) < 0;
        } else if (key_is(k, kl, "severity")) {
            have_sev = 1;
            bad |= get_severity(L, v, path, &r.severity) < 0;
        } else if (key_is(k, kl, "schedule")) {
            int before = L->d->n;
            parse_schedule(L, v, path, &r);
            bad |= L->d->n != before;
        } else if (key_is(k, kl, "effective_from")) {
            bad |= get_date(L, v, path, r.effective_from) < 0;
        } else if (key_is(k, kl, "effective_until")) {
            bad |= get_date(L, v, path, r.effective_until) < 0;
        } else {
            ERR(L, kn, path,
                "unknown key '%.*s' in a rule (id, catalogue, kind, title, explanation, message, "
                "remedy, source, environments, applies_when, requires, severity, schedule, "
                "effective_from, effective_until)",
                (int)(kl > 40 ? 40 : kl), k);
            bad = 1;
        }
    }
    snprintf(path, sizeof path, "rules[%zu]", idx);
    if (!r.id && !bad) {
        ERR(L, n, path, "rule without an id");
        bad = 1;
    }
    if (!bad) {
        const char *miss = !r.title.nl     ? "title"
                           : !r.message.nl ? "message"
                           : !r.remedy.nl  ? "remedy"
                           : !r.source.nl  ? "source"
                           : !r.requires   ? "requires"
                           : !have_sev     ? "severity"
                                           : NULL;
        if (miss) {
            ERR(L, n, path, "rule %s has no %s", r.id, miss);
            bad = 1;
        }
    }
    if (r.effective_from[0] && r.effective_until[0] &&
        strcmp(r.effective_from, r.effective_until) > 0) {
        ERR(L, n, path, "rule %s: effective_from is after effective_until", r.id ? r.id : "?");
        bad = 1;
    }
    if (!bad) {
        /* duplicate ids: in this file, and against the rules already in the set */
        for (size_t i = 0; i < L->n_rules; i++)
            if (strcmp(L->rules[i].id, r.id) == 0) {
                ERR(L, idnode, path, "duplicate rule id '%s'", r.id);
                bad = 1;
            }
        for (size_t i = 0; !bad && i < L->ps->n_rules; i++)
            if (strcmp(L->ps->rules[i].id, r.id) == 0) {
                ERR(L, idnode, path,
                    "rule id '%s' is already defined by %s; an organisation file adds rules and "
                    "cannot replace or drop base rules: give the rule its own id",
                    r.id, L->ps->rules[i].origin);
                bad = 1;
            }
    }
    if (!bad && L->n_rules >= POLICY_MAX_RULES) {
        ERR(L, n, path, "too many rules (at most %d)", POLICY_MAX_RULES);
        bad = 1;
    }
    if (!bad && !r.catalogue) {
        /* "SP-03a" -> "SP-03": the catalogue id is the id without a trailing lower-case part */
        size_t l = strlen(r.id);
        while (l > 1 && r.id[l - 1] >= 'a' && r.id[l - 1] <= 'z')
            l--;
        r.catalogue = dupn(L, r.id, l);
        bad |= !r.catalogue;
    }
    if (!bad)
        r.origin = dupn(L, L->file_id, strlen(L->file_id));
    if (bad || !r.origin) {
        policy_rule_clear(&r);
        return;
    }
    L->rules[L->n_rules++] = r;
}

/* ---- roles ---- */

static int literacy_ok(const char *s)
{
    return !strcmp(s, "bewust") || !strcmp(s, "bekwaam") || !strcmp(s, "vloeiend") ||
           !strcmp(s, "expert");
}

static void parse_role(struct loader *L, struct fy_node *n, size_t idx)
{
    struct policy_role r;
    void *it = NULL;
    struct fy_node_pair *pr;
    char path[96];
    int bad = 0;
    struct fy_node *idnode = n;

    memset(&r, 0, sizeof r);
    snprintf(path, sizeof path, "roles[%zu]", idx);
    if (!fy_node_is_mapping(n)) {
        ERR(L, n, path, "a role must be a mapping (id, title, advice_required_when, literacy)");
        return;
    }
    while ((pr = fy_node_mapping_iterate(n, &it))) {
        size_t kl;
        struct fy_node *kn = fy_node_pair_key(pr), *v = fy_node_pair_value(pr);
        const char *k = scalar(kn, &kl);
        if (!k) {
            ERR(L, kn, "roles", "keys must be plain words");
            bad = 1;
            continue;
        }
        snprintf(path, sizeof path, "roles[%zu].%.*s", idx, (int)(kl > 40 ? 40 : kl), k);
        if (!v) {
            ERR(L, kn, path, "missing value");
            bad = 1;
        } else if (key_is(k, kl, "id")) {
            idnode = v;
            bad |= get_str(L, v, path, 32, &r.id) < 0 || check_id(L, v, path, r.id, 0) < 0;
        } else if (key_is(k, kl, "title")) {
            bad |= get_text(L, v, path, 1, &r.title) < 0;
        } else if (key_is(k, kl, "decides")) {
            bad |= get_bool(L, v, path, &r.decides) < 0;
        } else if (key_is(k, kl, "advice_required_when")) {
            bad |= get_cond(L, v, path, COND_F_NO_ROLES, &r.advice_required_when) < 0;
        } else if (key_is(k, kl, "literacy")) {
            if (get_str(L, v, path, 16, &r.literacy) < 0) {
                bad = 1;
            } else if (!literacy_ok(r.literacy)) {
                ERR(L, v, path, "unknown literacy level '%s' (bewust, bekwaam, vloeiend, expert)",
                    r.literacy);
                bad = 1;
            }
        } else {
            ERR(L, kn, path,
                "unknown key '%.*s' in a role (id, title, decides, advice_required_when, "
                "literacy)",
                (int)(kl > 40 ? 40 : kl), k);
            bad = 1;
        }
    }
    snprintf(path, sizeof path, "roles[%zu]", idx);
    if (!bad && (!r.id || !r.title.nl)) {
        ERR(L, n, path, "a role needs an id and a title");
        bad = 1;
    }
    for (size_t i = 0; !bad && i < L->n_roles; i++)
        if (strcmp(L->roles[i].id, r.id) == 0) {
            ERR(L, idnode, path, "duplicate role id '%s'", r.id);
            bad = 1;
        }
    if (!bad && L->n_roles >= POLICY_MAX_ROLES) {
        ERR(L, n, path, "too many roles (at most %d)", POLICY_MAX_ROLES);
        bad = 1;
    }
    if (bad) {
        policy_role_clear(&r);
        return;
    }
    L->roles[L->n_roles++] = r;
}

/* ---- instruments (struct derive_params) ---- */

struct int_param {
    const char *name;
    size_t off;
    long min, max;
    int is_long;
};

#define IP(f, mn, mx)                                                                              \
    {                                                                                              \
#f, offsetof(struct derive_params, f), mn, mx, 0                                           \
    }
static const struct int_param prescan_params[] = {
    IP(categories_min, 0, 1000),
    IP(categories_score, 0, 100),
    IP(special_low_max, 0, 1000),
    IP(special_low_score, 0, 100),
    IP(special_high_score, 0, 100),
    IP(subjects_low_max, 0, 1000),
    IP(subjects_mid_max, 0, 1000),
    IP(subjects_mid_score, 0, 100),
    IP(subjects_high_score, 0, 100),
    {"subject_count_min", offsetof(struct derive_params, subject_count_min), 0, 2000000000L, 1},
    IP(subject_count_score, 0, 100),
    IP(frequency_score, 0, 100),
    IP(retention_years_min, 0, 1000),
    IP(retention_score, 0, 100),
    IP(transfers_max, 0, 100),
    IP(basisregistratie_score, 0, 100),
    IP(minors_max, 0, 100),
    IP(dpia_score_above, 0, 1000),
    IP(dpia_edpb_required, 0, 100),
    IP(dpia_edpb_recommended, 0, 100),
    IP(dpia_ap_list_required, 0, 100),
};

static void parse_prescan(struct loader *L, struct fy_node *n, struct derive_params *p)
{
    void *it = NULL;
    struct fy_node_pair *pr;

    if (!fy_node_is_mapping(n)) {
        ERR(L, n, "instruments.prescan", "expected a mapping of pre-scan parameters");
        return;
    }
    while ((pr = fy_node_mapping_iterate(n, &it))) {
        size_t kl, i;
        struct fy_node *kn = fy_node_pair_key(pr), *v = fy_node_pair_value(pr);
        const char *k = scalar(kn, &kl);
        char path[96];
        if (!k || !v) {
            ERR(L, kn, "instruments.prescan", "expected key: value");
            continue;
        }
        snprintf(path, sizeof path, "instruments.prescan.%.*s", (int)(kl > 40 ? 40 : kl), k);
        for (i = 0; i < sizeof prescan_params / sizeof prescan_params[0]; i++)
            if (key_is(k, kl, prescan_params[i].name))
                break;
        if (i < sizeof prescan_params / sizeof prescan_params[0]) {
            long val;
            const struct int_param *ip = &prescan_params[i];
            if (get_long(L, v, path, ip->min, ip->max, &val) == 0) {
                if (ip->is_long)
                    *(long *)((char *)p + ip->off) = val;
                else
                    *(int *)((char *)p + ip->off) = (int)val;
            }
        } else if (key_is(k, kl, "frequency_min")) {
            size_t sl;
            const char *s = scalar(v, &sl);
            static const struct cond_field *ff;
            ff = cond_schema_find("data.frequency", 14);
            if (!s || !ff || !cond_schema_enum_has(ff, s, sl) || sl >= DERIVE_NAME_MAX)
                ERR(L, v, path, "expected one of %s", ff ? ff->values : "?");
            else
                snprintf(p->frequency_min, sizeof p->frequency_min, "%.*s", (int)sl, s);
        } else if (key_is(k, kl, "subject_weights")) {
            void *it2 = NULL;
            struct fy_node_pair *wp;
            const struct cond_field *sf = cond_schema_find("data.subjects", 13);
            if (!fy_node_is_mapping(v)) {
                ERR(L, v, path, "expected a mapping subject: weight");
                continue;
            }
            p->n_subject_weights = 0;
            while ((wp = fy_node_mapping_iterate(v, &it2))) {
                size_t sl;
                long w;
                const char *s = scalar(fy_node_pair_key(wp), &sl);
                if (!s || !sf || !cond_schema_enum_has(sf, s, sl)) {
                    ERR(L, fy_node_pair_key(wp), path, "unknown data subject (one of %s)",
                        sf ? sf->values : "?");
                    continue;
                }
                if (get_long(L, fy_node_pair_value(wp), path, 0, 100, &w) < 0)
                    continue;
                if (p->n_subject_weights >= DERIVE_LIST_MAX)
                    continue;
                snprintf(p->subject_weights[p->n_subject_weights].subject, DERIVE_NAME_MAX, "%.*s",
                         (int)sl, s);
                p->subject_weights[p->n_subject_weights++].weight = (int)w;
            }
        } else {
            ERR(L, kn, path, "unknown pre-scan parameter '%.*s'", (int)(kl > 40 ? 40 : kl), k);
        }
    }
}

static void parse_instruments(struct loader *L, struct fy_node *n, struct derive_params *p)
{
    void *it = NULL;
    struct fy_node_pair *pr;

    if (!fy_node_is_mapping(n)) {
        ERR(L, n, "instruments", "expected a mapping (prescan, ai_act, material_fields)");
        return;
    }
    while ((pr = fy_node_mapping_iterate(n, &it))) {
        size_t kl;
        struct fy_node *kn = fy_node_pair_key(pr), *v = fy_node_pair_value(pr);
        const char *k = scalar(kn, &kl);
        if (!k || !v) {
            ERR(L, kn, "instruments", "expected key: value");
        } else if (key_is(k, kl, "prescan")) {
            parse_prescan(L, v, p);
        } else if (key_is(k, kl, "ai_act")) {
            void *it2 = NULL;
            struct fy_node_pair *ap;
            if (!fy_node_is_mapping(v)) {
                ERR(L, v, "instruments.ai_act", "expected a mapping");
                continue;
            }
            while ((ap = fy_node_mapping_iterate(v, &it2))) {
                size_t al, sl;
                const char *a = scalar(fy_node_pair_key(ap), &al);
                struct fy_node *av = fy_node_pair_value(ap);
                if (a && key_is(a, al, "systemic_risk_flops")) {
                    const char *s = scalar(av, &sl);
                    char tmp[40], *end;
                    double d = 0;
                    if (s && sl > 0 && sl < sizeof tmp) {
                        memcpy(tmp, s, sl);
                        tmp[sl] = '\0';
                        d = strtod(tmp, &end);
                    }
                    if (!s || sl == 0 || sl >= sizeof tmp || *end || !(d > 0 && d < 1e40))
                        ERR(L, av, "instruments.ai_act.systemic_risk_flops",
                            "expected a positive number such as 1e25");
                    else
                        p->systemic_risk_flops = d;
                } else if (a && key_is(a, al, "profiling_always_high_risk")) {
                    int b;
                    if (get_bool(L, av, "instruments.ai_act.profiling_always_high_risk", &b) == 0)
                        p->profiling_always_high_risk = b;
                } else {
                    ERR(L, fy_node_pair_key(ap), "instruments.ai_act",
                        "unknown AI Act parameter (systemic_risk_flops, "
                        "profiling_always_high_risk)");
                }
            }
        } else if (key_is(k, kl, "material_fields")) {
            void *it2 = NULL;
            struct fy_node *e;
            if (!fy_node_is_sequence(v)) {
                ERR(L, v, "instruments.material_fields", "expected a list of field paths");
                continue;
            }
            p->n_material = 0;
            while ((e = fy_node_sequence_iterate(v, &it2))) {
                size_t sl;
                const char *s = scalar(e, &sl);
                if (!s || !cond_schema_find(s, sl) || sl >= DERIVE_PATH_MAX ||
                    (sl >= 8 && !memcmp(s, "derived.", 8))) {
                    ERR(L, e, "instruments.material_fields",
                        "unknown dossier field '%.*s' (docs/dossier.md)",
                        s ? (int)(sl > 60 ? 60 : sl) : 0, s ? s : "");
                    continue;
                }
                if (p->n_material >= DERIVE_MATERIAL_MAX) {
                    ERR(L, e, "instruments.material_fields", "too many material fields");
                    break;
                }
                snprintf(p->material[p->n_material++], DERIVE_PATH_MAX, "%.*s", (int)sl, s);
            }
        } else {
            ERR(L, kn, "instruments",
                "unknown key '%.*s' in instruments (prescan, ai_act, material_fields)",
                (int)(kl > 40 ? 40 : kl), k);
        }
    }
}

/* ---- the file ---- */

/* Reports the first invalid UTF-8 sequence with its line:column; returns 0 when valid. */
static int check_utf8(struct loader *L)
{
    const unsigned char *s = (const unsigned char *)L->buf;
    size_t i = 0, n = L->len;
    int line = 1, col = 1;

    while (i < n) {
        unsigned c = s[i];
        size_t k = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        int ok = k > 0 && i + k <= n;
        for (size_t j = 1; ok && j < k; j++)
            ok = (s[i + j] & 0xc0) == 0x80;
        if (ok && k == 2)
            ok = c >= 0xc2;
        if (ok && k == 3) {
            unsigned cp = ((c & 0x0f) << 12) | ((s[i + 1] & 0x3fu) << 6) | (s[i + 2] & 0x3fu);
            ok = cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff);
        }
        if (ok && k == 4) {
            unsigned cp = ((c & 0x07) << 18) | ((s[i + 1] & 0x3fu) << 12) |
                          ((s[i + 2] & 0x3fu) << 6) | (s[i + 3] & 0x3fu);
            ok = cp >= 0x10000 && cp <= 0x10ffff;
        }
        if (!ok || c == 0) {
            policy_diag_report(L->d, SLUIS_EINVAL, line, col, "",
                               c == 0 ? "NUL byte in the policy file"
                                      : "invalid UTF-8 (byte 0x%02x); save the file as UTF-8",
                               c);
            return -1;
        }
        if (c == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
        i += k;
    }
    return 0;
}

static void diag_discard(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
    (void)diag;
    (void)user;
    (void)buf;
    (void)len;
}

/*
 * Parses the YAML text; reports libfyaml's errors with their positions. Uses an explicit parser
 * (not fy_document_build_from_string, which keeps a reference to the diagnostic object on its
 * error path); the parser and diag live in L until policy_file_parse() is done.
 */
static struct fy_document *parse_yaml(struct loader *L)
{
    struct fy_diag_cfg dc;
    struct fy_diag *diag;
    struct fy_parse_cfg pc;
    struct fy_parser *fyp = NULL;
    struct fy_document *doc = NULL;
    void *it = NULL;
    struct fy_diag_error *e;
    int any = 0;

    fy_diag_cfg_default(&dc);
    dc.fp = NULL;
    dc.output_fn = diag_discard;
    dc.colorize = false;
    diag = fy_diag_create(&dc);
    if (!diag) {
        L->oom = 1;
        return NULL;
    }
    fy_diag_set_collect_errors(diag, true);
    memset(&pc, 0, sizeof pc);
    pc.flags =
        FYPCF_QUIET | FYPCF_COLLECT_DIAG | FYPCF_DEFAULT_VERSION_1_2 | FYPCF_DISABLE_RECYCLING;
    pc.diag = diag;
    fyp = fy_parser_create(&pc);
    if (!fyp || fy_parser_set_string(fyp, L->buf, L->len) != 0) {
        L->oom = 1;
        goto out;
    }
    doc = fy_parse_load_document(fyp);
    if (doc && fy_parser_get_stream_error(fyp)) {
        fy_parse_document_destroy(fyp, doc);
        doc = NULL;
    }
    if (doc) {
        /* a second document in the stream is an error too */
        struct fy_document *more = fy_parse_load_document(fyp);
        if (more || fy_parser_get_stream_error(fyp)) {
            if (!fy_parser_get_stream_error(fyp)) {
                int line = 0, col = 0;
                node_pos(more ? fy_document_root(more) : NULL, &line, &col);
                policy_diag_report(L->d, SLUIS_EINVAL, line, col, "",
                                   "a policy file holds one YAML document (found a second one)");
            }
            if (more)
                fy_parse_document_destroy(fyp, more);
            fy_parse_document_destroy(fyp, doc);
            doc = NULL;
            any = !fy_parser_get_stream_error(fyp);
        }
    }
    if (!doc) {
        while ((e = fy_diag_errors_iterate(diag, &it))) {
            policy_diag_report(L->d, SLUIS_EINVAL, e->line, e->column, "", "YAML: %s",
                               e->msg ? e->msg : "syntax error");
            any = 1;
        }
        if (!any)
            policy_diag_report(L->d, SLUIS_EINVAL, 0, 0, "", "YAML syntax error");
    }
out:
    /* released by policy_file_parse() after the document is destroyed */
    L->fyp = fyp;
    L->diag = diag;
    return doc;
}

/* Rejects anchors/aliases and merge keys anywhere (no expansion bombs, one way to write it). */
static void check_aliases(struct loader *L, struct fy_node *n, int depth)
{
    if (!n)
        return;
    if (depth > 64) {
        ERR(L, n, "", "nested too deeply");
        return;
    }
    if (fy_node_is_alias(n)) {
        ERR(L, n, "", "YAML aliases (*name) are not allowed in a policy file");
        return;
    }
    if (fy_node_is_mapping(n)) {
        void *it = NULL;
        struct fy_node_pair *pr;
        while ((pr = fy_node_mapping_iterate(n, &it))) {
            check_aliases(L, fy_node_pair_key(pr), depth + 1);
            check_aliases(L, fy_node_pair_value(pr), depth + 1);
        }
    } else if (fy_node_is_sequence(n)) {
        void *it = NULL;
        struct fy_node *c;
        while ((c = fy_node_sequence_iterate(n, &it)))
            check_aliases(L, c, depth + 1);
    }
}

static void merge_roles(struct loader *L)
{
    struct policy_set *ps = L->ps;

    for (size_t i = 0; i < L->n_roles; i++) {
        size_t j;
        for (j = 0; j < ps->n_roles; j++)
            if (strcmp(ps->roles[j].id, L->roles[i].id) == 0)
                break;
        if (j < ps->n_roles) {
            policy_role_clear(&ps->roles[j]); /* an organisation overrides the role by id */
            ps->roles[j] = L->roles[i];
        } else {
            ps->roles[ps->n_roles++] = L->roles[i];
        }
        memset(&L->roles[i], 0, sizeof L->roles[i]);
    }
    L->n_roles = 0;
    ps->roles_use_env = 0;
    for (size_t j = 0; j < ps->n_roles; j++)
        ps->roles_use_env |= cond_uses_env(ps->roles[j].advice_required_when);
}

int policy_file_parse(struct policy_set *ps, const char *buf, size_t len, int is_base,
                      struct policy_diag *d)
{
    struct loader L;
    struct fy_document *doc = NULL;
    struct fy_node *root;
    struct fy_node_pair *pr;
    void *it = NULL;
    int start = d->n;
    char *id = NULL, *version = NULL, *extends = NULL;
    char published[11] = "";
    long format = 0;
    struct derive_params params = ps->params;
    struct policy_text title = {0}, description = {0};
    struct fy_node *rules_node = NULL, *roles_node = NULL, *instr_node = NULL;

    memset(&L, 0, sizeof L);
    L.ps = ps;
    L.d = d;
    L.buf = buf;
    L.len = len;
    L.is_base = is_base;
    if (len > POLICY_MAX_FILE_BYTES) {
        policy_diag_report(d, SLUIS_ETOOBIG, 1, 1, "",
                           "policy file too large (%zu bytes, at most %d)", len,
                           POLICY_MAX_FILE_BYTES);
        return d->n - start;
    }
    if (check_utf8(&L) < 0)
        return d->n - start;
    {
        size_t i = 0;
        while (i < len) {
            /* skip blank and comment lines to detect an empty file */
            if (buf[i] == '#') {
                while (i < len && buf[i] != '\n')
                    i++;
            } else if (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t') {
                i++;
            } else {
                break;
            }
        }
        if (i >= len || (len - i >= 3 && !memcmp(buf + i, "---", 3) && i + 3 >= len)) {
            policy_diag_report(d, SLUIS_EINVAL, 1, 1, "",
                               "empty policy file; a policy starts with 'sluis_policy: 1'");
            return d->n - start;
        }
    }
    L.rules = calloc(POLICY_MAX_RULES, sizeof *L.rules);
    L.roles = calloc(POLICY_MAX_ROLES, sizeof *L.roles);
    if (!L.rules || !L.roles) {
        L.oom = 1;
        goto out;
    }
    doc = parse_yaml(&L);
    if (!doc)
        goto out;
    root = fy_document_root(doc);
    if (!root || !fy_node_is_mapping(root)) {
        policy_diag_report(d, SLUIS_EINVAL, 1, 1, "",
                           "a policy file is a mapping starting with 'sluis_policy: 1'");
        goto out;
    }
    check_aliases(&L, root, 0);
    if (d->n != start)
        goto out;
    /* first pass: header fields (so rule errors can name the file id) */
    while ((pr = fy_node_mapping_iterate(root, &it))) {
        size_t kl;
        struct fy_node *kn = fy_node_pair_key(pr), *v = fy_node_pair_value(pr);
        const char *k = scalar(kn, &kl);
        if (!k) {
            ERR(&L, kn, "", "keys must be plain words");
            continue;
        }
        if (!v) {
            ERR(&L, kn, "", "'%.*s' has no value", (int)(kl > 40 ? 40 : kl), k);
        } else if (key_is(k, kl, "sluis_policy")) {
            if (get_long(&L, v, "sluis_policy", 1, 1, &format) < 0)
                format = -1;
        } else if (key_is(k, kl, "id")) {
            if (get_str(&L, v, "id", 64, &id) == 0)
                check_id(&L, v, "id", id, 0);
        } else if (key_is(k, kl, "version")) {
            get_str(&L, v, "version", 64, &version);
        } else if (key_is(k, kl, "published")) {
            get_date(&L, v, "published", published);
        } else if (key_is(k, kl, "extends")) {
            get_str(&L, v, "extends", 64, &extends);
        } else if (key_is(k, kl, "title")) {
            get_text(&L, v, "title", 1, &title);
        } else if (key_is(k, kl, "description")) {
            get_text(&L, v, "description", 0, &description);
        } else if (key_is(k, kl, "instruments")) {
            instr_node = v;
        } else if (key_is(k, kl, "roles")) {
            roles_node = v;
        } else if (key_is(k, kl, "rules")) {
            rules_node = v;
        } else {
            ERR(&L, kn, "",
                "unknown key '%.*s' (sluis_policy, id, version, published, extends, title, "
                "description, instruments, roles, rules)",
                (int)(kl > 40 ? 40 : kl), k);
        }
    }
    if (format == 0)
        policy_diag_report(d, SLUIS_EINVAL, 1, 1, "", "missing 'sluis_policy: 1' (format version)");
    if (!id)
        policy_diag_report(d, SLUIS_EINVAL, 1, 1, "", "missing 'id' of the policy file");
    if (!version)
        policy_diag_report(d, SLUIS_EINVAL, 1, 1, "", "missing 'version' of the policy file");
    if (!published[0])
        policy_diag_report(d, SLUIS_EINVAL, 1, 1, "",
                           "missing 'published' date of the policy file");
    snprintf(L.file_id, sizeof L.file_id, "%s", id ? id : "?");
    if (!is_base && extends && strcmp(extends, ps->base_id) != 0)
        policy_diag_report(d, SLUIS_EINVAL, 1, 1, "extends",
                           "this file extends '%s' but the base policy is '%s'", extends,
                           ps->base_id);
    if (is_base == 1 && extends)
        policy_diag_report(d, SLUIS_EINVAL, 1, 1, "extends",
                           "'extends' is for organisation files, loaded after the base policy");
    if (instr_node)
        parse_instruments(&L, instr_node, &params);
    if (roles_node) {
        if (!fy_node_is_sequence(roles_node)) {
            ERR(&L, roles_node, "roles", "roles must be a list");
        } else {
            void *it2 = NULL;
            struct fy_node *rn;
            size_t i = 0;
            while ((rn = fy_node_sequence_iterate(roles_node, &it2)) && !L.oom)
                parse_role(&L, rn, i++);
        }
    }
    if (rules_node) {
        if (!fy_node_is_sequence(rules_node)) {
            ERR(&L, rules_node, "rules", "rules must be a list");
        } else {
            void *it2 = NULL;
            struct fy_node *rn;
            size_t i = 0;
            while ((rn = fy_node_sequence_iterate(rules_node, &it2)) && !L.oom)
                parse_rule(&L, rn, i++);
        }
    } else if (is_base == 1 || (is_base == 2 && !extends)) {
        policy_diag_report(d, SLUIS_EINVAL, 1, 1, "rules", "the base policy has no rules");
    }
    if (L.oom || d->n != start)
        goto out;
    /* clean: merge into the set */
    if (ps->n_rules + L.n_rules > POLICY_MAX_RULES) {
        policy_diag_report(d, SLUIS_EINVAL, 1, 1, "rules", "too many rules in the policy set");
        goto out;
    }
    {
        size_t nr = ps->n_roles;
        for (size_t i = 0; i < L.n_roles; i++) {
            int found = 0;
            for (size_t j = 0; j < ps->n_roles; j++)
                found |= strcmp(ps->roles[j].id, L.roles[i].id) == 0;
            nr += !found;
        }
        if (nr > POLICY_MAX_ROLES) {
            policy_diag_report(d, SLUIS_EINVAL, 1, 1, "roles", "too many roles in the policy set");
            goto out;
        }
    }
    for (size_t i = 0; i < L.n_rules && !L.oom; i++) {
        L.oom = cond_slots_assign(L.rules[i].applies_when, &ps->slots) < 0 ||
                cond_slots_assign(L.rules[i].requires, &ps->slots) < 0;
        L.rules[i].uses_env =
            cond_uses_env(L.rules[i].applies_when) || cond_uses_env(L.rules[i].requires);
        L.rules[i].from_num = policy_date_num(L.rules[i].effective_from);
        L.rules[i].until_num = policy_date_num(L.rules[i].effective_until);
        for (int j = 0; j < L.rules[i].n_schedule; j++)
            L.rules[i].schedule[j].until_num = policy_date_num(L.rules[i].schedule[j].until);
    }
    for (size_t i = 0; i < L.n_roles && !L.oom; i++)
        L.oom = cond_slots_assign(L.roles[i].advice_required_when, &ps->slots) < 0;
    if (L.oom)
        goto out;
    memcpy(ps->rules + ps->n_rules, L.rules, L.n_rules * sizeof *L.rules);
    ps->n_rules += L.n_rules;
    L.n_rules = 0;
    merge_roles(&L);
    ps->params = params;
    if (is_base == 1)
        snprintf(ps->base_id, sizeof ps->base_id, "%s", id);
    {
        size_t l = strlen(ps->version);
        snprintf(ps->version + l, sizeof ps->version - l, "%s%s@%s", l ? "+" : "", id, version);
    }
out:
    if (L.oom)
        policy_diag_report(d, SLUIS_ENOMEM, 0, 0, "", "out of memory");
    for (size_t i = 0; L.rules && i < L.n_rules; i++)
        policy_rule_clear(&L.rules[i]);
    for (size_t i = 0; L.roles && i < L.n_roles; i++)
        policy_role_clear(&L.roles[i]);
    free(L.rules);
    free(L.roles);
    free(id);
    free(version);
    free(extends);
    free((char *)title.nl);
    free((char *)title.en);
    free((char *)description.nl);
    free((char *)description.en);
    if (doc)
        fy_parse_document_destroy(L.fyp, doc);
    if (L.fyp)
        fy_parser_destroy(L.fyp);
    if (L.diag)
        fy_diag_destroy(L.diag);
    return L.oom ? SLUIS_ENOMEM : d->n - start;
}
