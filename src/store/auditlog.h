/*
 * auditlog.h - the audit trail in the database (table audit_log): append in the caller's
 * transaction, list, verify the whole chain, export as JSON lines.
 *
 * Appends are serialised so the chain stays linear: SQLite by its write lock (the
 * transaction must be STORE_TX_WRITE), PostgreSQL by pg_advisory_xact_lock(), held until
 * the transaction ends. An append is part of the caller's transaction: on rollback the
 * entry is gone with the change it describes.
 */
#ifndef SLUIS_STORE_AUDITLOG_H
#define SLUIS_STORE_AUDITLOG_H

#include "audit/audit.h"
#include "core/err.h"
#include "store/store.h"

#include <stdio.h>

/*
 * Takes the audit append lock for the rest of tx (no-op on SQLite; idempotent). Every
 * mutating register function calls it before it reads the state it will change, so
 * read-check-write sequences are race-free across processes. Errors: SLUIS_EIO.
 */
int store_audit_lock(struct store_tx *tx, struct sluis_err *err);

/*
 * Appends e to the chain in tx: sets e->seq, e->ts (when ""), e->prev_hash, e->entry_hash;
 * e->detail is canonicalised first (must be a JSON object or NULL). Errors: SLUIS_EINVAL
 * (bad detail / field over its cap), SLUIS_EIO.
 */
int store_audit_append(struct store_tx *tx, struct audit_entry *e, struct sluis_err *err);

/*
 * Appends n entries in order (one lock, one head read): the gateway's batched usage
 * records. All or nothing within tx. Same errors as store_audit_append().
 */
int store_audit_append_batch(struct store_tx *tx, struct audit_entry *entries, size_t n,
                             struct sluis_err *err);

/*
 * Filter for store_audit_list(); NULL / "" / 0 fields do not filter. Entries come in
 * ascending seq, those with seq > after_seq, at most limit (0 = 100, capped at 1000).
 */
struct audit_filter {
    const char *org_id;
    const char *kind;
    const char *object_id;
    const char *action;
    long long after_seq;
    long long limit;
};

/* Entry callback: e (and e->detail) borrowed, valid during the call; non-zero stops. */
typedef int (*store_audit_cb)(void *ud, const struct audit_entry *e);

/* Lists entries matching f (f may be NULL). Returns 0, a non-zero cb result, or an error. */
int store_audit_list(struct store_tx *tx, const struct audit_filter *f, store_audit_cb cb, void *ud,
                     struct sluis_err *err);

/*
 * Recomputes the whole chain (in pages, in bounded memory) and fills *report (see
 * audit.h: report->ok, first_bad_seq and reason name the first broken link). Returns 0 when
 * the check ran (whatever its outcome), or an error (SLUIS_EIO) when it could not.
 */
int store_audit_verify(struct store *st, struct audit_chain *report, struct sluis_err *err);

/*
 * Like store_audit_verify(), and also checks the signed checkpoints (table
 * audit_checkpoints): the chain must still have entry_hash = head at each checkpoint's seq
 * (catches truncation and rewriting up to it); with pubkey_path (PEM Ed25519 public key,
 * NULL = skip) every signature too. report->checkpoints / ->signatures count what matched.
 */
int store_audit_verify_ex(struct store *st, const char *pubkey_path, struct audit_chain *report,
                          struct sluis_err *err);

/*
 * Signs the current head of the chain with the Ed25519 private key in PEM file key_path and
 * stores it in audit_checkpoints; *cp (may be NULL) receives it (copy it somewhere else too:
 * a checkpoint only in the same database cannot prove that it was not removed). Errors:
 * SLUIS_EINVAL (empty chain / bad key), SLUIS_ECONFLICT (a checkpoint at this head
 * exists), SLUIS_EIO.
 */
int store_audit_checkpoint(struct store *st, const char *key_path, struct audit_checkpoint *cp,
                           struct sluis_err *err);

/*
 * Writes every entry as one JSON object per line to out, ascending seq, fields: seq, ts,
 * org_id, actor, action, kind, object_id, hash_before, hash_after, detail (as JSON),
 * prev_hash, entry_hash. *count (may be NULL) receives the number of lines. Errors:
 * SLUIS_EIO (database or write failure).
 */
int store_audit_export(struct store *st, FILE *out, long long *count, struct sluis_err *err);

#endif
