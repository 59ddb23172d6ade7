/*
 * test_scan.c - unit tests of the scanner: per detector valid, invalid checksum,
 * written forms, context present/absent and boundaries; streaming equals block
 * for every split point; masking, redaction and the checksum helpers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scan/scan.h"
#include "scan/scan_check.h"
#include "scan/scan_internal.h"

static struct scan_db *db;
static struct scan_scratch *sc;

static int setup(void **state)
{
    struct sluis_err err = {0};
    (void)state;
    if (scan_db_new(&db, &err))
        return -1;
    return scan_scratch_new(db, &sc);
}

static int teardown(void **state)
{
    (void)state;
    scan_scratch_free(sc);
    scan_db_free(db);
    return 0;
}

static void scan_text(const char *text, float min_conf, struct scan_result *r)
{
    struct sluis_err err = {0};
    memset(r, 0, sizeof(*r));
    assert_int_equal(scan_block(db, sc, text, strlen(text), min_conf, r, &err), 0);
}

/* The finding of detector det covering exactly `value` inside text, or NULL. */
static const struct scan_finding *find(const struct scan_result *r, const char *text, int det,
                                       const char *value)
{
    const char *at = strstr(text, value);
    if (!at)
        return NULL;
    for (size_t i = 0; i < r->n; i++)
        if (r->findings[i].detector == det && r->findings[i].offset == (uint64_t)(at - text) &&
            r->findings[i].length == strlen(value))
            return &r->findings[i];
    return NULL;
}

/* Asserts that text yields exactly value as det (at the default threshold). */
static void expect(const char *text, int det, const char *value)
{
    struct scan_result r;
    scan_text(text, SCAN_MIN_CONFIDENCE_DEFAULT, &r);
    if (!find(&r, text, det, value)) {
        for (size_t i = 0; i < r.n; i++)
            print_message("  got %s at %llu+%u (%.2f)\n", r.findings[i].detector_name,
                          (unsigned long long)r.findings[i].offset, r.findings[i].length,
                          (double)r.findings[i].confidence);
        fail_msg("expected %s '%s' in: %s", scan_detector_name(det), value, text);
    }
    scan_result_free(&r);
}

/* Asserts that text yields no finding of det (or of anything when det < 0). */
static void expect_none(const char *text, int det)
{
    struct scan_result r;
    scan_text(text, SCAN_MIN_CONFIDENCE_DEFAULT, &r);
    for (size_t i = 0; i < r.n; i++)
        if (det < 0 || r.findings[i].detector == det)
            fail_msg("unexpected %s at %llu in: %s", r.findings[i].detector_name,
                     (unsigned long long)r.findings[i].offset, text);
    scan_result_free(&r);
}

