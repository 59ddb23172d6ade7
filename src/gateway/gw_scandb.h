/*
 * gw_scandb.h - the gateway's scan database, compiled in a short-lived child process.
 *
 * Compiling the Hyperscan databases runs the Hyperscan compiler: megabytes of library code
 * and heap touched once, then never again, yet counted in the gateway's resident memory for
 * its whole life. A forked child compiles and serialises (scan_db_serialize), the gateway
 * loads the blob (scan_db_deserialize, checksummed and tied to this build's pattern set), so
 * the long-lived process only ever runs Hyperscan's scanning code.
 */
#ifndef SLUIS_GATEWAY_GW_SCANDB_H
#define SLUIS_GATEWAY_GW_SCANDB_H

#include "core/err.h"

struct scan_db;

/*
 * Compiles the scan database in a child process and loads it here; when that fails for any
 * reason (no fork, child died, damaged blob) it compiles in this process instead, so the
 * result never differs. Returns 0 and *out (scan_db_free), or a negative SLUIS_E* code of
 * the in-process compile with err set.
 */
int gw_scandb_compile(struct scan_db **out, struct sluis_err *err);

#endif
