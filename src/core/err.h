/*
 * err.h - the one error type of sluis.
 *
 * Functions return 0 on success or a negative SLUIS_E* code; when they take a
 * struct sluis_err *, they fill it with a user-facing message (Dutch or English
 * as the caller chose elsewhere; messages here are English with the Dutch term
 * where one exists) and, for file input, the position.
 */
#ifndef SLUIS_CORE_ERR_H
#define SLUIS_CORE_ERR_H

#include <stdarg.h>
#include <stddef.h>

enum sluis_errcode {
    SLUIS_OK = 0,
    SLUIS_EINVAL = -1,   /* bad input: syntax, type, unknown key, out of range */
    SLUIS_ENOMEM = -2,   /* allocation failed */
    SLUIS_EIO = -3,      /* read/write failed */
    SLUIS_ETOOBIG = -4,  /* input over a hard cap */
    SLUIS_ENOTFOUND = -5,
    SLUIS_ECONFLICT = -6,
    SLUIS_EDENIED = -7,
    SLUIS_EINTERNAL = -8,
};

struct sluis_err {
    int code;          /* enum sluis_errcode */
    char file[256];    /* input name, may be empty */
    int line;          /* 1-based, 0 when unknown */
    int column;        /* 1-based, 0 when unknown */
    char path[256];    /* JSON-pointer-like path of the offending field, may be empty */
    char msg[512];     /* human-readable message */
};

/* Resets err to "no error". err may be NULL. */
void sluis_err_clear(struct sluis_err *err);

/*
 * Sets code and a printf-style message; returns code so callers can write
 * `return sluis_err_set(err, SLUIS_EINVAL, "...")`. err may be NULL.
 * Keeps file/line/column/path as they are.
 */
int sluis_err_set(struct sluis_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Formats "file:line:column: path: msg" (parts that are unknown are left out) into buf. */
void sluis_err_format(const struct sluis_err *err, char *buf, size_t cap);

#endif
