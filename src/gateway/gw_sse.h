/*
 * gw_sse.h - incremental, bounded server-sent-events framer (text/event-stream, as the
 * OpenAI streaming API sends it).
 *
 * Bytes go in in any chunking; each complete event (ended by a blank line) comes out through
 * a callback as the concatenation of its "data:" lines (joined by '\n', one leading space
 * stripped). Comments (":..."), "event:", "id:" and "retry:" lines are accepted and not
 * reported, except that the event name is passed along. Line ends may be LF, CRLF or CR.
 * Memory is bounded: a line or an event larger than max_event bytes is an error.
 */
#ifndef SLUIS_GATEWAY_GW_SSE_H
#define SLUIS_GATEWAY_GW_SSE_H

#include <stddef.h>

#define GW_SSE_DEFAULT_MAX_EVENT (256 * 1024)

struct gw_sse {
    size_t max_event; /* cap on one line and on one event's data */
    char *line;       /* partial line carried between chunks (malloc'ed, <= max_event) */
    size_t line_len, line_cap;
    char *data; /* data of the event being built */
    size_t data_len, data_cap;
    int has_data;         /* at least one data: line in the current event */
    int cr_pending;       /* the last byte fed was CR: skip one following LF */
    char event[32];       /* name from "event:" of the current event, "" when none */
    unsigned long events; /* events dispatched so far */
};

/*
 * Called once per complete event. data is borrowed (valid during the call) and
 * NUL-terminated; len excludes the NUL. event is the event name ("" when none). Return 0 to go
 * on; any other value stops gw_sse_feed(), which returns it.
 */
typedef int (*gw_sse_event_fn)(void *ud, const char *event, const char *data, size_t len);

/* Initialises f with a cap (0 = GW_SSE_DEFAULT_MAX_EVENT). Cannot fail. */
void gw_sse_init(struct gw_sse *f, size_t max_event);

/* Frees what f holds; f may be reused after gw_sse_init(). */
void gw_sse_free(struct gw_sse *f);

/*
 * Feeds n bytes. Returns 0, a non-zero callback result, SLUIS_ETOOBIG (a line or event over
 * the cap: the stream is malformed, stop reading it) or SLUIS_ENOMEM.
 */
int gw_sse_feed(struct gw_sse *f, const char *chunk, size_t n, gw_sse_event_fn cb, void *ud);

/*
 * Frees the line and data buffers when no partial line or event is held (between events), so
 * an idle stream holds no buffer; the next gw_sse_feed() allocates again. Always safe.
 */
void gw_sse_release_idle(struct gw_sse *f);

/*
 * At the end of the input: returns 0 when nothing is left half-done, or SLUIS_EINVAL when the
 * stream stopped inside a line or an event (a truncated stream).
 */
int gw_sse_finish(const struct gw_sse *f);

#endif
