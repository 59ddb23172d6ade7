#include "core/err.h"

#include <stdio.h>
#include <string.h>

void sluis_err_clear(struct sluis_err *err)
{
    if (!err)
        return;
    memset(err, 0, sizeof(*err));
}

int sluis_err_set(struct sluis_err *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return code;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return code;
}

void sluis_err_format(const struct sluis_err *err, char *buf, size_t cap)
{
    size_t n = 0;

    if (!cap)
        return;
    buf[0] = '\0';
    if (err->file[0])
        n += (size_t)snprintf(buf + n, cap - n, "%s:", err->file);
    if (n < cap && err->line > 0)
        n += (size_t)snprintf(buf + n, cap - n, "%d:%d:", err->line, err->column);
    if (n < cap && err->path[0])
        n += (size_t)snprintf(buf + n, cap - n, "%s%s:", n ? " " : "", err->path);
    if (n < cap)
        snprintf(buf + n, cap - n, "%s%s", n ? " " : "", err->msg);
}
