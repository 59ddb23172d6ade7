/*
 * audit.h - the hash chain of the audit trail: entry model, canonical serialisation,
 * hashing and chain verification. Pure functions, no database.
 *
 * Persistence (append in the caller's transaction, verify over the whole table, export as
 * JSON lines) lives in src/store/auditlog.h, which uses this module.
 *
 * Chain: entry_hash(n) = hex(SHA-256(prev_hash(n) || canon(entry n))), prev_hash(n) =
 * entry_hash(n-1), prev_hash(1) = 64 '0'. seq runs 1, 2, 3, ... without gaps.
 *
 * canon(entry) is one line of JSON, keys in this fixed (sorted) order, no whitespace:
 *   {"action":S,"actor":S,"detail":D,"hash_after":S,"hash_before":S,"kind":S,
 *    "object_id":S,"org_id":S,"seq":N,"ts":S}
 * S is a JSON string (UTF-8 as is; escaped: '"' '\\' and bytes < 0x20 as \b \f \n \r \t or
 * \u00XX), N a decimal integer, D the detail text exactly as stored (audit_detail_canon()
 * makes it canonical JSON before it is stored: sorted keys, compact). See docs/audit.md.
 */
#ifndef SLUIS_AUDIT_AUDIT_H
#define SLUIS_AUDIT_AUDIT_H

#include "core/err.h"

#include <stddef.h>

#define AUDIT_HASH_HEX 65      /* 64 hex digits + NUL */
#define AUDIT_MAX_DETAIL 65536 /* bytes of canonical detail JSON */
#define AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* Well-known actions (free text is allowed too, [a-z_.]{1,63}). */
#define AUDIT_ACTION_CREATE "create"
#define AUDIT_ACTION_UPDATE "update"
#define AUDIT_ACTION_DELETE "delete"
#define AUDIT_ACTION_DECISION "decision"
#define AUDIT_ACTION_USAGE "usage"

/*
 * One audit entry. Text fields are "" when not applicable (never NULL in the chain).
 * detail is JSON object text; as input it is borrowed (NULL = "{}"); in entries handed out
 * by the store it is borrowed and valid during the callback only.
 */
struct audit_entry {
    long long seq;                    /* 1-based position; assigned on append */
    char ts[40];                      /* store_now() format; set on append when "" */
    char org_id[128];                 /* organisation the change belongs to */
    char actor[128];                  /* user id, token id, "system", node name */
    char action[64];                  /* create|update|delete|decision|usage|... */
    char kind[64];                    /* object kind ("application", "org", "user", ...) */
    char object_id[128];              /* id of the object */
    char hash_before[AUDIT_HASH_HEX]; /* SHA-256 hex of the content before, "" if none */
    char hash_after[AUDIT_HASH_HEX];  /* SHA-256 hex of the content after, "" if none */
    const char *detail;               /* JSON object text */
    char prev_hash[AUDIT_HASH_HEX];   /* set on append */
    char entry_hash[AUDIT_HASH_HEX];  /* set on append */
};

/* Writes the lower-case hex SHA-256 of data[0..n) into out. */
void audit_hash_hex(const void *data, size_t n, char out[AUDIT_HASH_HEX]);

/*
 * Canonicalises detail JSON (NULL or "" = "{}"): must parse as a JSON object; written back
 * with sorted keys and no whitespace. *out is malloc'ed, caller frees. Errors: SLUIS_EINVAL
 * (not a JSON object), SLUIS_ETOOBIG (over AUDIT_MAX_DETAIL), SLUIS_ENOMEM.
 */
int audit_detail_canon(const char *detail, char **out, struct sluis_err *err);

/*
 * The definition of audit_detail_canon(): parses detail (jansson, duplicate keys rejected) and
 * dumps it compact with sorted keys and reals at 17 digits. Same contract. audit_detail_canon()
 * returns a copy instead when audit_detail_is_canon() says the text is already this output
 * (byte-identical results; tests/register/test_audit_canon.c, tests/fuzz/fuzz_audit.c).
 */
int audit_detail_canon_parse(const char *detail, char **out, struct sluis_err *err);

