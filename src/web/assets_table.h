/*
 * assets_table.h - the table of embedded web files that embed.cmake generates
 * (internal to sluis_web; the public interface is assets.h).
 */
#ifndef SLUIS_WEB_ASSETS_TABLE_H
#define SLUIS_WEB_ASSETS_TABLE_H

#include <stddef.h>

struct web_asset_entry {
    const char *path;          /* "/index.html", "/js/app.js", ...; NULL ends the table */
    const unsigned char *data; /* the file's bytes, followed by one NUL that len excludes */
    size_t len;
};

/* Sorted by path (byte order); web_assets_count entries plus a NULL terminator. */
extern const struct web_asset_entry web_assets[];
extern const size_t web_assets_count;

#endif
