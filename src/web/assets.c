/* assets.c - looks up the embedded web UI files by request path. */
#include "web/assets.h"

#include <string.h>

#include "assets_table.h"
#include "core/err.h"

enum { WEB_PATH_MAX = 1024 };

struct ext_type {
    const char *ext;
    const char *type;
};

static const struct ext_type ext_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".txt", "text/plain; charset=utf-8"},
    {".woff2", "font/woff2"},
};

static const struct web_header security_headers[] = {
    {"Content-Security-Policy",
     "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
     "form-action 'self'; frame-ancestors 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"X-Frame-Options", "DENY"},
    {"Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"},
    {"Cross-Origin-Opener-Policy", "same-origin"},
    {NULL, NULL},
};

const char *web_asset_content_type(const char *path)
{
    const char *slash, *dot;
    size_t i;

    if (!path)
        return "application/octet-stream";
    slash = strrchr(path, '/');
    dot = strrchr(slash ? slash : path, '.');
    if (!dot)
        return "application/octet-stream";
    for (i = 0; i < sizeof(ext_types) / sizeof(ext_types[0]); i++)
        if (!strcmp(dot, ext_types[i].ext))
            return ext_types[i].type;
    return "application/octet-stream";
}

static const struct web_asset_entry *find(const char *path)
{
    size_t i;

    for (i = 0; i < web_assets_count; i++)
        if (!strcmp(web_assets[i].path, path))
            return &web_assets[i];
    return NULL;
}

/* 1 when path is /api or under /api/. */
static int is_api(const char *path)
{
    return !strncmp(path, "/api", 4) && (path[4] == '\0' || path[4] == '/');
}

int web_asset_lookup(const char *path, const unsigned char **data, size_t *len,
                     const char **content_type)
{
    char clean[WEB_PATH_MAX + 1];
    const struct web_asset_entry *e;
    const char *last;
    size_t n;

    if (!path || path[0] != '/')
        return SLUIS_EINVAL;
    n = strcspn(path, "?#");
    if (n > WEB_PATH_MAX)
        return SLUIS_ETOOBIG;
    memcpy(clean, path, n);
    clean[n] = '\0';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)clean[i];
        if (c < 0x20 || c == 0x7f || c == '\\')
            return SLUIS_EINVAL;
    }
    if (strstr(clean, ".."))
        return SLUIS_EINVAL;

    e = !strcmp(clean, "/") ? find("/index.html") : find(clean);
    if (!e) {
        last = strrchr(clean, '/');
        if (is_api(clean) || strchr(last, '.'))
            return SLUIS_ENOTFOUND;
        e = find("/index.html");
        if (!e)
            return SLUIS_ENOTFOUND;
    }
    if (data)
        *data = e->data;
    if (len)
        *len = e->len;
    if (content_type)
        *content_type = web_asset_content_type(e->path);
    return 0;
}

const struct web_header *web_asset_security_headers(void)
{
    return security_headers;
}

size_t web_asset_count(void)
{
    return web_assets_count;
}
