/*
 * gw_sscan.h - scanning a streamed (SSE) response with the scanner's streaming API: the delta
 * texts of every event (chat delta content, refusal, tool-call names and arguments; legacy
 * completions' text) are fed in order as one text, so a value split over several events is
 * found. An event is passed on only once the scanner has judged all of its text
 * (scan_stream_stable_offset): until then its framed bytes are held, so a value that is found
 * never reaches the client. A finding the application does not allow (exploration: any
 * finding; classification markings and secrets: always) refuses the rest of the stream: the
 * held events are dropped and the caller ends the stream with an error event.
 * Not thread-safe: one per stream, used by the upstream thread only.
 */
#ifndef SLUIS_GATEWAY_GW_SSCAN_H
#define SLUIS_GATEWAY_GW_SSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "gateway/gw_enforce.h"

#define GW_SSCAN_MAX_HELD (1024 * 1024) /* framed bytes held back at most (then fail closed) */

struct scan_stream;

struct gw_sscan_mark {
    size_t held_end;   /* end of an event's bytes in held */
    uint64_t text_end; /* stream offset just after its text */
};

struct gw_sscan {
    struct scan_stream *st;
    char *held; /* framed events not yet judged */
    size_t held_len, held_cap;
    struct gw_sscan_mark *marks;
    size_t n_marks, cap_marks;
    uint64_t fed; /* text bytes fed */
    long last_index;
};

/* Passes released bytes on (returns 0, or non-zero to stop). */
typedef int (*gw_sscan_emit)(void *ud, const char *bytes, size_t n);

/* Opens the scan of one stream. Returns 0 or SLUIS_ENOMEM / SLUIS_EINTERNAL. */
int gw_sscan_open(struct gw_sscan *s, struct gw_scanner *sc);
/* Frees everything (held bytes are dropped). Safe on a zeroed struct. */
void gw_sscan_free(struct gw_sscan *s);

/*
 * One upstream event: json (len bytes, the event's data) is scanned, framed (flen bytes, what
 * the client is to get) is held, and whatever has been judged clean is emitted. Returns 0, 1
 * when refused (v->code, rule and detectors set; nothing of this or any held event is
 * emitted), or -1 on an internal error, a held-back overflow or an emit failure (fail closed).
 */
int gw_sscan_event(struct gw_sscan *s, struct gw_scanner *sc, struct scan_scratch *scr,
                   const char *json, size_t len, const char *framed, size_t flen,
                   gw_sscan_emit emit, void *ud, struct gw_verdict *v);

/* The end of the stream: judges the rest; emits every held event when clean. Returns as above. */
int gw_sscan_close(struct gw_sscan *s, struct gw_scanner *sc, struct scan_scratch *scr,
                   gw_sscan_emit emit, void *ud, struct gw_verdict *v);

#endif