static void test_checks(void **state)
{
    (void)state;
    assert_true(scan_check_bsn("111222333"));
    assert_true(scan_check_bsn("626018158"));
    assert_false(scan_check_bsn("111222334"));
    assert_false(scan_check_bsn("000000000"));
    assert_true(scan_check_onderwijsnummer("104646270"));
    assert_false(scan_check_onderwijsnummer("626018158"));
    assert_true(scan_check_iban("NL91ABNA0417164300", 18));
    assert_false(scan_check_iban("NL92ABNA0417164300", 18));
    assert_true(scan_check_iban("DE89370400440532013000", 22));
    assert_true(scan_check_iban("GB82WEST12345698765432", 22));
    assert_false(scan_check_iban("DE8937040044053201300", 21)); /* wrong length */
    assert_true(scan_check_btw("NL051494312B96", 14));          /* 11-proef style */
    assert_true(scan_check_btw("NL566125009B06", 14));          /* mod 97 style */
    assert_false(scan_check_btw("NL051494312B00", 14));
    assert_false(scan_check_btw("NL051494313B96", 14));
    assert_true(scan_check_date(2024, 2, 29, 1900, 2100));
    assert_false(scan_check_date(2023, 2, 29, 1900, 2100));
    assert_false(scan_check_date(1900, 2, 29, 1900, 2100));
    assert_true(scan_check_date(2000, 2, 29, 1900, 2100));
    assert_false(scan_check_date(1985, 4, 31, 1900, 2100));
    assert_false(scan_check_date(1850, 1, 1, 1900, 2100));
    assert_int_equal(scan_check_month_name("mrt", 3), 3);
    assert_int_equal(scan_check_month_name("Oktober", 7), 10);
    assert_int_equal(scan_check_month_name("maa", 3), 0);
    assert_int_equal(scan_check_plate("GB123X"), 9);
    assert_int_equal(scan_check_plate("12ABC3"), 0); /* vowel and C after sidecode 3 */
    assert_int_equal(scan_check_plate("SS12TT"), 0); /* banned group */
    assert_int_equal(scan_check_plate("1KBB12"), 8);
    /* mod 97 over long strings (reduced in chunks): values computed in Python */
    assert_int_equal(scan_check_mod97("ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ", 34), 63);
    assert_int_equal(scan_check_mod97("9999999999999999999999999999999999999999", 40), 90);
    assert_int_equal(scan_check_mod97("A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1", 34), 76);
    assert_int_equal(scan_check_mod97("GB82WEST12345698765432", 22), 85);
    assert_int_equal(scan_check_mod97("NL91-ABNA", 9), -1);
    { /* every sidecode by its shape (letters from B D F G H J, digits 1) */
        static const char *const shapes[] = {"LLDDDD", "DDDDLL", "DDLLDD", "LLDDLL", "LLLLDD",
                                             "DDLLLL", "DDLLLD", "DLLLDD", "LLDDDL", "LDDDLL",
                                             "LLLDDL", "LDDLLL", "DLLDDD", "DDDLLD"};
        for (int k = 0; k < 14; k++) {
            char p6[7];
            for (int i = 0; i < 6; i++)
                p6[i] = shapes[k][i] == 'L' ? "BDFGHJ"[i] : '1';
            p6[6] = 0;
            assert_int_equal(scan_check_plate(p6), k + 1);
        }
    }
    assert_true(scan_check_phone_nsn("612345678", 9));
    assert_false(scan_check_phone_nsn("671234567", 9)); /* 067 is not issued */
    assert_true(scan_check_phone_nsn("201234567", 9));
    assert_true(scan_check_phone_nsn("8001234", 7));
    assert_true(scan_check_phone_nsn("97012345678", 11));
    assert_true(scan_check_postcode("1234AB"));
    assert_false(scan_check_postcode("1234SS"));
    assert_false(scan_check_postcode("0234AB"));
    assert_true(scan_check_docnr("NXR12K4L8"));
    assert_false(scan_check_docnr("NOR12K4L8"));
    assert_int_equal(scan_ctx_table_check(), 0);
}

static void test_bsn(void **state)
{
    (void)state;
    expect("Het BSN van mevrouw is 111222333.", SCAN_DET_BSN, "111222333");
    expect("burgerservicenummer: 1112.22.333", SCAN_DET_BSN, "1112.22.333");
    expect("sofinummer 111 222 333 bekend", SCAN_DET_BSN, "111 222 333");
    expect("BSN 1112 22 333", SCAN_DET_BSN, "1112 22 333");
    expect("Controleer 626018158 in het dossier.", SCAN_DET_BSN, "626018158"); /* no ctx */
    expect("BSN: 12345672", SCAN_DET_BSN, "12345672");  /* 8 digits, leading 0 dropped */
    expect_none("Het BSN is 111222334.", SCAN_DET_BSN); /* checksum */
    expect_none("Factuurnummer 626018158 is betaald.", SCAN_DET_BSN); /* negative ctx */
    expect_none("nummer 1111222333 en 11122233", SCAN_DET_BSN);       /* longer/shorter */
    expect_none("code A111222333 of 111222333B", SCAN_DET_BSN);       /* inside a word */
    expect_none("bedrag 12.111222333 euro", SCAN_DET_BSN);            /* inside a number */
    expect_none("BSN 1112.22 333", SCAN_DET_BSN);                     /* mixed separators */
    expect_none("Het getal 12345672 staat los.", -1);                 /* 8 digits, no ctx */
}

static void test_rsin_onderwijs(void **state)
{
    (void)state;
    expect("Het RSIN van de stichting is 626018158.", SCAN_DET_RSIN, "626018158");
    expect("fiscaal nummer 626018158", SCAN_DET_RSIN, "626018158");
    expect("Onderwijsnummer leerling: 104646270.", SCAN_DET_ONDERWIJSNUMMER, "104646270");
    expect_none("Onderwijsnummer leerling: 104646271.", SCAN_DET_ONDERWIJSNUMMER);
}

