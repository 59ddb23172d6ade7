/*
 * scan_check.h - checksum and format validators of the scanner (internal, pure).
 * Exposed for the unit tests; all inputs are byte strings with explicit lengths.
 */
#ifndef SLUIS_SCAN_CHECK_H
#define SLUIS_SCAN_CHECK_H

#include <stddef.h>

/* 11-proef sum (weights 9..2 and -1 on the last digit) of 9 ASCII digits, mod 11 (0..10). */
int scan_check_elfproef(const char *d9);
/* BSN/RSIN: 9 digits, 11-proef sum = 0 (mod 11), not all zeros. Returns 1 if valid. */
int scan_check_bsn(const char *d9);
/* Onderwijsnummer: 9 digits starting "10", 11-proef sum = 5 (mod 11). */
int scan_check_onderwijsnummer(const char *d9);
/* ISO 7064 mod 97-10 of s (digits and letters A-Z = 10..35); returns the remainder or -1. */
int scan_check_mod97(const char *s, size_t n);
/* Registered IBAN length of country c0 c1 (upper case), or 0 for an unknown country. */
int scan_check_iban_length(char c0, char c1);
/* IBAN in compact upper-case form: known country length and mod-97 = 1. */
int scan_check_iban(const char *s, size_t n);
/* NL btw-id in compact upper-case form "NL" 9 digits "B" 2 digits. */
int scan_check_btw(const char *s, size_t n);
/* Calendar date with year in [ymin, ymax]. */
int scan_check_date(int y, int m, int d, int ymin, int ymax);
/* Dutch month name or abbreviation (case-insensitive) to 1..12, or 0. */
int scan_check_month_name(const char *s, size_t n);
/* Licence plate of 6 upper-case characters without hyphens: sidecode 1..14, or 0. */
int scan_check_plate(const char *s6);
/* Boundaries of the 3 groups of sidecode sc (lengths), for hyphen checks. */
void scan_check_plate_groups(int sc, int g[3]);
/* Dutch phone number as national significant number (digits, no trunk 0): 1 if in an
 * issued range (mobile, geographic, VoIP, 084/087/088, 0800/090x, M2M 097). */
int scan_check_phone_nsn(const char *d, size_t n);
/* Postcode "1234AB" (6 bytes, no space): 1 if 1000-9999 and letters not SA/SD/SS. */
int scan_check_postcode(const char *s6);
/* Passport/ID number (9 bytes): 2 letters, 6 letters/digits, a digit; no letter O. */
int scan_check_docnr(const char *s9);

#endif
