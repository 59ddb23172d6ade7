/* auditlog.c - the audit chain in table audit_log: append, list, verify, export. */
#include "store/auditlog.h"
#include "store/store_internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define VERIFY_PAGE 2000
#define COLS                                                                                       \
    "seq, ts, org_id, actor, action, kind, object_id, hash_before, hash_after, detail, "           \
    "prev_hash, entry_hash"

int store_audit_lock(struct store_tx *tx, struct sluis_err *err)
{
    int rc;

    if (tx->audit_locked)
        return 0;
    if (tx->mode != STORE_TX_WRITE)
        return sluis_err_set(err, SLUIS_EINVAL, "audit append needs a write transaction");
    if (tx->st->ops->backend == STORE_PG && !(tx->in_batch && tx->st->b_locked)) {
        rc = store_query(tx, "SELECT pg_advisory_xact_lock(" STORE_AUDIT_LOCK_KEY ")", 0, NULL,
                         NULL, NULL, err);
        if (rc)
            return rc;
        tx->took_lock = 1;
    }
    tx->audit_locked = 1;
    return 0;
}

struct head {
    long long seq;
    char hash[AUDIT_HASH_HEX];
};

static int head_cb(void *ud, int ncols, const char *const *vals, const char *const *names)
{
    struct head *h = ud;

    (void)names;
    if (ncols < 2 || !vals[0] || !vals[1])
        return 0;
    h->seq = strtoll(vals[0], NULL, 10);
    snprintf(h->hash, sizeof(h->hash), "%s", vals[1]);
    return 0;
}

/* The batch's head as it comes in (one row; NULLs: empty log = genesis). Runs under
 * write_lock, in the writer whose pipeline carried the query. */
static int batch_head_row(void *ud, int ncols, const char *const *vals, const char *const *names)
{
    struct store *st = ud;

    (void)names;
    if (ncols < 2)
        return SLUIS_EINTERNAL;
    if (vals[0] && vals[1] && strlen(vals[1]) != AUDIT_HASH_HEX - 1)
        return SLUIS_EINTERNAL;
    st->bh_seq = vals[0] ? strtoll(vals[0], NULL, 10) : 0;
    memcpy(st->bh_hash, vals[0] && vals[1] ? vals[1] : AUDIT_GENESIS, AUDIT_HASH_HEX);
    st->bh_valid = 1;
    return 0;
}

int store_audit_head_defer(struct store *st, void *conn, struct sluis_err *err)
{
    if (!st->ops->defer_rows)
        return 0;
    /* Exactly one row, also for an empty log. */
    return st->ops->defer_rows(conn,
                               "SELECT h.seq, h.entry_hash FROM (SELECT 1) AS one LEFT JOIN "
                               "(SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1) "
                               "AS h ON TRUE",
                               0, NULL, batch_head_row, st, err);
}

static int head_read(struct store_tx *tx, struct head *h, struct sluis_err *err)
{
    /* Only under the audit lock: then nobody else can append (see store_internal.h). */
    if (tx->audit_locked && tx->th_valid) {
        h->seq = tx->th_seq;
        memcpy(h->hash, tx->th_hash, sizeof(h->hash));
        return 0;
    }
    if (tx->audit_locked && tx->in_batch && tx->st->bh_valid) {
        h->seq = tx->st->bh_seq;
        memcpy(h->hash, tx->st->bh_hash, sizeof(h->hash));
        return 0;
    }
    h->seq = 0;
    memcpy(h->hash, AUDIT_GENESIS, sizeof(AUDIT_GENESIS));
    return store_query(tx, "SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1", 0,
                       NULL, head_cb, h, err);
}

/* 1 when every text field of e is NUL-terminated within its array. */
static int entry_fields_ok(const struct audit_entry *e)
{
    return memchr(e->ts, 0, sizeof(e->ts)) && memchr(e->org_id, 0, sizeof(e->org_id)) &&
           memchr(e->actor, 0, sizeof(e->actor)) && memchr(e->action, 0, sizeof(e->action)) &&
           memchr(e->kind, 0, sizeof(e->kind)) && memchr(e->object_id, 0, sizeof(e->object_id)) &&
           memchr(e->hash_before, 0, sizeof(e->hash_before)) &&
           memchr(e->hash_after, 0, sizeof(e->hash_after));
}

