#include <hiredis/hiredis.h>
#include <poll.h>

// redisContext.errstr is a fixed char array, which Swift imports as a 128-element tuple; hand back a
// C string instead so the Swift side can use String(cString:).
static inline const char *chiredis_errstr(const redisContext *c) { return c->errstr; }

static inline int chiredis_err(const redisContext *c) { return c->err; }

// Durations arrive from Swift as milliseconds; building the timeval here keeps the field types
// (time_t, suseconds_t) out of the Swift code.
static inline struct timeval chiredis_timeval_ms(long long ms) {
    struct timeval tv;
    tv.tv_sec = (time_t)(ms / 1000);
    tv.tv_usec = (suseconds_t)((ms % 1000) * 1000);
    return tv;
}

// An idle pooled connection whose socket is readable has either been closed by the server (EOF) or
// holds bytes nobody asked for; both mean the context must not be reused. Non-blocking (timeout 0).
static inline int chiredis_is_stale(const redisContext *c) {
    if (c->fd < 0) return 1;
    struct pollfd p = { .fd = c->fd, .events = POLLIN, .revents = 0 };
    int n = poll(&p, 1, 0);
    if (n < 0) return 1;
    return n > 0 ? 1 : 0;
}
