/*
 * scan_cls.c - one byte-class table for the parsers and validators: a table load and a
 * mask test instead of chains of range compares (fewer branches, fewer mispredicted ones
 * on PII-dense text).
 */
#include "scan/scan_internal.h"

#define D SCAN_CLS_DIGIT
#define U SCAN_CLS_UPPER
#define L SCAN_CLS_LOWER
#define S (SCAN_CLS_UNDER)
#define H (SCAN_CLS_DASH)
#define P (SCAN_CLS_LOCAL)

/* clang-format off */
const unsigned char scan_cls[256] = {
    /* 0x00 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x10 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* ' ' .. '/': '%' '+' '-' '.' are e-mail local-part bytes, '-' also a dash */
    /* 0x20 */ 0, 0, 0, 0, 0, P, 0, 0, 0, 0, 0, P, 0, H | P, P, 0,
    /* 0x30 */ D, D, D, D, D, D, D, D, D, D, 0, 0, 0, 0, 0, 0,
    /* 0x40 */ 0, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
    /* 0x50 */ U, U, U, U, U, U, U, U, U, U, U, 0, 0, 0, 0, S,
    /* 0x60 */ 0, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L,
    /* 0x70 */ L, L, L, L, L, L, L, L, L, L, L, 0, 0, 0, 0, 0,
};
/* clang-format on */
