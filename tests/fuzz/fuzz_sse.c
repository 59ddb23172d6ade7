/* fuzz-libs: sluis_gateway */
/*
 * fuzz_sse.c - the gateway's SSE framer: arbitrary bytes in arbitrary chunkings (the first
 * byte picks the chunk size) must never crash, never exceed the cap, and give the same events
 * as feeding the input in one piece (until the first error).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gateway/gw_sse.h"

struct acc {
    unsigned long n;
    unsigned long long bytes;
    unsigned long hash;
};

static int on_event(void *ud, const char *event, const char *data, size_t len)
{
    struct acc *a = ud;
    a->n++;
    a->bytes += len;
    for (size_t i = 0; i < len; i++)
        a->hash = a->hash * 31 + (unsigned char)data[i];
    for (const char *p = event; *p; p++)
        a->hash = a->hash * 7 + (unsigned char)*p;
    if (strlen(data) > len)
        __builtin_trap(); /* the NUL must sit at len (no embedded NUL from the framer) */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t chunk = (size_t)(data[0] % 17) + 1;
    const char *in = (const char *)data + 1;
    size_t n = size - 1;
    struct gw_sse a, b;
    struct acc aa = {0}, bb = {0};
    gw_sse_init(&a, 128);
    gw_sse_init(&b, 128);
    int ra = gw_sse_feed(&a, in, n, on_event, &aa);
    int rb = 0;
    for (size_t i = 0; i < n && !rb; i += chunk)
        rb = gw_sse_feed(&b, in + i, n - i < chunk ? n - i : chunk, on_event, &bb);
    if (!ra && !rb) {
        if (aa.n != bb.n || aa.hash != bb.hash || aa.bytes != bb.bytes)
            __builtin_trap();
        if (gw_sse_finish(&a) != gw_sse_finish(&b))
            __builtin_trap();
    }
    if (a.line_len > 128 || a.data_len > 128 || b.line_len > 128 || b.data_len > 128)
        __builtin_trap();
    gw_sse_free(&a);
    gw_sse_free(&b);
    return 0;
}