static void test_btw_iban(void **state)
{
    (void)state;
    expect("Btw-nummer: NL051494312B96.", SCAN_DET_BTW, "NL051494312B96");
    expect("btw NL566125009B06", SCAN_DET_BTW, "NL566125009B06");
    expect("VAT NL 051494312 B96", SCAN_DET_BTW, "NL 051494312 B96");
    expect_none("btw NL051494313B96", SCAN_DET_BTW);
    expect_none("btw NL051494312B00", SCAN_DET_BTW);
    expect("IBAN NL91ABNA0417164300 t.n.v.", SCAN_DET_IBAN, "NL91ABNA0417164300");
    expect("IBAN NL91 ABNA 0417 1643 00.", SCAN_DET_IBAN, "NL91 ABNA 0417 1643 00");
    expect("rekening nl91abna0417164300", SCAN_DET_IBAN, "nl91abna0417164300"); /* caseless */
    expect("Refund DE89 3704 0044 0532 0130 00 please", SCAN_DET_IBAN,
           "DE89 3704 0044 0532 0130 00");
    expect("GB82WEST12345698765432", SCAN_DET_IBAN, "GB82WEST12345698765432");
    expect_none("IBAN NL92ABNA0417164300", SCAN_DET_IBAN);
    expect_none("IBAN NL91 ABNA 0417 164 300", SCAN_DET_IBAN);
    expect_none("XNL91ABNA0417164300", SCAN_DET_IBAN);
}

static void test_phone_email(void **state)
{
    (void)state;
    expect("Bel 06-12345678.", SCAN_DET_PHONE, "06-12345678");
    expect("Bel 06 1234 5678 na vijven", SCAN_DET_PHONE, "06 1234 5678");
    expect("mobiel +31 6 1234 5678", SCAN_DET_PHONE, "+31 6 1234 5678");
    expect("tel +31 (0)6 12345678", SCAN_DET_PHONE, "+31 (0)6 12345678");
    expect("0031 6 12345678", SCAN_DET_PHONE, "0031 6 12345678");
    expect("kantoor 020-1234567", SCAN_DET_PHONE, "020-1234567");
    expect("kantoor 0111-123456", SCAN_DET_PHONE, "0111-123456");
    expect("gratis 0800-1234", SCAN_DET_PHONE, "0800-1234");
    expect_none("Bel 06-71234567", SCAN_DET_PHONE); /* 067 not issued */
    expect_none("code 106-12345678", SCAN_DET_PHONE);
    expect_none("nummer 06-123456789", SCAN_DET_PHONE);
    expect_none("datum 01-02-1985", SCAN_DET_PHONE);
    expect("Mail j.devries@example.nl.", SCAN_DET_EMAIL, "j.devries@example.nl");
    expect("naar info+post@gemeente.amsterdam.nl!", SCAN_DET_EMAIL,
           "info+post@gemeente.amsterdam.nl");
    expect_none("Mail j..devries@example.nl", SCAN_DET_EMAIL);
    expect_none("zie @example.nl of a@b.c", SCAN_DET_EMAIL);
}

static void test_postcode_dob(void **state)
{
    (void)state;
    expect("Kerkstraat 12, 1234 AB Amsterdam", SCAN_DET_POSTCODE, "1234 AB");
    expect("Molenweg 221a, 4498GS Almere", SCAN_DET_POSTCODE, "4498GS");
    expect("postcode 1234 AB", SCAN_DET_POSTCODE, "1234 AB");
    expect_none("Kerkstraat 12, 1234 SA Amsterdam", SCAN_DET_POSTCODE);
    expect_none("in 1234 AB stond", SCAN_DET_POSTCODE); /* no address context */
    expect("Geboren op 12 maart 1985.", SCAN_DET_DOB, "12 maart 1985");
    expect("geb. 1-2-1980 te Utrecht", SCAN_DET_DOB, "1-2-1980");
    expect("Geboortedatum: 29-02-1984", SCAN_DET_DOB, "29-02-1984");
    expect("date of birth 1984-02-29", SCAN_DET_DOB, "1984-02-29");
    expect("geboren 3 mrt. 1990", SCAN_DET_DOB, "3 mrt. 1990");
    expect_none("Geboortedatum: 29-02-1985", SCAN_DET_DOB);        /* not a leap year */
    expect_none("De vergadering is op 12-03-2024.", SCAN_DET_DOB); /* no birth context */
    expect_none("Geboren in Utrecht. De vergadering is op 12-03-2024.", SCAN_DET_DOB);
}

