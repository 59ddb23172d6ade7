/* fuzz-libs: sluis_api */
/*
 * fuzz_api_csv.c - the CSV reader of the training-record import (api_csv_parse): arbitrary
 * bytes must give rows with the five known columns or a clean error naming the line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"

static int on_row(void *ud, long line, const char *const *fields)
{
    long *rows = ud;
    if (line < 2)
        abort();
    for (int i = 0; i < 5; i++)
        if (!fields[i] || strlen(fields[i]) >= 256)
            abort();
    (*rows)++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    struct sluis_err err;
    sluis_err_clear(&err);
    long rows = 0;
    int rc = api_csv_parse(buf, size, on_row, &rows, &err);
    if (rc && (!err.msg[0] || err.code == 0))
        abort();
    if (rows > API_CSV_MAX_ROWS)
        abort();
    free(buf);
    return 0;
}
