/* scan_check.c - checksum and format validators (11-proef, mod-97, calendar, sidecodes, ranges). */
#include "scan/scan_check.h"

#include <stdint.h>
#include <string.h>

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return 0;
    return 1;
}

int scan_check_elfproef(const char *d9)
{
    int sum = 0;

    for (int i = 0; i < 8; i++)
        sum += (9 - i) * (d9[i] - '0');
    sum -= d9[8] - '0';
    return ((sum % 11) + 11) % 11;
}

int scan_check_bsn(const char *d9)
{
    if (!all_digits(d9, 9) || !memcmp(d9, "000000000", 9))
        return 0;
    return scan_check_elfproef(d9) == 0;
}

int scan_check_onderwijsnummer(const char *d9)
{
    if (!all_digits(d9, 9) || d9[0] != '1' || d9[1] != '0')
        return 0;
    return scan_check_elfproef(d9) == 5;
}

int scan_check_mod97(const char *s, size_t n)
{
    uint64_t r = 0;
    unsigned k = 0; /* digits taken in since the last reduction */

    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (is_digit(c)) {
            r = r * 10 + (unsigned)(c - '0');
            k += 1;
        } else if (is_upper(c)) {
            r = r * 100 + (unsigned)(c - 'A') + 10;
            k += 2;
        } else {
            return -1;
        }
        if (k >= 15) { /* r < 98 * 10^16 < 2^64 here: reduce before it could overflow */
            r %= 97;
            k = 0;
        }
    }
    return (int)(r % 97);
}

/* Registered IBAN lengths per country (ISO 13616 registry). */
static const struct {
    char cc[3];
    unsigned char len;
} iban_len[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22},
    {"BH", 22}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24}, {"DE", 22},
    {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18}, {"FO", 18}, {"FR", 27},
    {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27}, {"GT", 28}, {"HR", 21}, {"HU", 28},
    {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27}, {"JO", 30}, {"KW", 30}, {"KZ", 20},
    {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21}, {"MC", 27}, {"MD", 24},
    {"ME", 22}, {"MK", 19}, {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NL", 18}, {"NO", 15}, {"PK", 24},
    {"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"SA", 24}, {"SC", 31},
    {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"ST", 25}, {"SV", 28}, {"TL", 23}, {"TN", 24},
    {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20},
};

int scan_check_iban_length(char c0, char c1)
{
    if (c0 == 'N' && c1 == 'L') /* most IBANs in Dutch text */
        return 18;
    for (size_t i = 0; i < sizeof(iban_len) / sizeof(iban_len[0]); i++)
        if (iban_len[i].cc[0] == c0 && iban_len[i].cc[1] == c1)
            return iban_len[i].len;
    return 0;
}

int scan_check_iban(const char *s, size_t n)
{
    char buf[40];

    if (n < 15 || n > 34 || !is_upper(s[0]) || !is_upper(s[1]) || !is_digit(s[2]) ||
        !is_digit(s[3]))
        return 0;
    if ((size_t)scan_check_iban_length(s[0], s[1]) != n)
        return 0;
    if (s[0] == 'N' && s[1] == 'L' &&
        (!is_upper(s[4]) || !is_upper(s[5]) || !is_upper(s[6]) || !is_upper(s[7]) ||
         !all_digits(s + 8, 10)))
        return 0;
    memcpy(buf, s + 4, n - 4);
    memcpy(buf + n - 4, s, 4);
    return scan_check_mod97(buf, n) == 1;
}

int scan_check_btw(const char *s, size_t n)
{
    if (n != 14 || s[0] != 'N' || s[1] != 'L' || !all_digits(s + 2, 9) || s[11] != 'B' ||
        !all_digits(s + 12, 2))
        return 0;
    if (s[12] == '0' && s[13] == '0')
        return 0;
    if (scan_check_bsn(s + 2))
        return 1;
    return scan_check_mod97(s, n) == 1;
}

int scan_check_date(int y, int m, int d, int ymin, int ymax)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    if (y < ymin || y > ymax || m < 1 || m > 12 || d < 1)
        return 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

int scan_check_month_name(const char *s, size_t n)
{
    static const char *const names[] = {
        "januari", "1",  "jan",       "1",  "februari", "2",  "feb",      "2",  "maart",    "3",
        "mrt",     "3",  "mar",       "3",  "april",    "4",  "apr",      "4",  "mei",      "5",
        "juni",    "6",  "jun",       "6",  "juli",     "7",  "jul",      "7",  "augustus", "8",
        "aug",     "8",  "september", "9",  "sep",      "9",  "sept",     "9",  "oktober",  "10",
        "okt",     "10", "november",  "11", "nov",      "11", "december", "12", "dec",      "12",
    };
    char low[16];

    if (n == 0 || n >= sizeof(low))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        low[i] = (char)(is_upper(c) ? c - 'A' + 'a' : c);
    }
    low[n] = 0;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i += 2)
        if (!strcmp(low, names[i])) {
            int v = 0;
            for (const char *p = names[i + 1]; *p; p++)
                v = v * 10 + (*p - '0');
            return v;
        }
    return 0;
}

