#!/usr/bin/env python3
"""Generates the labelled Dutch corpus for `sluis scan` (issue 4), deterministically.

  gen-scan-corpus.py [--seed 42] [--items 6000] --out build/scan-corpus.jsonl
  gen-scan-corpus.py [--seed 42] --clean-mb 128 --out build/scan-clean.txt
  gen-scan-corpus.py [--seed 42] --dense-mb 16 --out build/scan-dense.txt

Corpus lines are JSON objects {"id", "kind", "text", "labels": [{"detector", "start",
"end"}]}; start/end are UTF-8 byte offsets into text. "kind" is "positive" (one or more
labelled values) or "negative" (hard negatives: nothing may be found). Every checksum
(11-proef, mod 97, sidecodes) is computed here, independently of the C code.
--clean-mb writes Dutch prose without sensitive data; --dense-mb writes the corpus texts
one per line until the size is reached (PII-dense). Python 3.11 standard library only.
"""
import argparse
import json
import random
import sys

FIRST = ["Jan", "Piet", "Fatima", "Sanne", "Mohammed", "Eva", "Daan", "Lotte", "Noah", "Sophie",
         "Ahmed", "Emma", "Bram", "Julia", "Yusuf", "Anouk", "Thijs", "Fleur", "Ravi", "Mila"]
LAST = ["de Vries", "Jansen", "van den Berg", "Bakker", "El Amrani", "Visser", "Smit", "Meijer",
        "de Boer", "Mulder", "Yilmaz", "Bos", "Vos", "Peters", "Hendriks", "van Dijk"]
STREETS = ["Kerkstraat", "Dorpsstraat", "Stationsweg", "Molenweg", "Schoolstraat", "Lindelaan",
           "Julianastraat", "Beatrixlaan", "Nieuwe Gracht", "Marktplein", "Havenkade"]
CITIES = ["Amsterdam", "Rotterdam", "Utrecht", "Den Haag", "Zwolle", "Groningen", "Tilburg",
          "Almere", "Breda", "Nijmegen", "Apeldoorn", "Haarlem", "Leeuwarden", "Maastricht"]
BANKS = ["ABNA", "INGB", "RABO", "KNAB", "SNSB", "ASNB", "TRIO", "BUNQ"]
DOMAINS = ["example.nl", "gemeente.example.nl", "mail.example.com", "voorbeeld.org",
           "ministerie.example.nl", "provincie-utrecht.example"]
MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december"]
MONTH_ABBR = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
AREA2 = ["10", "13", "15", "20", "23", "24", "26", "30", "33", "35", "36", "38", "40", "43",
         "45", "46", "50", "53", "55", "58", "70", "71", "72", "73", "74", "75", "76", "77", "78",
         "79"]
AREA3 = ["111", "113", "114", "115", "118", "161", "162", "164", "165", "172", "174", "180", "182",
         "222", "223", "224", "251", "252", "255", "294", "297", "313", "314", "315", "318", "320",
         "341", "342", "343", "345", "411", "412", "413", "416", "418", "475", "478", "481", "485",
         "492", "493", "495", "499", "511", "512", "513", "514", "515", "516", "521", "522", "523",
         "541", "543", "544", "545", "546", "547", "548", "561", "562", "566", "570", "571", "572",
         "591", "592", "593", "594", "595", "596", "597", "598", "599"]
PLATE_LETTERS = "BDFGHJKLMNPRSTVWXZ"
PLATE_BANNED = {"SS", "SD", "SA", "SP", "GVD", "KKK", "NSB", "PKK", "PSV", "TBS", "LPF", "PVV",
                "SGP", "VVD", "KVT"}
SIDECODES = {1: "LL-DD-DD", 2: "DD-DD-LL", 3: "DD-LL-DD", 4: "LL-DD-LL", 5: "LL-LL-DD",
             6: "DD-LL-LL", 7: "DD-LLL-D", 8: "D-LLL-DD", 9: "LL-DDD-L", 10: "L-DDD-LL",
             11: "LLL-DD-L", 12: "L-DD-LLL", 13: "D-LL-DDD", 14: "DDD-LL-D"}