/*
 * 1 when text[0..len) is a JSON object exactly as audit_detail_canon_parse() would write it
 * (keys strictly sorted by bytes, no whitespace, strings escaped as the dump escapes them,
 * integers within long long, reals as %.17g in jansson's form, at most 32 levels, valid
 * UTF-8, at most AUDIT_MAX_DETAIL bytes); 0 otherwise (also when unsure). Single pass, no
 * allocation except for reals. text need not be NUL-terminated.
 */
int audit_detail_is_canon(const char *text, size_t len);

/*
 * Writes canon(e) (see above; uses e->detail verbatim, "{}" when NULL) into a malloc'ed
 * string *out (caller frees). Errors: SLUIS_ENOMEM, SLUIS_ETOOBIG.
 */
int audit_entry_canon(const struct audit_entry *e, char **out, struct sluis_err *err);

/*
 * Computes entry_hash for e with the given prev_hash (64 hex) into out; does not change e.
 * Errors as audit_entry_canon().
 */
int audit_entry_hash(const struct audit_entry *e, const char *prev_hash, char out[AUDIT_HASH_HEX],
                     struct sluis_err *err);

/*
 * Chain verifier: feed the entries in seq order; the first broken link is recorded and
 * later entries are still counted. Usage: audit_chain_init(&c); for each e:
 * audit_chain_feed(&c, e); then c.ok says whether the chain is intact.
 */
struct audit_chain {
    long long entries;         /* entries fed */
    long long last_seq;        /* seq of the last entry fed */
    char head[AUDIT_HASH_HEX]; /* entry_hash expected as next prev_hash */
    int ok;                    /* 1 while no broken link was seen */
    long long first_bad_seq;   /* seq of the first broken link, 0 when ok */
    char reason[256];          /* what differs at first_bad_seq */
    long long checkpoints;     /* checkpoints that matched the chain (store_audit_verify_ex) */
    long long signatures;      /* of those, signatures verified with the public key */
};

/* Starts a chain at the genesis hash. */
void audit_chain_init(struct audit_chain *c);

/*
 * Checks e against the chain so far: seq = last_seq + 1, e->prev_hash = head, and
 * e->entry_hash = recomputed hash. Advances head to e->entry_hash (as stored, so one
 * tampered row is reported once, not as a cascade). Returns 0, or SLUIS_ENOMEM.
 */
int audit_chain_feed(struct audit_chain *c, const struct audit_entry *e);

/*
 * Signed checkpoints: a statement "the chain had head H at entry seq", signed with Ed25519.
 * Kept in the database and, better, copied elsewhere. A later verify checks that the chain
 * still has entry_hash H at seq (detects truncation and rewriting up to seq) and, given the
 * public key, the signature. Signed message (UTF-8, newline separated, no trailing newline):
 *   "sluis-audit-checkpoint:v1" LF seq LF head LF ts
 * key_id = first 16 hex of SHA-256(raw 32-byte public key); sig = 128 hex.
 */
struct audit_checkpoint {
    long long seq;
    char ts[40];
    char head[AUDIT_HASH_HEX];
    char key_id[17];
    char sig[129];
};

/*
 * Signs cp (seq, ts, head set by the caller) with the Ed25519 private key in PEM file
 * key_path (openssl genpkey -algorithm ed25519); fills key_id and sig. Errors: SLUIS_EIO
 * (cannot read the key), SLUIS_EINVAL (not an Ed25519 private key), SLUIS_EINTERNAL.
 */
int audit_checkpoint_sign(const char *key_path, struct audit_checkpoint *cp, struct sluis_err *err);

/*
 * Checks cp's signature with the Ed25519 public key in PEM file pubkey_path (openssl pkey
 * -pubout). Returns 0 when valid; SLUIS_EDENIED when the signature or key id does not match;
 * SLUIS_EIO / SLUIS_EINVAL for an unreadable or wrong key.
 */
int audit_checkpoint_check(const char *pubkey_path, const struct audit_checkpoint *cp,
                           struct sluis_err *err);

#endif