/* Group lengths per sidecode (their shapes: by_shape in scan_check_plate). */
static const struct {
    int g[3];
} sidecodes[15] = {
    {{0, 0, 0}}, {{2, 2, 2}}, {{2, 2, 2}}, {{2, 2, 2}}, {{2, 2, 2}},
    {{2, 2, 2}}, {{2, 2, 2}}, {{2, 3, 1}}, {{1, 3, 2}}, {{2, 3, 1}},
    {{1, 3, 2}}, {{3, 2, 1}}, {{1, 2, 3}}, {{1, 2, 3}}, {{3, 2, 1}},
};

void scan_check_plate_groups(int sc, int g[3])
{
    if (sc < 1 || sc > 14) {
        g[0] = g[1] = g[2] = 0;
        return;
    }
    memcpy(g, sidecodes[sc].g, sizeof(sidecodes[sc].g));
}

static int plate_letter_ok(char c, int sc)
{
    /* from sidecode 4 on only these letters: B D F G H J K L M N P R S T V W X Z */
    static const uint32_t consonants = 0x2EEBEEAu;

    if (!is_upper(c))
        return 0;
    if (sc >= 4)
        return (consonants >> (c - 'A')) & 1;
    return c != 'C' && c != 'Q'; /* sidecodes 1-3 */
}

static int plate_banned(const char *grp, size_t n)
{
    static const char banned2[][3] = {"SS", "SD", "SA", "SP"};
    static const char banned3[][4] = {"GVD", "KKK", "NSB", "PKK", "PSV", "TBS",
                                      "LPF", "PVV", "SGP", "VVD", "KVT"};

    if (n == 2) {
        for (size_t i = 0; i < sizeof(banned2) / sizeof(banned2[0]); i++)
            if (!memcmp(banned2[i], grp, 2))
                return 1;
    } else if (n == 3) {
        for (size_t i = 0; i < sizeof(banned3) / sizeof(banned3[0]); i++)
            if (!memcmp(banned3[i], grp, 3))
                return 1;
    }
    return 0;
}

int scan_check_plate(const char *s6)
{
    unsigned bits = 0; /* bit i: s6[i] is a letter */
    int sc;

    for (int i = 0; i < 6; i++) {
        if (is_upper(s6[i]))
            bits |= 1u << i;
        else if (!is_digit(s6[i]))
            return 0;
    }
    /* sidecode by shape (bit i: a letter at i; L = letter, D = digit) */
    static const unsigned char by_shape[64] = {
        [3] = 1,   /* LLDDDD */
        [48] = 2,  /* DDDDLL */
        [12] = 3,  /* DDLLDD */
        [51] = 4,  /* LLDDLL */
        [15] = 5,  /* LLLLDD */
        [60] = 6,  /* DDLLLL */
        [28] = 7,  /* DDLLLD */
        [14] = 8,  /* DLLLDD */
        [35] = 9,  /* LLDDDL */
        [49] = 10, /* LDDDLL */
        [39] = 11, /* LLLDDL */
        [57] = 12, /* LDDLLL */
        [6] = 13,  /* DLLDDD */
        [24] = 14, /* DDDLLD */
    };
    sc = by_shape[bits];
    if (!sc)
        return 0;
    int pos = 0, ok = 1;
    for (int gi = 0; gi < 3 && ok; gi++) {
        int len = sidecodes[sc].g[gi];
        if (bits & (1u << pos)) {
            for (int k = 0; k < len; k++)
                ok &= plate_letter_ok(s6[pos + k], sc);
            if (ok && plate_banned(s6 + pos, (size_t)len))
                ok = 0;
        }
        pos += len;
    }
    return ok ? sc : 0;
}