CLASSIFICATIONS = ["Stg. Zeer Geheim", "Stg. Geheim", "Stg. Confidentieel", "STG. GEHEIM",
                   "Departementaal Vertrouwelijk", "Dep. Vertrouwelijk", "Dep.V.",
                   "RESTREINT UE/EU RESTRICTED", "CONFIDENTIEL UE", "SECRET UE",
                   "TRÈS SECRET UE", "NATO RESTRICTED", "NATO CONFIDENTIAL", "NATO SECRET",
                   "COSMIC TOP SECRET", "Staatsgeheim - Geheim"]


# ---- checksums -------------------------------------------------------------------------

def elfproef(d9):
    s = sum((9 - i) * int(d9[i]) for i in range(8)) - int(d9[8])
    return s % 11


def mod97(s):
    r = 0
    for c in s:
        v = int(c) if c.isdigit() else ord(c) - 55
        r = (r * (100 if v > 9 else 10) + v) % 97
    return r


def iban_check(cc, bban):
    r = mod97(bban + cc + "00")
    return "%02d" % (98 - r)


# ---- valid values ----------------------------------------------------------------------

class Gen:
    def __init__(self, rnd):
        self.r = rnd

    def digits(self, n):
        return "".join(self.r.choice("0123456789") for _ in range(n))

    def bsn(self):
        while True:
            d = self.r.choice("123456789") + self.digits(7)
            for last in "0123456789":
                if elfproef(d + last) == 0:
                    return d + last

    def not_bsn(self):
        while True:
            d = self.r.choice("123456789") + self.digits(8)
            if elfproef(d) != 0 and not (d.startswith("10") and elfproef(d) == 5):
                return d

    def onderwijsnummer(self):
        while True:
            d = "10" + self.digits(6)
            for last in "0123456789":
                if elfproef(d + last) == 5:
                    return d + last

    def btw(self):
        if self.r.random() < 0.6:
            num = self.bsn()
            suffix = "%02d" % self.r.randint(1, 99)
            return "NL" + num + "B" + suffix
        while True:  # mod 97 style (sole traders since 2020)
            num = self.digits(9)
            suffix = "%02d" % self.r.randint(1, 99)
            s = "NL" + num + "B" + suffix
            if mod97(s) == 1:
                return s

    def iban_nl(self):
        bban = self.r.choice(BANKS) + self.digits(10)
        return "NL" + iban_check("NL", bban) + bban

    def iban_foreign(self):
        cc, n = self.r.choice([("DE", 18), ("BE", 12), ("FR", 23), ("GB", 18), ("ES", 20),
                                ("LU", 16), ("AT", 16)])
        if cc == "GB":
            bban = "".join(self.r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4)) + \
                self.digits(14)
        elif cc == "FR":
            bban = self.digits(21) + "%02d" % self.r.randint(0, 96)
        else:
            bban = self.digits(n)
        return cc + iban_check(cc, bban) + bban

    def iban_bad(self):
        v = self.iban_nl()
        chk = int(v[2:4])
        wrong = (chk + self.r.randint(1, 50)) % 97
        if wrong < 2:
            wrong += 2
        return v[:2] + "%02d" % wrong + v[4:]

    @staticmethod
    def group4(v):
        return " ".join(v[i:i + 4] for i in range(0, len(v), 4))

    def phone(self):
        k = self.r.random()
        if k < 0.45:
            nsn = "6" + self.r.choice("123458") + self.digits(7)
        elif k < 0.8:
            a = self.r.choice(AREA2 + AREA3)
            nsn = a + self.digits(9 - len(a))
        elif k < 0.9:
            nsn = self.r.choice(["85", "91", "88"]) + self.digits(7)
        else:
            nsn = self.r.choice(["800", "900"]) + self.digits(self.r.choice([4, 7]))
        return self.format_phone(nsn)

    def format_phone(self, nsn):
        f = self.r.random()
        if nsn[0] == "6" and len(nsn) == 9:
            forms = ["06-" + nsn[1:], "06 " + nsn[1:5] + " " + nsn[5:], "06" + nsn[1:],
                     "+31 6 " + nsn[1:5] + " " + nsn[5:], "+31 (0)6 " + nsn[1:],
                     "0031 6 " + nsn[1:], "+316" + nsn[1:],
                     "06 " + " ".join(nsn[i:i + 2] for i in range(1, 9, 2))]
            return self.r.choice(forms)
        if nsn[:3] in ("800", "900"):
            return "0" + nsn[:3] + "-" + nsn[3:]
        a = 2 if nsn[:2] in AREA2 or nsn[:2] in ("85", "91", "88") else 3
        area, sub = nsn[:a], nsn[a:]
        if f < 0.4:
            return "0" + area + "-" + sub
        if f < 0.7:
            return "0" + area + " " + sub[:3] + " " + sub[3:]
        if f < 0.85:
            return "+31 " + area + " " + sub
        return "0" + nsn

    def email(self):
        first = self.r.choice(FIRST).lower()
        last = self.r.choice(LAST).lower().replace(" ", "")
        local = self.r.choice([first + "." + last, first[0] + "." + last, first + str(
            self.r.randint(1, 99)), last + "+post", first + "_" + last])
        return local + "@" + self.r.choice(DOMAINS)

    def postcode(self, bad=False):
        num = str(self.r.randint(1000, 9999))
        if bad:
            letters = self.r.choice(["SA", "SD", "SS"])
        else:
            while True:
                letters = "".join(self.r.choice("ABCDEFGHJKLMNPRSTVWXZ") for _ in range(2))
                if letters not in ("SA", "SD", "SS"):
                    break
        return num + self.r.choice([" ", ""]) + letters

    def date(self, birth=True):
        y = self.r.randint(1930, 2010) if birth else self.r.randint(2015, 2025)
        m = self.r.randint(1, 12)
        d = self.r.randint(1, 28)
        f = self.r.random()
        if f < 0.3:
            return "%02d-%02d-%04d" % (d, m, y)
        if f < 0.45:
            return "%d-%d-%04d" % (d, m, y)
        if f < 0.55:
            return "%02d/%02d/%04d" % (d, m, y)
        if f < 0.65:
            return "%02d.%02d.%04d" % (d, m, y)
        if f < 0.75:
            return "%04d-%02d-%02d" % (y, m, d)
        if f < 0.9:
            return "%d %s %d" % (d, MONTHS[m - 1], y)
        return "%d %s. %d" % (d, MONTH_ABBR[m - 1], y)

    def plate(self):
        while True:
            sc = self.r.randint(1, 14)
            shape = SIDECODES[sc]
            out, groups, cur = [], [], ""
            for ch in shape:
                if ch == "-":
                    groups.append(cur)
                    cur = ""
                    out.append("-")
                    continue
                if ch == "D":
                    c = self.r.choice("0123456789")
                else:
                    c = self.r.choice(PLATE_LETTERS if sc >= 4 else "BDFGHJKLNPRSTVXZ")
                out.append(c)
                cur += c
            groups.append(cur)
            if any(g in PLATE_BANNED for g in groups):
                continue
            v = "".join(out)
            return v if self.r.random() < 0.8 else v.replace("-", "")

    def docnr(self):
        letters = "ABCDEFGHIJKLMNPQRSTUVWXYZ"
        alnum = letters + "123456789"
        return "".join(self.r.choice(letters) for _ in range(2)) + \
            "".join(self.r.choice(alnum) for _ in range(6)) + self.r.choice("123456789")

    def secret(self):
        k = self.r.randint(0, 4)
        an = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        if k == 0:
            return "api_key", "sk-proj-" + "".join(self.r.choice(an) for _ in range(40)) + "7a"
        if k == 1:
            return "api_key", "ghp_" + "".join(self.r.choice(an) for _ in range(34)) + "9Q"
        if k == 2:
            return "api_key", "AKIA" + "".join(self.r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
                                               for _ in range(14)) + "Z7"
        if k == 3:
            body = "".join(self.r.choice(an + "+/") for _ in range(64))
            return "private_key", ("-----BEGIN RSA PRIVATE KEY----- MIIEow" + body +
                                   " -----END RSA PRIVATE KEY-----")
        return "password", "".join(self.r.choice(an) for _ in range(10)) + "!"


