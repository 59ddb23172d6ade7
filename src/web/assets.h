/*
 * assets.h - the web UI's files, embedded in the binary at build time (src/web/embed.cmake).
 *
 * The http layer serves them at `/` with http_server_mount_assets(srv, web_asset_lookup).
 * Everything returned points into static, read-only storage: never free it, valid for the
 * life of the process, safe from any thread.
 */
#ifndef SLUIS_WEB_ASSETS_H
#define SLUIS_WEB_ASSETS_H

#include <stddef.h>

/*
 * Looks up the file for the request path `path` (as received, may carry "?query" or
 * "#fragment", which are ignored). "/" maps to /index.html. A path that names no embedded
 * file, is not under /api, and whose last segment has no '.' (an address inside the
 * single-page app such as /applicaties/utrecht-chatbot) also maps to /index.html, so
 * reloading any page of the UI works; a missing file with an extension (/js/nope.js) and
 * anything under /api are not found.
 * On success sets *data, *len and *content_type (any of the three out-pointers may be NULL)
 * and returns 0. Returns SLUIS_ENOTFOUND when there is no such file, SLUIS_EINVAL when
 * path is NULL, empty, does not start with '/', or contains "..", a control
 * character or a backslash, SLUIS_ETOOBIG when it is longer than 1024 bytes; the
 * out-pointers are then left untouched.
 */
int web_asset_lookup(const char *path, const unsigned char **data, size_t *len,
                     const char **content_type);

/* The Content-Type for a file name by its extension ("text/html; charset=utf-8", ...);
 * "application/octet-stream" when unknown. Never NULL. */
const char *web_asset_content_type(const char *path);

/* One response header. */
struct web_header {
    const char *name;
    const char *value;
};

/*
 * The security headers every UI response should carry (Content-Security-Policy with
 * default-src 'self' and no inline script, X-Content-Type-Options, Referrer-Policy,
 * X-Frame-Options, Permissions-Policy, Cross-Origin-Opener-Policy), ending with a
 * {NULL, NULL} entry. Static; this function can't fail.
 */
const struct web_header *web_asset_security_headers(void);

/* The number of embedded files (for diagnostics and tests). */
size_t web_asset_count(void);

#endif