/* Fills in seq/ts/prev/hash and inserts e after head; advances head. */
static int append_one(struct store_tx *tx, struct head *h, struct audit_entry *e,
                      struct sluis_err *err)
{
    const char *orig_detail = e->detail;
    char *detail = NULL;
    char seq[32];
    int rc;

    if (!entry_fields_ok(e))
        return sluis_err_set(err, SLUIS_EINVAL, "audit entry field not terminated");
    if (!e->action[0])
        return sluis_err_set(err, SLUIS_EINVAL, "audit entry without action");
    rc = audit_detail_canon(e->detail, &detail, err);
    if (rc)
        return rc;
    e->seq = h->seq + 1;
    if (!e->ts[0])
        store_now(e->ts, sizeof(e->ts));
    memcpy(e->prev_hash, h->hash, AUDIT_HASH_HEX);
    e->detail = detail;
    rc = audit_entry_hash(e, e->prev_hash, e->entry_hash, err);
    if (rc)
        goto out;
    snprintf(seq, sizeof(seq), "%lld", e->seq);
    {
        const char *p[12] = {seq,           e->ts,   e->org_id,    e->actor,
                             e->action,     e->kind, e->object_id, e->hash_before,
                             e->hash_after, detail,  e->prev_hash, e->entry_hash};
        /* Nothing reads its result: PostgreSQL sends it with the next statement. */
        rc = store_exec_defer(tx,
                              "INSERT INTO audit_log (" COLS ") VALUES "
                              "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                              12, p, err);
    }
    if (rc)
        goto out;
    h->seq = e->seq;
    memcpy(h->hash, e->entry_hash, AUDIT_HASH_HEX);
out:
    e->detail = orig_detail;
    free(detail);
    return rc;
}

int store_audit_append(struct store_tx *tx, struct audit_entry *e, struct sluis_err *err)
{
    return store_audit_append_batch(tx, e, 1, err);
}

static int store_audit_append_batch_impl(struct store_tx *tx, struct audit_entry *entries, size_t n,
                                         struct sluis_err *err)
{
    struct head h;
    int rc;

    rc = store_audit_lock(tx, err);
    if (rc)
        return rc;
    rc = head_read(tx, &h, err);
    for (size_t i = 0; !rc && i < n; i++)
        rc = append_one(tx, &h, &entries[i], err);
    if (!rc) {
        tx->th_valid = 1;
        tx->th_seq = h.seq;
        memcpy(tx->th_hash, h.hash, sizeof(tx->th_hash));
    }
    return rc;
}

/* Copies src into a fixed field; returns 1 when it did not fit (a too-long stored value). */
static int field_set(char *dst, size_t cap, const char *src)
{
    size_t n;

    if (!src)
        src = "";
    n = strlen(src);
    if (n >= cap) {
        memcpy(dst, src, cap - 1);
        dst[cap - 1] = '\0';
        return 1;
    }
    memcpy(dst, src, n + 1);
    return 0;
}

/* Decodes one row in COLS order; *overflow = 1 when a stored value is longer than its field. */
static int row_decode(int ncols, const char *const *v, struct audit_entry *e, int *overflow)
{
    int of = 0;

    if (ncols != 12)
        return -1;
    memset(e, 0, sizeof(*e));
    e->seq = v[0] ? strtoll(v[0], NULL, 10) : 0;
    of |= field_set(e->ts, sizeof(e->ts), v[1]);
    of |= field_set(e->org_id, sizeof(e->org_id), v[2]);
    of |= field_set(e->actor, sizeof(e->actor), v[3]);
    of |= field_set(e->action, sizeof(e->action), v[4]);
    of |= field_set(e->kind, sizeof(e->kind), v[5]);
    of |= field_set(e->object_id, sizeof(e->object_id), v[6]);
    of |= field_set(e->hash_before, sizeof(e->hash_before), v[7]);
    of |= field_set(e->hash_after, sizeof(e->hash_after), v[8]);
    e->detail = v[9] ? v[9] : "";
    of |= field_set(e->prev_hash, sizeof(e->prev_hash), v[10]);
    of |= field_set(e->entry_hash, sizeof(e->entry_hash), v[11]);
    *overflow = of;
    return 0;
}

struct list_ctx {
    store_audit_cb cb;
    void *ud;
};

static int list_row(void *ud, int ncols, const char *const *vals, const char *const *names)
{
    struct list_ctx *c = ud;
    struct audit_entry e;
    int of;

    (void)names;
    if (row_decode(ncols, vals, &e, &of))
        return SLUIS_EINTERNAL;
    return c->cb(c->ud, &e);
}

int store_audit_list(struct store_tx *tx, const struct audit_filter *f, store_audit_cb cb, void *ud,
                     struct sluis_err *err)
{
    char sql[512], after[32], limit[32];
    const char *p[6];
    int np = 0;
    struct list_ctx c = {cb, ud};
    long long lim = f && f->limit > 0 ? f->limit : 100;
    size_t n;