# ---- sentences -------------------------------------------------------------------------

class Item:
    def __init__(self, kind):
        self.kind = kind
        self.parts = []   # (text, detector or None)

    def add(self, text, det=None):
        self.parts.append((text, det))
        return self

    def build(self, idx):
        text, labels, off = "", [], 0
        for t, det in self.parts:
            b = t.encode("utf-8")
            if det:
                labels.append({"detector": det, "start": off, "end": off + len(b)})
            text += t
            off += len(b)
        return {"id": idx, "kind": self.kind, "text": text, "labels": labels}


def person(r):
    return r.choice(FIRST) + " " + r.choice(LAST)


def positive(g, r):
    """One sentence with one or more labelled values."""
    p = person(r)
    it = Item("positive")
    k = r.randint(0, 27)
    if k == 0:
        it.add(r.choice(["Het BSN van %s is " % p, "Burgerservicenummer: ",
                         "%s (BSN " % p, "Sofinummer van de aanvrager: ",
                         "Citizen service number of %s: " % p]))
        v = g.bsn()
        form = r.random()
        if form < 0.2:
            v = v[:4] + "." + v[4:6] + "." + v[6:]
        elif form < 0.3:
            v = v[:3] + " " + v[3:6] + " " + v[6:]
        it.add(v, "bsn").add(r.choice([".", ") is bekend.", " en is gecontroleerd.", ""]))
    elif k == 1:
        it.add("Graag de gegevens van %s controleren: " % p).add(g.bsn(), "bsn")
        it.add(r.choice([" staat in het dossier.", ", zie bijlage."]))
    elif k == 2:
        it.add(r.choice(["Het RSIN van de stichting is ", "Fiscaal nummer (RSIN): ",
                         "RSIN-nummer vereniging: "])).add(g.bsn(), "rsin").add(".")
    elif k == 3:
        it.add(r.choice(["Onderwijsnummer leerling: ", "Het onderwijsnummer van %s is " % p]))
        it.add(g.onderwijsnummer(), "onderwijsnummer").add(".")
    elif k == 4:
        v = g.btw()
        if r.random() < 0.2:
            v = v[:2] + " " + v[2:11] + " " + v[11:]
        it.add(r.choice(["Btw-nummer: ", "Ons btw-identificatienummer is ", "VAT number "]))
        it.add(v, "btw").add(r.choice([".", " (vermeld op de factuur).", ""]))
    elif k in (5, 6):
        v = g.iban_nl() if k == 5 else g.iban_foreign()
        if r.random() < 0.5:
            v = Gen.group4(v)
        it.add(r.choice(["Maak het bedrag over op ", "IBAN: ", "Rekeningnummer van %s: " % p,
                         "Refund to account "])).add(v, "iban")
        it.add(r.choice([" t.n.v. %s." % p, ".", " onder vermelding van het dossier."]))
    elif k in (7, 8):
        it.add(r.choice(["Bel %s op " % p, "Telefoon: ", "Mobiel nummer: ",
                         "U kunt ons bereiken via ", "Phone "])).add(g.phone(), "phone")
        it.add(r.choice([".", " (bereikbaar op werkdagen).", " of mail ons."]))
    elif k == 9:
        it.add(r.choice(["Mail naar ", "E-mailadres: ", "Stuur het formulier naar ",
                         "Contact: "])).add(g.email(), "email")
        it.add(r.choice([".", " voor vragen.", ""]))
    elif k == 10:
        it.add("%s woont op %s %d%s, " % (p, r.choice(STREETS), r.randint(1, 250),
                                          r.choice(["", "a"])))
        it.add(g.postcode(), "postcode").add(" " + r.choice(CITIES) + ".")
    elif k == 11:
        it.add("Adres: %s %d, " % (r.choice(STREETS), r.randint(1, 300)))
        it.add(g.postcode(), "postcode").add(" " + r.choice(CITIES))
    elif k in (12, 13):
        it.add(r.choice(["%s is geboren op " % p, "Geboortedatum: ", "geb. ",
                         "Date of birth: ", "De aanvrager (geboren ",
                         "Geboortedatum van het kind: "]))
        it.add(g.date(True), "dob").add(r.choice([".", ")", ", te %s." % r.choice(CITIES)]))
    elif k == 14:
        it.add(r.choice(["KvK-nummer: ", "Ingeschreven bij de Kamer van Koophandel onder nummer ",
                         "Handelsregister ", "KvK "])).add(g.digits(8), "kvk").add(".")
    elif k == 15:
        it.add(r.choice(["Vestigingsnummer: ", "Het vestigingsnummer is "]))
        it.add("0000" + g.digits(8) if r.random() < 0.5 else g.digits(12), "vestigingsnummer")
        it.add(".")
    elif k in (16, 17):
        it.add(r.choice(["Kenteken van de auto: ", "De auto met kenteken ",
                         "Voertuig ", "Het kenteken "])).add(g.plate(), "kenteken")
        it.add(r.choice([" stond fout geparkeerd.", ".", " is geschorst."]))
    elif k == 18:
        it.add(r.choice(["Paspoortnummer: ", "Nummer van de ID-kaart: ", "Documentnummer ",
                         "Het paspoort met nummer ", "Identiteitskaart "]))
        it.add(g.docnr(), "paspoort").add(r.choice([".", " is verlopen.", ""]))
    elif k == 19:
        it.add(r.choice(["Rijbewijsnummer: ", "Het rijbewijs van %s heeft nummer " % p]))
        it.add(g.digits(10), "rijbewijs").add(".")
    elif k == 20:
        it.add(r.choice(["BIG-nummer: ", "De arts is geregistreerd onder BIG-nummer ",
                         "BIG-registratie "])).add(g.digits(11), "big").add(".")
    elif k == 21:
        it.add(r.choice(["Rubricering: ", "", "Dit document is gerubriceerd als "]))
        it.add(r.choice(CLASSIFICATIONS), "classification")
        it.add(r.choice([".", " - niet verspreiden.", " (kopie 3 van 5)"]))
    elif k == 22:
        det, v = g.secret()
        if det == "password":
            it.add(r.choice(["wachtwoord: ", "Password=", "Het wachtwoord = "]))
            it.add(v, "password").add(r.choice([" (tijdelijk)", ""]))
        else:
            it.add(r.choice(["Gebruik deze sleutel: ", "config: token ", "key "]))
            it.add(v, det).add(r.choice([" in productie.", "", " -- niet delen"]))
    else:  # combined sentences
        it.add("Aanvraag van %s, BSN " % p).add(g.bsn(), "bsn").add(", IBAN ")
        it.add(g.iban_nl(), "iban").add(", tel. ").add(g.phone(), "phone")
        it.add(", e-mail ").add(g.email(), "email").add(".")
    return it