static void test_context_only(void **state)
{
    (void)state;
    expect("KvK-nummer 12345678.", SCAN_DET_KVK, "12345678");
    expect("Kamer van Koophandel onder nummer 12345678", SCAN_DET_KVK, "12345678");
    expect_none("Het aantal bezoekers was 12345678.", -1);
    expect("vestigingsnummer 000012345678", SCAN_DET_VESTIGING, "000012345678");
    expect_none("nummer 000012345678", -1);
    expect("Rijbewijsnummer 1234567890", SCAN_DET_RIJBEWIJS, "1234567890");
    expect_none("klantnummer 1234567890", SCAN_DET_RIJBEWIJS);
    expect("BIG-nummer 12345678901", SCAN_DET_BIG, "12345678901");
    expect_none("ordernummer 12345678901", -1);
    expect("De auto met kenteken GB-123-X stond", SCAN_DET_KENTEKEN, "GB-123-X");
    expect("kenteken 1KBB12", SCAN_DET_KENTEKEN, "1KBB12");
    expect("kenteken 99-XX-99 nee: 12-BD-34", SCAN_DET_KENTEKEN, "12-BD-34");
    expect_none("Bestel onderdeel GB-123-X via de webshop.", -1);
    expect_none("kenteken GB1-23-X", SCAN_DET_KENTEKEN); /* hyphens not at sidecode groups */
    expect_none("kenteken SS-12-TT", SCAN_DET_KENTEKEN); /* banned combination */
    expect("Paspoortnummer: NXR12K4L8.", SCAN_DET_PASPOORT, "NXR12K4L8");
    expect_none("Paspoortnummer: NOR12K4L8.", SCAN_DET_PASPOORT);
    expect_none("Artikel NXR12K4L8 is uitverkocht.", -1);
}

static void test_classification_secrets(void **state)
{
    (void)state;
    expect("Stg. Geheim - niet verspreiden", SCAN_DET_CLASSIFICATION, "Stg. Geheim");
    expect("STG ZEER GEHEIM", SCAN_DET_CLASSIFICATION, "STG ZEER GEHEIM");
    expect("Departementaal Vertrouwelijk", SCAN_DET_CLASSIFICATION, "Departementaal Vertrouwelijk");
    expect("kopie Dep.V. 3", SCAN_DET_CLASSIFICATION, "Dep.V.");
    expect("TR\xc3\x88S SECRET UE", SCAN_DET_CLASSIFICATION, "TR\xc3\x88S SECRET UE");
    expect("NATO CONFIDENTIAL", SCAN_DET_CLASSIFICATION, "NATO CONFIDENTIAL");
    expect("COSMIC TOP SECRET", SCAN_DET_CLASSIFICATION, "COSMIC TOP SECRET");
    expect_none("Het is geen geheim dat de NATO vergadert.", -1);
    expect("wachtwoord: Welkom123!", SCAN_DET_PASSWORD, "Welkom123!");
    expect("password=\"s3cr3t pass\"", SCAN_DET_PASSWORD, "s3cr3t pass");
    expect_none("wachtwoord: ********", SCAN_DET_PASSWORD);
    expect_none("Het wachtwoord moet lang zijn.", -1);
    expect("key sk-proj-abc123DEF456ghi789JKL012mno done", SCAN_DET_API_KEY,
           "sk-proj-abc123DEF456ghi789JKL012mno");
    expect("AKIAIOSFODNN7EXAMPLE", SCAN_DET_API_KEY, "AKIAIOSFODNN7EXAMPLE");
    expect("ghp_abcdefghijklmnopqrstuvwxyz0123456789", SCAN_DET_API_KEY,
           "ghp_abcdefghijklmnopqrstuvwxyz0123456789");
    expect_none("task-sk-short", SCAN_DET_API_KEY);
    expect("x -----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY----- y",
           SCAN_DET_PRIVATE_KEY,
           "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----");
}

