/*
 * loadgen.c - a small open-loop HTTP/1.1 load generator for the gateway benchmark (bench only,
 * not part of sluis). One thread, epoll, keep-alive connections.
 *
 *   loadgen rate  HOST PORT PATH BODYFILE RATE SECONDS CONNS [HEADER...]
 *       sends RATE requests/s on a fixed schedule (open loop: latency is measured from the
 *       scheduled send time, so queueing counts) and prints JSON with p50/p90/p99/max.
 *   loadgen hold  HOST PORT PATH BODYFILE N SECONDS [HEADER...]
 *       opens N connections, sends one (streaming) request on each, keeps them open and reads
 *       slowly for SECONDS; prints how many got a 200 response head.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
    int fd;
    int busy;
    double sched; /* scheduled send time of the request in flight */
    char *in;
    size_t in_len, in_cap;
    int got_head;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int dial(const char *host, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    inet_pton(AF_INET, host, &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

/* Length of a complete response at the start of buf, 0 when incomplete, -1 when malformed. */
static long complete_len(const char *buf, size_t n, int *status)
{
    const char *he = memmem(buf, n, "\r\n\r\n", 4);
    if (!he)
        return 0;
    size_t hl = (size_t)(he - buf) + 4;
    *status = atoi(buf + 9);
    const char *cl = memmem(buf, hl, "Content-Length:", 15);
    if (!cl)
        cl = memmem(buf, hl, "content-length:", 15);
    if (cl)
        return (long)(hl + strtoul(cl + 15, NULL, 10)) <= (long)n
                   ? (long)(hl + strtoul(cl + 15, NULL, 10))
                   : 0;
    /* chunked */
    size_t p = hl;
    for (;;) {
        const char *le = memmem(buf + p, n - p, "\r\n", 2);
        if (!le)
            return 0;
        unsigned long sz = strtoul(buf + p, NULL, 16);
        p = (size_t)(le - buf) + 2;
        if (sz == 0) {
            if (n - p < 2)
                return 0;
            return (long)(p + 2);
        }
        if (n - p < sz + 2)
            return 0;
        p += sz + 2;
    }
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static char *build_req(const char *host, int port, const char *path, const char *bodyfile,
                       char **hdrs, int nh, size_t *len)
{
    FILE *f = fopen(bodyfile, "rb");
    if (!f)
        return NULL;
    static char body[1 << 20];
    size_t bl = fread(body, 1, sizeof(body), f);
    fclose(f);
    char *req = NULL;
    size_t rl = 0;
    FILE *m = open_memstream(&req, &rl);
    fprintf(m, "POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n", path, host,
            port);
    for (int i = 0; i < nh; i++)
        fprintf(m, "%s\r\n", hdrs[i]);
    fprintf(m, "Content-Length: %zu\r\n\r\n", bl);
    fwrite(body, 1, bl, m);
    fclose(m);
    *len = rl;
    return req;
}

static int run_rate(const char *host, int port, const char *req, size_t rlen, double rate,
                    double secs, int nconn)
{
    int ep = epoll_create1(0);
    struct conn *cs = calloc((size_t)nconn, sizeof(*cs));
    for (int i = 0; i < nconn; i++) {
        cs[i].fd = dial(host, port);
        if (cs[i].fd < 0) {
            fprintf(stderr, "connect failed\n");
            return 1;
        }
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (unsigned)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
    }
    size_t total = (size_t)(rate * secs);
    double *lat = calloc(total + 1, sizeof(double));
    double *oh = calloc(total + 1, sizeof(double)); /* x-sluis-overhead-ms of each response */
    size_t sent = 0, done = 0, errors = 0, non2xx = 0, n_oh = 0;
    double t0 = now_s() + 0.05, end = t0 + secs + 10;
    while (done + errors < total && now_s() < end) {
        double t = now_s();
        while (sent < total && t0 + (double)sent / rate <= t) {
            int k;
            for (k = 0; k < nconn && cs[k].busy; k++)
                ;
            if (k == nconn)
                break; /* all busy: the request waits (its latency counts from its slot) */
            cs[k].busy = 1;
            cs[k].sched = t0 + (double)sent / rate;
            cs[k].in_len = 0;
            if (write(cs[k].fd, req, rlen) != (ssize_t)rlen) {
                errors++;
                cs[k].busy = 0;
            }
            sent++;
        }
        double next = sent < total ? t0 + (double)sent / rate : t + 0.01;
        int to = (int)((next - now_s()) * 1000);
        if (to < 0)
            to = 0;
        struct epoll_event evs[64];
        int n = epoll_wait(ep, evs, 64, to > 10 ? 10 : to);
        for (int i = 0; i < n; i++) {
            struct conn *c = &cs[evs[i].data.u32];
            for (;;) {
                if (c->in_cap - c->in_len < 65536) {
                    c->in_cap = c->in_cap ? c->in_cap * 2 : 131072;
                    c->in = realloc(c->in, c->in_cap);
                }
                ssize_t r = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
                if (r <= 0)
                    break;
                c->in_len += (size_t)r;
            }
            int status = 0;
            long cl = complete_len(c->in, c->in_len, &status);
            if (cl > 0 && c->busy) {
                lat[done++] = (now_s() - c->sched) * 1000.0;
                const char *he = memmem(c->in, (size_t)cl, "\r\n\r\n", 4);
                const char *h = he ? memmem(c->in, (size_t)(he - c->in), "x-sluis-overhead-ms:", 20)
                                   : NULL;
                if (h && n_oh <= total)
                    oh[n_oh++] = strtod(h + 20, NULL);
                if (status < 200 || status > 299)
                    non2xx++;
                memmove(c->in, c->in + cl, c->in_len - (size_t)cl);
                c->in_len -= (size_t)cl;
                c->busy = 0;
            }
        }
    }
    double el = now_s() - t0;
    qsort(lat, done, sizeof(double), cmp_d);
    double sum = 0;
    for (size_t i = 0; i < done; i++)
        sum += lat[i];
#define PCT(p) (done ? lat[(size_t)((double)(done - 1) * (p))] : 0)
    printf("{\"rate\":%.0f,\"sent\":%zu,\"done\":%zu,\"errors\":%zu,\"non2xx\":%zu,"
           "\"achieved_rps\":%.1f,\"mean_ms\":%.4f,\"p50_ms\":%.4f,\"p90_ms\":%.4f,"
           "\"p99_ms\":%.4f,\"max_ms\":%.4f",
           rate, sent, done, errors, non2xx, (double)done / el, done ? sum / (double)done : 0,
           PCT(0.50), PCT(0.90), PCT(0.99), done ? lat[done - 1] : 0);
    if (n_oh) { /* the proxy's own account of its time (sluis: policy, scan, proxying) */
        qsort(oh, n_oh, sizeof(double), cmp_d);
        printf(",\"overhead_n\":%zu,\"overhead_p50_ms\":%.4f,\"overhead_p99_ms\":%.4f", n_oh,
               oh[(size_t)((double)(n_oh - 1) * 0.50)], oh[(size_t)((double)(n_oh - 1) * 0.99)]);
    }
    printf("}\n");
    return 0;
}

static int run_hold(const char *host, int port, const char *req, size_t rlen, int n, double secs)
{
    int ep = epoll_create1(0);
    struct conn *cs = calloc((size_t)n, sizeof(*cs));
    int opened = 0;
    for (int i = 0; i < n; i++) {
        cs[i].fd = dial(host, port);
        if (cs[i].fd < 0)
            continue;
        opened++;
        if (write(cs[i].fd, req, rlen) != (ssize_t)rlen)
            continue;
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (unsigned)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
    }
    double end = now_s() + secs;
    int heads = 0;
    char buf[4096];
    while (now_s() < end) {
        struct epoll_event evs[64];
        int k = epoll_wait(ep, evs, 64, 100);
        for (int i = 0; i < k; i++) {
            struct conn *c = &cs[evs[i].data.u32];
            ssize_t r = read(c->fd, buf, sizeof(buf));
            if (r > 0 && !c->got_head && !strncmp(buf, "HTTP/1.1 200", 12)) {
                c->got_head = 1;
                heads++;
            }
        }
        usleep(2000); /* a slow reader */
    }
    printf("{\"streams\":%d,\"opened\":%d,\"got_200\":%d}\n", n, opened, heads);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 8) {
        fprintf(stderr, "usage: see the comment at the top of loadgen.c\n");
        return 2;
    }
    const char *mode = argv[1], *host = argv[2], *path = argv[4], *bodyfile = argv[5];
    int port = atoi(argv[3]);
    int hold = !strcmp(mode, "hold");
    int first_hdr = hold ? 8 : 9;
    if (argc < first_hdr && !hold)
        return 2;
    size_t rlen = 0;
    char *req = build_req(host, port, path, bodyfile, argv + first_hdr, argc - first_hdr, &rlen);
    if (!req)
        return 2;
    if (hold)
        return run_hold(host, port, req, rlen, atoi(argv[6]), atof(argv[7]));
    return run_rate(host, port, req, rlen, atof(argv[6]), atof(argv[7]), atoi(argv[8]));
}