/* Geographic area codes without trunk 0 (2 and 3 digits). */
static const char *const area2[] = {"10", "13", "15", "20", "23", "24", "26", "30", "33", "35",
                                    "36", "38", "40", "43", "45", "46", "50", "53", "55", "58",
                                    "70", "71", "72", "73", "74", "75", "76", "77", "78", "79"};
static const char *const area3[] = {
    "111", "113", "114", "115", "117", "118", "161", "162", "164", "165", "166", "167", "168",
    "172", "174", "180", "181", "182", "183", "184", "186", "187", "222", "223", "224", "226",
    "227", "228", "229", "251", "252", "255", "294", "297", "299", "313", "314", "315", "316",
    "317", "318", "320", "321", "341", "342", "343", "344", "345", "346", "347", "348", "411",
    "412", "413", "416", "418", "475", "478", "481", "485", "486", "487", "488", "492", "493",
    "495", "497", "499", "511", "512", "513", "514", "515", "516", "517", "518", "519", "521",
    "522", "523", "524", "525", "527", "528", "529", "541", "543", "544", "545", "546", "547",
    "548", "561", "562", "566", "570", "571", "572", "573", "575", "577", "578", "591", "592",
    "593", "594", "595", "596", "597", "598", "599"};

int scan_check_phone_nsn(const char *d, size_t n)
{
    if (!all_digits(d, n) || n < 7 || n > 11)
        return 0;
    if (n == 9) {
        if (d[0] == '6')
            return d[1] >= '1' && d[1] <= '8' && d[1] != '6' && d[1] != '7';
        if (d[0] == '8')
            return d[1] == '5' || d[1] == '4' || d[1] == '7' || d[1] == '8';
        if (d[0] == '9')
            return d[1] == '1';
        for (size_t i = 0; i < sizeof(area2) / sizeof(area2[0]); i++)
            if (!memcmp(d, area2[i], 2))
                return 1;
        for (size_t i = 0; i < sizeof(area3) / sizeof(area3[0]); i++)
            if (!memcmp(d, area3[i], 3))
                return 1;
        return 0;
    }
    if (n == 11)
        return !memcmp(d, "970", 3);
    /* 0800 / 0900 / 0906 / 0909 with 4-7 subscriber digits */
    if (!memcmp(d, "800", 3) || !memcmp(d, "900", 3) || !memcmp(d, "906", 3) ||
        !memcmp(d, "909", 3))
        return n - 3 >= 4 && n - 3 <= 7;
    return 0;
}

int scan_check_postcode(const char *s6)
{
    if (s6[0] < '1' || s6[0] > '9' || !all_digits(s6, 4) || !is_upper(s6[4]) || !is_upper(s6[5]))
        return 0;
    if (s6[4] == 'S' && (s6[5] == 'A' || s6[5] == 'D' || s6[5] == 'S'))
        return 0;
    return 1;
}

int scan_check_docnr(const char *s9)
{
    if (!is_upper(s9[0]) || !is_upper(s9[1]) || !is_digit(s9[8]))
        return 0;
    for (int i = 0; i < 9; i++) {
        if (s9[i] == 'O')
            return 0;
        if (!is_upper(s9[i]) && !is_digit(s9[i]))
            return 0;
    }
    return 1;
}