def negative(g, r):
    """Hard negatives: look-alikes that must not be reported."""
    it = Item("negative")
    k = r.randint(0, 13)
    if k == 0:
        it.add(r.choice(["Factuurnummer ", "Zaaknummer ", "Dossiernummer ", "Ordernummer ",
                         "Kenmerk "]) + g.not_bsn() + r.choice([" is betaald.", ".", " (2e herinnering)."]))
    elif k == 1:
        it.add("Maak over op " + g.iban_bad() + " t.n.v. " + person(r) + ".")
    elif k == 2:
        it.add(r.choice(["De vergadering is op ", "Besluit genomen op ", "Ingangsdatum: ",
                         "De termijn verloopt op "]) + g.date(False) + ".")
    elif k == 3:
        it.add(r.choice(["Het aantal bezoekers was ", "Bestelling ", "Referentie ",
                         "Het projectbudget bedroeg "]) + g.digits(8) + r.choice([".", " euro."]))
    elif k == 4:
        it.add("%s woont op %s %d, %s %s." % (person(r), r.choice(STREETS), r.randint(1, 200),
                                               g.postcode(True), r.choice(CITIES)))
    elif k == 5:
        it.add(r.choice(["Artikelnummer ", "Productcode ", "Onderdeel ", "Type "]) +
               g.plate().replace("-", "") + r.choice([" is niet op voorraad.", "."]))
    elif k == 6:
        it.add("Bestel onderdeel %s via de webshop." % g.plate())
    elif k == 7:
        it.add("Het klantnummer is " + g.digits(10) + " en het ordernummer " + g.digits(11) + ".")
    elif k == 8:
        it.add("In %d werden %d aanvragen ingediend en %d,%d procent afgewezen." % (
            r.randint(2015, 2025), r.randint(100, 99999), r.randint(1, 30), r.randint(0, 9)))
    elif k == 9:
        it.add("Het wachtwoord moet minimaal 12 tekens bevatten en de BSN-controle is verplicht.")
    elif k == 10:
        it.add("Telefoonnummers beginnen in Nederland met 0; het nummer 1234567 is te kort.")
    elif k == 11:
        it.add("Versie %d.%d.%d is uitgebracht; zie artikel %d lid %d." % (
            r.randint(1, 9), r.randint(0, 20), r.randint(0, 99), r.randint(1, 200),
            r.randint(1, 5)))
    elif k == 12:
        it.add("Het geheim van de smid: %s gebruikt de auto van de zaak." % person(r))
    else:
        it.add("De gemeente %s publiceert het besluit van %d %s in het gemeenteblad." % (
            r.choice(CITIES), r.randint(1, 28), r.choice(MONTHS)))
    return it