static void test_preview_mask(void **state)
{
    struct scan_result r;
    const char *text = "BSN 111222333, IBAN NL91ABNA0417164300, wachtwoord: Geheim123x";
    (void)state;
    scan_text(text, SCAN_MIN_CONFIDENCE_DEFAULT, &r);
    assert_int_equal(r.n, 3);
    for (size_t i = 0; i < r.n; i++) {
        const struct scan_finding *f = &r.findings[i];
        size_t shown = 0, alnum = 0;
        const char *v = text + f->offset;
        assert_null(strstr(f->preview, "111222333"));
        for (size_t k = 0; f->preview[k]; k++)
            shown += f->preview[k] != '*' && ((f->preview[k] >= '0' && f->preview[k] <= '9') ||
                                              (f->preview[k] >= 'A' && f->preview[k] <= 'Z'));
        for (size_t k = 0; k < f->length; k++)
            alnum += (v[k] >= '0' && v[k] <= '9') || (v[k] >= 'A' && v[k] <= 'Z') ||
                     (v[k] >= 'a' && v[k] <= 'z');
        if (f->detector == SCAN_DET_PASSWORD)
            assert_string_equal(f->preview, "(password)");
        else
            assert_true(shown * 3 <= alnum);
    }
    assert_string_equal(r.findings[0].preview, "11******3");
    scan_result_free(&r);
}

static void test_redact(void **state)
{
    struct scan_result r;
    const char *text = "BSN 111222333 en IBAN NL91ABNA0417164300.";
    char *out;
    size_t n;
    (void)state;
    scan_text(text, SCAN_MIN_CONFIDENCE_DEFAULT, &r);
    assert_int_equal(scan_redact(text, strlen(text), &r, &out, &n), 0);
    assert_string_equal(out, "BSN [BSN] en IBAN [IBAN].");
    assert_int_equal(n, strlen(out));
    free(out);
    scan_result_free(&r);
}

static const char *mixed =
    "Aanvraag van Jan de Vries, BSN 111222333, IBAN NL91 ABNA 0417 1643 00, tel. 06-12345678, "
    "e-mail j.devries@example.nl. Adres: Kerkstraat 12, 1234 AB Amsterdam. Geboren op 12 "
    "maart 1985. KvK 12345678. Kenteken GB-123-X. Stg. Geheim. wachtwoord: Welkom123! "
    "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7\n"
    "-----END PRIVATE KEY----- einde.";

static void assert_same(const struct scan_result *a, const struct scan_result *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        assert_int_equal(a->findings[i].detector, b->findings[i].detector);
        assert_int_equal(a->findings[i].offset, b->findings[i].offset);
        assert_int_equal(a->findings[i].length, b->findings[i].length);
    }
}

/* Streaming finds the same as block mode wherever the text is split, chunk by chunk. */
static void test_stream_every_split(void **state)
{
    struct scan_result block, st;
    struct sluis_err err = {0};
    size_t len = strlen(mixed);
    (void)state;
    scan_text(mixed, SCAN_MIN_CONFIDENCE_DEFAULT, &block);
    assert_int_equal(block.n, 11);
    for (size_t split = 0; split <= len; split++) {
        struct scan_stream *s;
        memset(&st, 0, sizeof(st));
        assert_int_equal(scan_stream_open(db, &s, &err), 0);
        assert_int_equal(
            scan_stream_feed(s, sc, mixed, split, SCAN_MIN_CONFIDENCE_DEFAULT, &st, &err), 0);
        assert_int_equal(scan_stream_feed(s, sc, mixed + split, len - split,
                                          SCAN_MIN_CONFIDENCE_DEFAULT, &st, &err),
                         0);
        assert_int_equal(scan_stream_close(s, sc, SCAN_MIN_CONFIDENCE_DEFAULT, &st, &err), 0);
        assert_same(&block, &st);
        scan_result_free(&st);
    }
    /* byte by byte, like a slow SSE stream; findings before the stable offset are final */
    {
        struct scan_stream *s;
        memset(&st, 0, sizeof(st));
        assert_int_equal(scan_stream_open(db, &s, &err), 0);
        for (size_t i = 0; i < len; i++) {
            assert_int_equal(
                scan_stream_feed(s, sc, mixed + i, 1, SCAN_MIN_CONFIDENCE_DEFAULT, &st, &err), 0);
            uint64_t stable = scan_stream_stable_offset(s);
            for (size_t k = 0; k < block.n; k++)
                if (block.findings[k].offset < stable)
                    assert_true(k < st.n);
        }
        assert_int_equal(scan_stream_close(s, sc, SCAN_MIN_CONFIDENCE_DEFAULT, &st, &err), 0);
        assert_same(&block, &st);
        scan_result_free(&st);
    }
    scan_result_free(&block);
}