    if (lim > 1000)
        lim = 1000;
    snprintf(after, sizeof(after), "%lld", f ? f->after_seq : 0);
    snprintf(limit, sizeof(limit), "%lld", lim);
    p[np++] = after;
    n = (size_t)snprintf(sql, sizeof(sql), "SELECT " COLS " FROM audit_log WHERE seq > $1");
    if (f && f->org_id && f->org_id[0]) {
        p[np++] = f->org_id;
        n += (size_t)snprintf(sql + n, sizeof(sql) - n, " AND org_id = $%d", np);
    }
    if (f && f->kind && f->kind[0]) {
        p[np++] = f->kind;
        n += (size_t)snprintf(sql + n, sizeof(sql) - n, " AND kind = $%d", np);
    }
    if (f && f->object_id && f->object_id[0]) {
        p[np++] = f->object_id;
        n += (size_t)snprintf(sql + n, sizeof(sql) - n, " AND object_id = $%d", np);
    }
    if (f && f->action && f->action[0]) {
        p[np++] = f->action;
        n += (size_t)snprintf(sql + n, sizeof(sql) - n, " AND action = $%d", np);
    }
    p[np++] = limit;
    snprintf(sql + n, sizeof(sql) - n, " ORDER BY seq LIMIT $%d", np);
    return store_query(tx, sql, np, p, list_row, &c, err);
}

#define MAX_CHECKPOINTS 100000

struct verify_ctx {
    struct audit_chain *chain;
    long long last;
    long long rows;
    struct audit_checkpoint *cps; /* ascending seq */
    size_t ncps;
    size_t next_cp; /* first checkpoint not yet reached */
};

/* Records a problem as the first broken link unless one was found already. */
static void report_break(struct audit_chain *c, long long seq, const char *reason)
{
    if (!c->ok)
        return;
    c->ok = 0;
    c->first_bad_seq = seq;
    snprintf(c->reason, sizeof(c->reason), "%s", reason);
}

/* Compares the checkpoints up to seq with the entry just fed. */
static void checkpoints_at(struct verify_ctx *c, const struct audit_entry *e)
{
    char why[256];

    while (c->next_cp < c->ncps && c->cps[c->next_cp].seq <= e->seq) {
        const struct audit_checkpoint *cp = &c->cps[c->next_cp++];
        if (cp->seq < e->seq)
            continue; /* its entry is missing: the seq gap is reported by the chain */
        if (strcmp(cp->head, e->entry_hash) != 0) {
            snprintf(why, sizeof(why),
                     "checkpoint of %s says entry %lld had hash %.16s..., the log has %.16s... "
                     "(log rewritten)",
                     cp->ts, cp->seq, cp->head, e->entry_hash);
            report_break(c->chain, cp->seq, why);
        } else {
            c->chain->checkpoints++;
        }
    }
}

static int verify_row(void *ud, int ncols, const char *const *vals, const char *const *names)
{
    struct verify_ctx *c = ud;
    struct audit_entry e;
    int of;
    int rc;

    (void)names;
    if (row_decode(ncols, vals, &e, &of))
        return SLUIS_EINTERNAL;
    if (of) {
        /* A stored value longer than any append could write: altered. */
        snprintf(e.entry_hash, sizeof(e.entry_hash), "%s", "(field over its cap)");
    }
    rc = audit_chain_feed(c->chain, &e);
    if (rc)
        return rc;
    checkpoints_at(c, &e);
    c->last = e.seq;
    c->rows++;
    return 0;
}

struct cp_list {
    struct audit_checkpoint *cps;
    size_t n;
    size_t cap;
};

static int cp_row(void *ud, int ncols, const char *const *v, const char *const *names)
{
    struct cp_list *l = ud;
    struct audit_checkpoint *cp;

    (void)names;
    if (ncols != 5)
        return SLUIS_EINTERNAL;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        struct audit_checkpoint *p;
        if (cap > MAX_CHECKPOINTS)
            return SLUIS_ETOOBIG;
        p = realloc(l->cps, cap * sizeof(*p));
        if (!p)
            return SLUIS_ENOMEM;
        l->cps = p;
        l->cap = cap;
    }
    cp = &l->cps[l->n++];
    memset(cp, 0, sizeof(*cp));
    cp->seq = v[0] ? strtoll(v[0], NULL, 10) : 0;
    /* Over-long stored values are cut; the hash or signature check then fails. */
    field_set(cp->ts, sizeof(cp->ts), v[1]);
    field_set(cp->head, sizeof(cp->head), v[2]);
    field_set(cp->key_id, sizeof(cp->key_id), v[3]);
    field_set(cp->sig, sizeof(cp->sig), v[4]);
    return 0;
}

