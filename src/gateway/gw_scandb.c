/* gw_scandb.c - the scan database compiled in a child process (see gw_scandb.h). */
#include "gateway/gw_scandb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scan/scan.h"

#define BLOB_MAX (256u * 1024 * 1024) /* far above any real database; a sanity cap */

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static int read_all(int fd, void *p, size_t n)
{
    char *c = p;
    while (n) {
        ssize_t r = read(fd, c, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        c += r;
        n -= (size_t)r;
    }
    return 0;
}

/* The child: compile, serialise, send length + blob, exit without running atexit handlers. */
static void child(int fd)
{
    struct scan_db *db = NULL;
    char *blob = NULL;
    size_t len = 0;
    struct sluis_err e = {0};
    int ok = scan_db_new(&db, &e) == 0 && scan_db_serialize(db, &blob, &len, &e) == 0;
    if (ok) {
        uint64_t l = len;
        ok = write_all(fd, &l, sizeof(l)) == 0 && write_all(fd, blob, len) == 0;
    }
    _exit(ok ? 0 : 1);
}

/* Returns 0 and *out when the child delivered a database that loads; -1 otherwise. */
static int from_child(struct scan_db **out)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        child(fds[1]);
    }
    close(fds[1]);
    int rc = -1;
    uint64_t l = 0;
    char *blob = NULL;
    if (read_all(fds[0], &l, sizeof(l)) == 0 && l > 0 && l <= BLOB_MAX &&
        (blob = malloc((size_t)l)) != NULL && read_all(fds[0], blob, (size_t)l) == 0) {
        struct sluis_err e = {0};
        /* checksummed, tied to this build's pattern set: a damaged blob does not load */
        rc = scan_db_deserialize(blob, (size_t)l, out, &e) == 0 ? 0 : -1;
    }
    free(blob);
    close(fds[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return rc;
}

int gw_scandb_compile(struct scan_db **out, struct sluis_err *err)
{
    *out = NULL;
    if (from_child(out) == 0)
        return 0;
    return scan_db_new(out, err);
}