/*
 * A waiting candidate holds back every candidate that reaches past its start, which may
 * hold back more: a chain of e-mail addresses (each held 400 bytes back) behind an API key
 * (whose validator reads 224 bytes on) once held the key but judged the phone number after
 * it, so the key was lost in stream mode (the chain was followed for 8 steps only).
 */
static void test_stream_hold_chain(void **state)
{
    static char text[8192];
    struct sluis_err err = {0};
    (void)state;
    for (size_t lead = 600; lead <= 900; lead += 50) {
        size_t len;
        memset(text, 'x', lead);
        memcpy(text, "Intro. ", 7);
        len = lead;
        len +=
            (size_t)snprintf(text + len, sizeof(text) - len, "%s",
                             "\nkey ghp_gK8cDXaZwA2Q7K8i95xrFXxuBsgAk9rhw09Q\nTel 0612345678.\n");
        for (int i = 0; len < 6000; i++)
            len += (size_t)snprintf(text + len, sizeof(text) - len, "mail a%d@example.nl\n", i);
        struct scan_result block, st;
        scan_text(text, 0.0f, &block);
        assert_non_null(
            find(&block, text, SCAN_DET_API_KEY, "ghp_gK8cDXaZwA2Q7K8i95xrFXxuBsgAk9rhw09Q"));
        for (size_t split = 4000; split <= 5600; split += 100) {
            struct scan_stream *s;
            memset(&st, 0, sizeof(st));
            assert_int_equal(scan_stream_open(db, &s, &err), 0);
            assert_int_equal(scan_stream_feed(s, sc, text, split, 0.0f, &st, &err), 0);
            assert_int_equal(scan_stream_feed(s, sc, text + split, len - split, 0.0f, &st, &err),
                             0);
            assert_int_equal(scan_stream_close(s, sc, 0.0f, &st, &err), 0);
            assert_same(&block, &st);
            scan_result_free(&st);
        }
        scan_result_free(&block);
    }
}

/* Offsets in a long stream are stream offsets; memory stays bounded (no growth with length). */
static void test_stream_offsets(void **state)
{
    struct scan_result st;
    struct sluis_err err = {0};
    struct scan_stream *s;
    char chunk[4096];
    (void)state;
    memset(chunk, 'a', sizeof(chunk));
    memcpy(chunk + 4090, "BSN 11", 6);
    memset(&st, 0, sizeof(st));
    assert_int_equal(scan_stream_open(db, &s, &err), 0);
    for (int i = 0; i < 300; i++)
        assert_int_equal(scan_stream_feed(s, sc, chunk, i == 299 ? 4096 : 4089,
                                          SCAN_MIN_CONFIDENCE_DEFAULT, &st, &err),
                         0);
    assert_int_equal(
        scan_stream_feed(s, sc, "1222333 end", 11, SCAN_MIN_CONFIDENCE_DEFAULT, &st, &err), 0);
    assert_int_equal(scan_stream_close(s, sc, SCAN_MIN_CONFIDENCE_DEFAULT, &st, &err), 0);
    assert_int_equal(st.n, 1);
    assert_int_equal(st.findings[0].detector, SCAN_DET_BSN);
    assert_int_equal(st.findings[0].offset, 299ull * 4089 + 4094);
    scan_result_free(&st);
}