int store_audit_verify_ex(struct store *st, const char *pubkey_path, struct audit_chain *report,
                          struct sluis_err *err)
{
    struct verify_ctx c = {report, 0, 0, NULL, 0, 0};
    struct cp_list l = {NULL, 0, 0};
    struct store_tx *tx;
    char after[32], why[256];
    const char *p[1] = {after};
    int rc;

    audit_chain_init(report);
    rc = store_tx_begin(st, STORE_TX_READ, &tx, err);
    if (rc)
        return rc;
    rc = store_query(tx,
                     "SELECT seq, ts, head_hash, key_id, signature FROM audit_checkpoints "
                     "ORDER BY seq",
                     0, NULL, cp_row, &l, err);
    store_tx_rollback(tx);
    if (rc) {
        free(l.cps);
        return rc < 0 && err && !err->msg[0] ? sluis_err_set(err, rc, "cannot read checkpoints")
                                             : rc;
    }
    c.cps = l.cps;
    c.ncps = l.n;
    for (;;) {
        c.rows = 0;
        snprintf(after, sizeof(after), "%lld", c.last);
        rc = store_tx_begin(st, STORE_TX_READ, &tx, err);
        if (rc)
            goto out;
        rc = store_query(tx,
                         "SELECT " COLS " FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT "
                         "2000",
                         1, p, verify_row, &c, err);
        store_tx_rollback(tx);
        if (rc) {
            rc = rc < 0 ? rc : sluis_err_set(err, SLUIS_EINTERNAL, "verify stopped");
            goto out;
        }
        if (c.rows < VERIFY_PAGE)
            break;
    }
    /* Checkpoints beyond the end of the log: entries were removed from the end. */
    if (c.next_cp < c.ncps) {
        const struct audit_checkpoint *cp = &c.cps[c.next_cp];
        snprintf(why, sizeof(why),
                 "the log ends at entry %lld but a checkpoint of %s covers entry %lld "
                 "(log truncated)",
                 report->last_seq, cp->ts, cp->seq);
        report_break(report, report->last_seq + 1, why);
    }
    if (pubkey_path) {
        for (size_t i = 0; i < c.ncps; i++) {
            struct sluis_err cerr = {0};
            rc = audit_checkpoint_check(pubkey_path, &c.cps[i], &cerr);
            if (rc == SLUIS_EDENIED) {
                report_break(report, c.cps[i].seq, cerr.msg);
            } else if (rc) {
                sluis_err_set(err, rc, "%s", cerr.msg);
                goto out;
            } else {
                report->signatures++;
            }
        }
    }
    rc = 0;
out:
    free(l.cps);
    return rc;
}

int store_audit_verify(struct store *st, struct audit_chain *report, struct sluis_err *err)
{
    return store_audit_verify_ex(st, NULL, report, err);
}

struct checkpoint_ctx {
    const char *key_path;
    struct audit_checkpoint cp;
};

static int checkpoint_fn(struct store_tx *tx, void *ud, struct sluis_err *err)
{
    struct checkpoint_ctx *c = ud;
    struct audit_checkpoint *cp = &c->cp;
    struct head h;
    char seq[32];
    int rc;

    rc = store_audit_lock(tx, err);
    if (!rc)
        rc = head_read(tx, &h, err);
    if (rc)
        return rc;
    if (h.seq == 0)
        return sluis_err_set(err, SLUIS_EINVAL, "the audit log is empty: nothing to sign");
    memset(cp, 0, sizeof(*cp));
    cp->seq = h.seq;
    memcpy(cp->head, h.hash, sizeof(cp->head));
    store_now(cp->ts, sizeof(cp->ts));
    rc = audit_checkpoint_sign(c->key_path, cp, err);
    if (rc)
        return rc;
    snprintf(seq, sizeof(seq), "%lld", cp->seq);
    {
        const char *p[5] = {seq, cp->ts, cp->head, cp->key_id, cp->sig};
        rc = store_exec(tx,
                        "INSERT INTO audit_checkpoints (seq, ts, head_hash, key_id, signature) "
                        "VALUES ($1, $2, $3, $4, $5)",
                        5, p, NULL, err);
    }
    if (rc == SLUIS_ECONFLICT)
        sluis_err_set(err, rc, "a checkpoint at entry %lld exists already", cp->seq);
    return rc;
}

