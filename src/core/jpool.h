/*
 * jpool.h - a small-block pool for the jansson trees the core builds (internal to src/core).
 *
 * Loading a dossier and evaluating it build about 430 jansson values (objects, hash-table
 * buckets, key/value pairs, strings) and free them again; with glibc malloc that is a fifth
 * of the work. The core installs jansson allocation functions (json_set_alloc_funcs) once, in
 * a constructor, that serve blocks of up to JPOOL_MAX_BLOCK bytes from thread-local free lists
 * inside one reserved address range:
 *
 *  - only while the calling thread is inside a scope (jpool_scope_enter/leave), i.e. inside
 *    dossier_load_*(), derive_facts() and policy_evaluate*(). Outside a scope every jansson
 *    allocation is plain malloc(), so strings from json_dumps() may still be released with
 *    free() as the jansson documentation says (inside a scope the core never calls json_dumps);
 *  - a pooled block is an ordinary jansson allocation: it lives until json_decref() frees it,
 *    on any thread and at any later time (the block goes to the freeing thread's list; the
 *    lists of a thread that exits go to a shared list). Pointers outside the range go to free();
 *  - bounded: the range is reserved once (JPOOL_RANGE bytes, touched pages only); when it is
 *    full or cannot be reserved, allocation falls back to malloc(). Memory freed into the pool
 *    stays in the pool for reuse.
 * In ASan builds free blocks are poisoned (use after free is reported) and every page is an
 * LSan root region. Thread-safe.
 */
#ifndef SLUIS_CORE_JPOOL_H
#define SLUIS_CORE_JPOOL_H

#include <stddef.h>

#define JPOOL_MAX_BLOCK 512 /* bytes; larger blocks come from malloc() */

/* Enter / leave a pooled scope on this thread (nestable; every enter needs a leave). */
void jpool_scope_enter(void);
void jpool_scope_leave(void);

/*
 * Statistics for tests and benches: blocks handed out by the pool and blocks returned to it
 * over the life of the process (all threads; relaxed atomics, exact once threads are quiet).
 * *ranged is 1 when the address range is reserved (0: the pool is not in use, all malloc).
 */
void jpool_stats(size_t *allocated, size_t *freed, int *ranged);

#endif