static void test_limits_and_junk(void **state)
{
    struct scan_result r;
    struct sluis_err err = {0};
    char junk[3000];
    (void)state;
    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (char)((i * 131 + 7) & 0xff);
    memset(&r, 0, sizeof(r));
    assert_int_equal(scan_block(db, sc, junk, sizeof(junk), 0.0f, &r, &err), 0);
    scan_result_free(&r);
    /* NUL bytes and invalid UTF-8 act as separators */
    const char nul[] = "BSN\0"
                       "111222333\xff\xfe";
    memset(&r, 0, sizeof(r));
    assert_int_equal(scan_block(db, sc, nul, sizeof(nul) - 1, 0.5f, &r, &err), 0);
    assert_int_equal(r.n, 1);
    scan_result_free(&r);
    /* max_findings truncates */
    memset(&r, 0, sizeof(r));
    r.max_findings = 2;
    assert_int_equal(scan_block(db, sc, mixed, strlen(mixed), 0.5f, &r, &err), 0);
    assert_int_equal(r.n, 2);
    assert_true(r.truncated);
    scan_result_free(&r);
    assert_int_equal(r.max_findings, 2);
    /* empty input */
    memset(&r, 0, sizeof(r));
    assert_int_equal(scan_block(db, sc, "", 0, 0.0f, &r, &err), 0);
    assert_int_equal(r.n, 0);
}

/* A serialised database loads back and scans the same; damaged blobs are refused. */
static void test_serialize(void **state)
{
    struct sluis_err err = {0};
    struct scan_db *db2 = NULL;
    struct scan_scratch *sc2 = NULL;
    struct scan_result a, b;
    char *blob;
    size_t len;
    (void)state;
    assert_int_equal(scan_db_serialize(db, &blob, &len, &err), 0);
    assert_true(len > 1000);
    assert_int_equal(scan_db_deserialize(blob, len, &db2, &err), 0);
    assert_int_equal(scan_scratch_new(db2, &sc2), 0);
    scan_text(mixed, 0.5f, &a);
    memset(&b, 0, sizeof(b));
    assert_int_equal(scan_block(db2, sc2, mixed, strlen(mixed), 0.5f, &b, &err), 0);
    assert_same(&a, &b);
    scan_result_free(&a);
    scan_result_free(&b);
    scan_scratch_free(sc2);
    scan_db_free(db2);
    assert_int_equal(scan_db_deserialize(blob, len - 1, &db2, &err), SLUIS_EINVAL);
    blob[9] ^= 1;
    assert_int_equal(scan_db_deserialize(blob, len, &db2, &err), SLUIS_EINVAL);
    blob[9] ^= 1;
    blob[len - 100] ^= 1; /* a damaged body is refused by its checksum, never loaded */
    assert_int_equal(scan_db_deserialize(blob, len, &db2, &err), SLUIS_EINVAL);
    assert_int_equal(scan_db_deserialize("junk", 4, &db2, &err), SLUIS_EINVAL);
    free(blob);
}

/*
 * The hand-written anchor parser (scan_anchor.c) reports what the Hyperscan expressions of
 * scan_patterns.c would: every finding equals the reference mode, which compiles all of
 * them, on texts full of edge forms (also each text cut at every length).
 */
