/* register_util.c - identifier checks and the audit helper of the register. */
#include "store/register_internal.h"

#include "audit/audit.h"
#include "store/auditlog.h"
#include "core/str_copy.h"

#include <stdio.h>
#include <string.h>

int reg_id_valid(const char *s)
{
    size_t n = 0;

    if (!s)
        return 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '@' || c == '-'))
            return 0;
        if (n >= REG_ID_CAP - 1)
            return 0;
    }
    return n >= 1;
}

int reg_id_check(const char *what, const char *s, struct sluis_err *err)
{
    if (reg_id_valid(s))
        return 0;
    return sluis_err_set(err, SLUIS_EINVAL, "%s must be 1..%d characters of A-Z a-z 0-9 . _ : @ -",
                         what, REG_ID_CAP - 1);
}

int reg_text_check(const char *what, const char *s, size_t cap, struct sluis_err *err)
{
    size_t n;

    if (!s)
        return sluis_err_set(err, SLUIS_EINVAL, "%s missing", what);
    n = strnlen(s, cap);
    if (n >= cap)
        return sluis_err_set(err, SLUIS_EINVAL, "%s longer than %zu bytes", what, cap - 1);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return sluis_err_set(err, SLUIS_EINVAL, "%s contains a control character", what);
    return 0;
}

void reg_content_hash(const char *content, char out[65])
{
    if (!content) {
        out[0] = '\0';
        return;
    }
    audit_hash_hex(content, strlen(content), out);
}

int reg_audit(struct store_tx *tx, const char *org_id, const char *actor, const char *action,
              const char *kind, const char *id, const char *before, const char *after,
              const char *detail, struct sluis_err *err)
{
    struct audit_entry e;

    memset(&e, 0, sizeof(e));
    reg_copy(e.org_id, sizeof(e.org_id), org_id);
    reg_copy(e.actor, sizeof(e.actor), actor);
    reg_copy(e.action, sizeof(e.action), action);
    reg_copy(e.kind, sizeof(e.kind), kind);
    reg_copy(e.object_id, sizeof(e.object_id), id);
    reg_content_hash(before, e.hash_before);
    reg_content_hash(after, e.hash_after);
    e.detail = detail;
    return store_audit_append(tx, &e, err);
}

void reg_copy(char *dst, size_t cap, const char *src)
{
    sluis_str_copy(dst, cap, src ? src : "");
}

const char *reg_null_if_empty(const char *s)
{
    return s && s[0] ? s : NULL;
}
