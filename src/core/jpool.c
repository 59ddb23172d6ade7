/*
 * jpool.c - the small-block pool behind the core's jansson trees (see jpool.h).
 *
 * Layout: one address range of JPOOL_RANGE bytes reserved with mmap (MAP_NORESERVE: only
 * touched pages cost memory), cut into JPOOL_PAGE-byte pages handed out by an atomic bump
 * counter. Each page holds blocks of one size class (16-byte steps up to JPOOL_MAX_BLOCK); the
 * class of a page is recorded in page_class[] before any block of it is handed out, so free()
 * finds the class of any block from its address alone. Free blocks sit on singly-linked,
 * thread-local lists per class; a thread that exits moves its lists to shared lists (mutex),
 * which other threads draw from before taking a new page.
 */
#include "core/jpool.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__)
#define JPOOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JPOOL_ASAN 1
#endif
#endif

#ifdef JPOOL_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/lsan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#define NO_ASAN __attribute__((no_sanitize_address))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#define NO_ASAN
#endif

#define JPOOL_RANGE ((size_t)1 << 30) /* 1 GiB of address space, 16,384 pages */
#define JPOOL_PAGE ((size_t)1 << 16)
#define JPOOL_PAGES (JPOOL_RANGE / JPOOL_PAGE)
#define JPOOL_STEP 16
#define JPOOL_CLASSES (JPOOL_MAX_BLOCK / JPOOL_STEP) /* class c holds (c + 1) * 16 bytes */

struct block {
    struct block *next;
};

static char *range;                           /* NULL: no pool, plain malloc */
static atomic_size_t next_page;               /* pages handed out so far */
static unsigned char page_class[JPOOL_PAGES]; /* class of each handed-out page */
static struct block *shared[JPOOL_CLASSES];   /* lists of threads that exited */
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t exit_key;              /* its destructor returns a thread's lists */
static atomic_size_t done_alloc, done_free; /* counts of threads that exited */

struct tls {
    struct block *free[JPOOL_CLASSES];
    size_t n_alloc, n_free;
    int scope;
    int registered; /* exit_key set for this thread */
};
static _Thread_local struct tls tl;

/* Moves the lists of a thread that exits (arg = its struct tls) to the shared lists. */
static void NO_ASAN thread_exit(void *arg)
{
    struct tls *t = arg;

    pthread_mutex_lock(&shared_lock);
    for (int c = 0; c < JPOOL_CLASSES; c++) {
        struct block *b = t->free[c];
        if (!b)
            continue;
        while (b->next)
            b = b->next;
        b->next = shared[c];
        shared[c] = t->free[c];
        t->free[c] = NULL;
    }
    pthread_mutex_unlock(&shared_lock);
    atomic_fetch_add_explicit(&done_alloc, t->n_alloc, memory_order_relaxed);
    atomic_fetch_add_explicit(&done_free, t->n_free, memory_order_relaxed);
    t->n_alloc = t->n_free = 0;
    t->registered = 0; /* a later free registers again, so its block is not stranded */
}

/* Refills this thread's list of class c: the shared list first, else a new page. */
static struct block *NO_ASAN refill(int c)
{
    size_t size = (size_t)(c + 1) * JPOOL_STEP, page;
    struct block *head = NULL;
    char *base;

    if (!tl.registered) {
        /* the destructor runs only for a non-NULL value */
        if (pthread_setspecific(exit_key, &tl) != 0)
            return NULL;
        tl.registered = 1;
    }
    pthread_mutex_lock(&shared_lock);
    head = shared[c];
    shared[c] = NULL;
    pthread_mutex_unlock(&shared_lock);
    if (head)
        return head;
    page = atomic_fetch_add_explicit(&next_page, 1, memory_order_relaxed);
    if (page >= JPOOL_PAGES)
        return NULL; /* the range is full: malloc from now on for this class */
    page_class[page] = (unsigned char)c;
    base = range + page * JPOOL_PAGE;
#ifdef JPOOL_ASAN
    __lsan_register_root_region(base, JPOOL_PAGE);
#endif
    for (size_t off = JPOOL_PAGE - JPOOL_PAGE % size; off >= size; off -= size) {
        struct block *b = (struct block *)(base + off - size);
        b->next = head;
        head = b;
    }
    POISON(base, JPOOL_PAGE);
    return head;
}

/* The slow half of pool_malloc(): refill the list of class c, or malloc when the range is full. */
static __attribute__((noinline)) void *NO_ASAN pool_malloc_refill(size_t n, int c)
{
    struct block *b = refill(c);

    if (!b)
        return malloc(n);
    tl.free[c] = b->next;
    tl.n_alloc++;
    UNPOISON(b, n);
    return b;
}

static void *NO_ASAN pool_malloc(size_t n)
{
    if (tl.scope && n - 1 < JPOOL_MAX_BLOCK && range) { /* n is never 0 (jansson) */
        int c = (int)((n - 1) / JPOOL_STEP);
        struct block *b = tl.free[c];
        if (!b)
            return pool_malloc_refill(n, c);
        tl.free[c] = b->next;
        /* the next block of this class is handed out soon (a tree allocates many of one
         * size): start loading its line now, its `next` is read then */
        __builtin_prefetch(b->next);
        tl.n_alloc++;
        UNPOISON(b, n);
        return b;
    }
    return malloc(n);
}

static void NO_ASAN pool_free(void *p)
{
    size_t off = (size_t)((uintptr_t)p - (uintptr_t)range);
    struct block *b = p;
    int c;

    if (!range || off >= JPOOL_RANGE) {
        free(p);
        return;
    }
    c = page_class[off / JPOOL_PAGE];
    POISON(b, (size_t)(c + 1) * JPOOL_STEP);
    b->next = tl.free[c];
    tl.free[c] = b;
    tl.n_free++;
    if (!tl.registered && pthread_setspecific(exit_key, &tl) == 0)
        tl.registered = 1;
}

/* Runs before main() (and before any thread of the program), so no jansson value can have
 * been freed with a different function; values malloc'ed before still go to free(). */
__attribute__((constructor)) static void jpool_install(void)
{
    void *r;

    if (getenv("SLUIS_JPOOL_OFF"))
        return;
    if (pthread_key_create(&exit_key, thread_exit) != 0)
        return;
    r = mmap(NULL, JPOOL_RANGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
             -1, 0);
    if (r == MAP_FAILED)
        return;
    range = r;
    json_set_alloc_funcs(pool_malloc, pool_free);
}

void jpool_scope_enter(void)
{
    tl.scope++;
}

void jpool_scope_leave(void)
{
    if (tl.scope > 0)
        tl.scope--;
}

void jpool_stats(size_t *allocated, size_t *freed, int *ranged)
{
    *allocated = atomic_load_explicit(&done_alloc, memory_order_relaxed) + tl.n_alloc;
    *freed = atomic_load_explicit(&done_free, memory_order_relaxed) + tl.n_free;
    *ranged = range != NULL;
}