static void test_anchor_reference(void **state)
{
    static const char *const texts[] = {
        "tel +31 (0)6 1234 5678, +31-6-12345678, 0031 6 12345678, 0031612345678, +31612345678",
        "06 12 34 56 78 of 06-1234 5678 of 020-1234567, 0111-123456, 0800-1234, 0900 1234567",
        "06 0612345678 0031 0031 612345678 +3106 a+31612345678 _0612345678 06123456789012",
        "IBAN NL91ABNA0417164300 nl91abna0417164300 NL91 ABNA 0417 1643 00 nl91 Abna 0417 1643 00",
        "DE89 3704 0044 0532 0130 00, DE89370400440532013000, GB29NWBK60161331926819, "
        "AB12 CD34 EF56 GH78 IJ90 KL12 MN34 OP5, BE68539007547034 FR7630006000011234567890189",
        /* an end reached from an earlier start (NL54...) is that start's: FR76 is not reported */
        "NL547034 FR7630006000011234567890189, NL91 ABNA 0417 1643 00 1234 FR76 3000 6000 0112 "
        "3456",
        "btw NL123456782B01 NL 123456782 B01 NL1234.56.782.B01 NL.123456782.B02 xNL123456782B01",
        "BSN 111222333, 1112.22.333, 111 222 333, 111-222-333, 1112 22 333, 12.111222333, "
        "A111222333, 111222333B, 1112223331, KvK 12345678 BIG 12345678901 vestigingsnummer "
        "123456789012 rijbewijs 1234567890 0123456789012345678901234567890123456789012345678901"
        "234567890123456789",
        "postcode 1234 AB, 1234AB, 0123 AB, 1234 SA, 9999ZZ, 1234 ABC, 12345 AB, Kerkstraat 12a, "
        "1234 AB",
        "geboren 12-03-1985, 1-3-1985, 12/03/1985, 12.03.1985, 1985-03-12, 12 maart 1985, 12 mrt. "
        "1985, 3 Sept 2001, 3 SEPTEMBER 2001, 31-02-1990, 1-2-1899, 12 maartje 1985, 123-03-1985",
        "kenteken GB-123-X, 99-XX-99, XX99XX, 1-ABC-23, A-123-BC, 9-XX-999, X1, 1X, X-1, 1-X",
        "paspoort XN1234567 ID-kaart SPECI2014, documentnummer ABCDEFGH1 ONO123456",
        "mail j.devries@example.nl, a@b.c, x@sub.domain.example.co.uk, a@b.example-x.nl, "
        "a@@b.nl, a@-b.nl, a@b-.nl, \"q\"@x.nl, a@b.nl1, a@b.abcdefghijklmnopqrstuvwxyz",
        "wachtwoord: geheim123 Password = \"abc def\" pwd:\tx1y2z3 PINCODE:1234 wachtw=aa "
        "mypassword: nope password    : far pass_word: no",
        "keys sk-abcdefghijklmnopqrstuvwxyz1234 ghp_abcdefghijklmnopqrstuvwxyz0123456789 "
        "AKIAABCDEFGH12345678 xoxb-1234567890-abcdef AIzaSyA1234567890abcdefghijklmnopqrstuv "
        "glpat-abcdefghij1234567890 sk_live_abcdefghijklmnopqrstuvwxyz12 "
        "foo-sk-abc123def456ghi789jk "
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
        "Stg. Geheim, Dep. Vertrouwelijk, NATO SECRET, -----BEGIN RSA PRIVATE KEY-----\nabc\n"
        "-----END RSA PRIVATE KEY-----",
    };
    struct scan_db *ref = NULL;
    struct scan_scratch *ref_sc = NULL;
    struct sluis_err err = {0};
    (void)state;
    assert_int_equal(scan_db_new_mode(&ref, 1, &err), 0);
    assert_int_equal(scan_scratch_new(ref, &ref_sc), 0);
    for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
        size_t len = strlen(texts[t]);
        for (size_t cut = 1; cut <= len; cut++) {
            struct scan_result a = {0}, b = {0};
            assert_int_equal(scan_block(db, sc, texts[t], cut, 0.0f, &a, &err), 0);
            assert_int_equal(scan_block(ref, ref_sc, texts[t], cut, 0.0f, &b, &err), 0);
            if (cut == len)
                assert_true(a.n > 0);
            assert_same(&a, &b);
            for (size_t i = 0; i < a.n; i++)
                assert_true(a.findings[i].confidence == b.findings[i].confidence);
            scan_result_free(&a);
            scan_result_free(&b);
        }
    }
    scan_scratch_free(ref_sc);
    scan_db_free(ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checks),
        cmocka_unit_test(test_bsn),
        cmocka_unit_test(test_rsin_onderwijs),
        cmocka_unit_test(test_btw_iban),
        cmocka_unit_test(test_phone_email),
        cmocka_unit_test(test_postcode_dob),
        cmocka_unit_test(test_context_only),
        cmocka_unit_test(test_classification_secrets),
        cmocka_unit_test(test_preview_mask),
        cmocka_unit_test(test_redact),
        cmocka_unit_test(test_stream_every_split),
        cmocka_unit_test(test_stream_hold_chain),
        cmocka_unit_test(test_stream_offsets),
        cmocka_unit_test(test_limits_and_junk),
        cmocka_unit_test(test_serialize),
        cmocka_unit_test(test_anchor_reference),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