int store_audit_checkpoint(struct store *st, const char *key_path, struct audit_checkpoint *out,
                           struct sluis_err *err)
{
    struct checkpoint_ctx c = {key_path, {0}};
    int rc;

    if (!key_path || !key_path[0])
        return sluis_err_set(err, SLUIS_EINVAL, "key path missing");
    rc = store_tx_run(st, STORE_TX_WRITE, checkpoint_fn, &c, err);
    if (!rc && out)
        *out = c.cp;
    return rc;
}

struct export_ctx {
    FILE *out;
    long long count;
    long long last;
    long long rows;
};

static int export_row(void *ud, int ncols, const char *const *vals, const char *const *names)
{
    struct export_ctx *c = ud;
    struct audit_entry e;
    json_t *o, *d;
    char *s;
    int of;

    (void)names;
    if (row_decode(ncols, vals, &e, &of))
        return SLUIS_EINTERNAL;
    o = json_object();
    if (!o)
        return SLUIS_ENOMEM;
    json_object_set_new(o, "seq", json_integer(e.seq));
    json_object_set_new(o, "ts", json_string(e.ts));
    json_object_set_new(o, "org_id", json_string(e.org_id));
    json_object_set_new(o, "actor", json_string(e.actor));
    json_object_set_new(o, "action", json_string(e.action));
    json_object_set_new(o, "kind", json_string(e.kind));
    json_object_set_new(o, "object_id", json_string(e.object_id));
    json_object_set_new(o, "hash_before", json_string(e.hash_before));
    json_object_set_new(o, "hash_after", json_string(e.hash_after));
    d = json_loads(e.detail, 0, NULL);
    /* Altered, unparsable detail is exported as a string so nothing is hidden. */
    json_object_set_new(o, "detail", d ? d : json_string(e.detail));
    json_object_set_new(o, "prev_hash", json_string(e.prev_hash));
    json_object_set_new(o, "entry_hash", json_string(e.entry_hash));
    s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!s)
        return SLUIS_ENOMEM;
    if (fputs(s, c->out) == EOF || fputc('\n', c->out) == EOF) {
        free(s);
        return SLUIS_EIO;
    }
    free(s);
    c->count++;
    c->rows++;
    c->last = e.seq;
    return 0;
}

int store_audit_export(struct store *st, FILE *out, long long *count, struct sluis_err *err)
{
    struct export_ctx c = {out, 0, 0, 0};
    char after[32];
    const char *p[1] = {after};
    int rc;

    if (count)
        *count = 0;
    for (;;) {
        struct store_tx *tx;

        c.rows = 0;
        snprintf(after, sizeof(after), "%lld", c.last);
        rc = store_tx_begin(st, STORE_TX_READ, &tx, err);
        if (rc)
            return rc;
        rc = store_query(tx,
                         "SELECT " COLS " FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT "
                         "2000",
                         1, p, export_row, &c, err);
        store_tx_rollback(tx);
        if (rc == SLUIS_EIO)
            return sluis_err_set(err, SLUIS_EIO, "cannot write the export");
        if (rc)
            return rc < 0 ? rc : sluis_err_set(err, SLUIS_EINTERNAL, "export stopped");
        if (c.rows < VERIFY_PAGE)
            break;
    }
    if (fflush(out) == EOF)
        return sluis_err_set(err, SLUIS_EIO, "cannot write the export");
    if (count)
        *count = c.count;
    return 0;
}

/* Public entry: any failure poisons tx, so it can only be rolled back. */
int store_audit_append_batch(struct store_tx *tx, struct audit_entry *entries, size_t n,
                             struct sluis_err *err)
{
    return store_tx_fail(tx, store_audit_append_batch_impl(tx, entries, n, err));
}