CLEAN = [
    "De gemeenteraad heeft het voorstel over de nieuwe verordening aangenomen.",
    "Het college van burgemeester en wethouders informeert de raad over de voortgang.",
    "Inwoners kunnen tot het einde van de maand reageren op het ontwerpbesluit.",
    "De provincie ondersteunt projecten die bijdragen aan een duurzame leefomgeving.",
    "Het ministerie werkt samen met gemeenten aan betere dienstverlening.",
    "In de jaarrekening staat hoe de middelen zijn besteed.",
    "De wethouder beantwoordt schriftelijke vragen van de fractie.",
    "Volgens artikel 3 van de verordening is een vergunning nodig.",
    "Het aantal aanvragen steeg in 2024 met 12 procent.",
    "De subsidie bedraagt maximaal 5.000 euro per project.",
    "Na de zomer start de inspraakperiode voor het omgevingsplan.",
    "Medewerkers volgen een training over informatiebeveiliging en privacy.",
    "Het algoritme wordt jaarlijks geëvalueerd door een onafhankelijke commissie.",
    "Bewoners van de wijk worden uitgenodigd voor een informatieavond.",
    "De raadscommissie bespreekt het rapport op dinsdagavond.",
    "Deze nota beschrijft de uitgangspunten voor het nieuwe beleid.",
    "Zorgaanbieders leveren elk kwartaal hun verantwoording aan.",
    "Er zijn 3 varianten onderzocht; variant 2 heeft de voorkeur.",
    "De Rijksoverheid publiceert open data over uitgaven en subsidies.",
    "Het project loopt tot en met het vierde kwartaal.",
    "Leerlingen in groep 8 krijgen een schooladvies.",
    "De bibliotheek is op zaterdag geopend van 10.00 tot 16.00 uur.",
    "Het waterschap versterkt de dijk over een lengte van 4 kilometer.",
    "Ondernemers kunnen advies krijgen over de energietransitie.",
]


def write_clean(rnd, out, mb):
    target = mb * 1024 * 1024
    n = 0
    lines = []
    while n < target:
        para = " ".join(rnd.choice(CLEAN) for _ in range(rnd.randint(3, 8))) + "\n"
        lines.append(para)
        n += len(para.encode("utf-8"))
        if len(lines) >= 4096:
            out.write("".join(lines))
            lines = []
    out.write("".join(lines))


def items(seed, count):
    r = random.Random(seed)
    g = Gen(r)
    out = []
    for i in range(count):
        it = positive(g, r) if r.random() < 0.7 else negative(g, r)
        out.append(it.build(i))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--items", type=int, default=6000)
    ap.add_argument("--clean-mb", type=int, default=0)
    ap.add_argument("--dense-mb", type=int, default=0)
    ap.add_argument("--out", default="-")
    a = ap.parse_args()
    out = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8")
    if a.clean_mb:
        write_clean(random.Random(a.seed), out, a.clean_mb)
    elif a.dense_mb:
        target, n, seed = a.dense_mb * 1024 * 1024, 0, a.seed
        while n < target:
            for it in items(seed, 5000):
                line = it["text"] + "\n"
                out.write(line)
                n += len(line.encode("utf-8"))
                if n >= target:
                    break
            seed += 1
    else:
        for it in items(a.seed, a.items):
            out.write(json.dumps(it, ensure_ascii=False) + "\n")
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
