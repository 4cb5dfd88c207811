#!/usr/bin/env python3
"""assistant-corpus.py - writes tests/data/assistant/corpus.jsonl, the assistant's test corpus
(issue 16): short police-style texts in twelve languages (a SIENA-style request, a threat-map
report, a note of an interview...), each with its language and every entity annotated.

Each text is a template of its language filled with varied values drawn by a seeded generator,
so the corpus is the same on every run (python3 scripts/assistant-corpus.py > corpus.jsonl).
Values with check digits are computed here from their definitions (IBAN mod-97, Luhn,
base58check, bech32, EIP-55 with Keccak-256 written below), independently of src/assistant.
Some values are decoys that must NOT be extracted: an IBAN or a card with one digit changed,
a case number, an amount, a postal code. Spans are code points of the text, [start, end).
"""
import hashlib
import json
import random
import sys

SEED = 16
PER_LANGUAGE = 60

# ---------------------------------------------------------------- checksums ----------------

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58check(version, payload):
    raw = bytes([version]) + payload
    raw += hashlib.sha256(hashlib.sha256(raw).digest()).digest()[:4]
    n = int.from_bytes(raw, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    pad = len(raw) - len(raw.lstrip(b"\0"))
    return "1" * pad + out


BECH = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def bech32_polymod(values):
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if ((top >> i) & 1) else 0
    return chk


def segwit(witver, prog):
    acc, bits, data = 0, 0, [witver]
    for b in prog:
        acc = (acc << 8) | b
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    const = 1 if witver == 0 else 0x2BC830A3
    hrp = [ord(c) >> 5 for c in "bc"] + [0] + [ord(c) & 31 for c in "bc"]
    pm = bech32_polymod(hrp + data + [0] * 6) ^ const
    chk = [(pm >> 5 * (5 - i)) & 31 for i in range(6)]
    return "bc1" + "".join(BECH[d] for d in data + chk)


def keccak256(data):
    """Keccak-256 with the original padding (0x01), as Ethereum uses; not SHA3-256."""
    rc = [0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
          0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
          0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
          0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
          0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
          0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008]
    rot = [[0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61], [28, 55, 25, 21, 56],
           [27, 20, 39, 8, 14]]
    m = (1 << 64) - 1

    def rol(x, n):
        return ((x << n) | (x >> (64 - n))) & m if n else x

    def f(a):
        for r in range(24):
            c = [a[x][0] ^ a[x][1] ^ a[x][2] ^ a[x][3] ^ a[x][4] for x in range(5)]
            d = [c[(x - 1) % 5] ^ rol(c[(x + 1) % 5], 1) for x in range(5)]
            a = [[a[x][y] ^ d[x] for y in range(5)] for x in range(5)]
            b = [[0] * 5 for _ in range(5)]
            for x in range(5):
                for y in range(5):
                    b[y][(2 * x + 3 * y) % 5] = rol(a[x][y], rot[x][y])
            a = [[b[x][y] ^ ((~b[(x + 1) % 5][y]) & b[(x + 2) % 5][y]) for y in range(5)]
                 for x in range(5)]
            a[0][0] ^= rc[r]
        return a

    rate = 136
    msg = bytearray(data) + b"\x01"
    msg += b"\0" * (-len(msg) % rate)
    msg[-1] |= 0x80
    a = [[0] * 5 for _ in range(5)]
    for off in range(0, len(msg), rate):
        for i in range(rate // 8):
            x, y = i % 5, i // 5
            a[x][y] ^= int.from_bytes(msg[off + 8 * i:off + 8 * i + 8], "little")
        a = f(a)
    out = b"".join(a[i % 5][i // 5].to_bytes(8, "little") for i in range(4))
    return out


def eip55(addr20):
    hexs = addr20.hex()
    h = keccak256(hexs.encode()).hex()
    return "0x" + "".join(c.upper() if c.isalpha() and int(h[i], 16) >= 8 else c
                          for i, c in enumerate(hexs))


def iban_check(cc, bban):
    s = bban + cc + "00"
    n = int("".join(str(int(ch, 36)) for ch in s))
    return "%02d" % (98 - n % 97)


def luhn_digit(body):
    total = 0
    for i, ch in enumerate(reversed(body)):
        v = int(ch)
        if i % 2 == 0:
            v *= 2
            v -= 9 if v > 9 else 0
        total += v
    return str((10 - total % 10) % 10)


# ---------------------------------------------------------------- value generators ---------

R = random.Random(SEED)
DIG = "0123456789"
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

# country: (length, BBAN pattern: n digit, a letter, c either)
IBAN_BBAN = {"PL": "n" * 24, "DE": "n" * 18, "FR": "n" * 23, "ES": "n" * 20, "GB": "aaaa" + "n" * 14,
             "UA": "n" * 6 + "n" * 19, "AZ": "aaaa" + "n" * 20, "TR": "n" * 22, "GE": "aa" + "n" * 16,
             "SA": "n" * 20, "BY": "aaaa" + "n" * 20, "LT": "n" * 16}


def rand_of(pattern):
    return "".join(R.choice(DIG) if p == "n" else R.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
                   if p == "a" else R.choice(ALNUM) for p in pattern)


def iban(cc, decoy=False):
    bban = rand_of(IBAN_BBAN[cc])
    compact = cc + iban_check(cc, bban) + bban
    value = compact
    if decoy:  # one digit changed: mod-97 fails
        i = R.randrange(4, len(compact))
        while not compact[i].isdigit():
            i = R.randrange(4, len(compact))
        compact = compact[:i] + str((int(compact[i]) + R.randint(1, 9)) % 10) + compact[i + 1:]
    surface = " ".join(compact[i:i + 4] for i in range(0, len(compact), 4)) \
        if R.random() < 0.6 else compact
    return surface, value


def card(decoy=False):
    kind = R.choice(["4", "51", "52", "53", "54", "55"])
    body = kind + "".join(R.choice(DIG) for _ in range(15 - len(kind)))
    num = body + luhn_digit(body)
    if decoy:
        num = num[:-1] + str((int(num[-1]) + R.randint(1, 9)) % 10)
    surface = " ".join(num[i:i + 4] for i in range(0, 16, 4)) if R.random() < 0.7 else num
    return surface, num[:6] + "*" * 6 + num[-4:]


def wallet():
    k = R.random()
    payload = bytes(R.randrange(256) for _ in range(20))
    if k < 0.3:
        a = base58check(0, payload)
    elif k < 0.45:
        a = base58check(5, payload)
    elif k < 0.6:
        a = segwit(0, payload)
    elif k < 0.7:
        a = segwit(1, bytes(R.randrange(256) for _ in range(32)))
    else:
        a = eip55(payload)
        if R.random() < 0.2:
            return a.lower(), a
    return a, a


PHONE = {  # language: list of (country code, national significant number maker, printer)
    "pl": ("48", lambda: R.choice("5678") + "".join(R.choice(DIG) for _ in range(8))),
    "en": ("44", lambda: "7" + "".join(R.choice(DIG) for _ in range(9))),
    "ru": ("7", lambda: "9" + "".join(R.choice(DIG) for _ in range(9))),
    "uk": ("380", lambda: R.choice(["50", "63", "66", "67", "68", "73", "93", "97"]) +
           "".join(R.choice(DIG) for _ in range(7))),
    "be": ("375", lambda: R.choice(["29", "33", "44"]) + "".join(R.choice(DIG) for _ in range(7))),
    "az": ("994", lambda: R.choice(["50", "51", "55", "70", "77"]) +
           "".join(R.choice(DIG) for _ in range(7))),
    "tr": ("90", lambda: "5" + "".join(R.choice(DIG) for _ in range(9))),
    "ar": ("966", lambda: "5" + "".join(R.choice(DIG) for _ in range(8))),
    "de": ("49", lambda: "15" + "".join(R.choice(DIG) for _ in range(9))),
    "fr": ("33", lambda: R.choice("67") + "".join(R.choice(DIG) for _ in range(8))),
    "es": ("34", lambda: R.choice("67") + "".join(R.choice(DIG) for _ in range(8))),
    "ka": ("995", lambda: "5" + "".join(R.choice(DIG) for _ in range(8))),
}


def group(s, sizes):
    out, i = [], 0
    for n in sizes:
        out.append(s[i:i + n])
        i += n
    if i < len(s):
        out.append(s[i:])
    return " ".join(x for x in out if x)


def phone(lang):
    cc, make = PHONE[lang]
    nsn = make()
    value = "+" + cc + nsn
    k = R.random()
    if lang == "pl" and k < 0.5:
        return (group(nsn, [3, 3, 3]) if k < 0.3 else "-".join([nsn[:3], nsn[3:6], nsn[6:]])), value
    if lang == "ru" and k < 0.4:
        return "8 (%s) %s-%s-%s" % (nsn[:3], nsn[3:6], nsn[6:8], nsn[8:]), value
    prefix = "+" + cc if R.random() < 0.85 else "00" + cc
    return prefix + " " + group(nsn, [2, 3, 2, 2] if len(nsn) == 9 else [3, 3, 2, 2]), value


def email(given, family):
    user = R.choice(["%s.%s", "%s%s", "%s_%s"]) % (translit(given), translit(family))
    dom = R.choice(["gmail.com", "wp.pl", "onet.pl", "mail.ru", "yandex.ru", "ukr.net",
                    "outlook.com", "web.de", "orange.fr", "hotmail.es", "mail.az", "gmx.de"])
    s = user + str(R.randint(1, 99)) + "@" + dom
    return (s, s.lower()) if R.random() < 0.8 else (s.capitalize(), s.lower())


def url():
    host = R.choice(["bezpieczny-bank24.com", "invest-crypto.net", "secure-login.info",
                     "paczka-doplata.pl", "olx-pl.delivery", "binance-support.co"])
    path = R.choice(["", "/login", "/pay?id=%d" % R.randint(1000, 9999), "/verify/%d" % R.randint(1, 99)])
    if R.random() < 0.25:
        return "www." + host + path, "http://www." + host + path
    scheme = R.choice(["https://", "http://"])
    return scheme + host + path, scheme + host + path


TRANS = str.maketrans({"ą": "a", "ć": "c", "ę": "e", "ł": "l", "ń": "n", "ó": "o", "ś": "s",
                       "ź": "z", "ż": "z", "ü": "u", "ö": "o", "ş": "s", "ç": "c", "ğ": "g",
                       "ı": "i", "ə": "e", "é": "e", "è": "e", "á": "a", "í": "i", "ñ": "n",
                       "ä": "a", "ß": "ss", "ú": "u"})
CYR = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґў",
               ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o",
                "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e",
                "yu", "ya", "i", "yi", "ye", "g", "u"]))


def translit(s):
    s = s.lower().translate(TRANS)
    out = "".join(CYR.get(c, c) for c in s)
    out = "".join(c for c in out if c.isascii() and c.isalnum())
    return out or "user"


# ---------------------------------------------------------------- languages ----------------
# names: (given, family) as written in the nominative; the last pairs of each list are not in
# the gazetteers (data/assistant), so they test the rules (titles, endings), not the lists.
# places: (the form the templates' preposition takes, the gazetteer's value).
# months: the form a date uses; rel: relative words and their day offsets; at: before a time.

LANG = {
    "pl": dict(
        names=[("Jan", "Kowalski"), ("Anna", "Nowak"), ("Piotr", "Wiśniewski"),
               ("Katarzyna", "Wójcik"), ("Tomasz", "Zieliński"), ("Magdalena", "Kamińska"),
               ("Marek", "Lewandowski"), ("Ewa", "Dąbrowska"), ("Łukasz", "Mazur"),
               ("Bartosz", "Sikorski"), ("Agata", "Rutkowska")],
        places=[("Krakowie", "Kraków"), ("Warszawie", "Warszawa"), ("Gdańsku", "Gdańsk"),
                ("Wrocławiu", "Wrocław"), ("Poznaniu", "Poznań"), ("Lublinie", "Lublin"),
                ("Rzeszowie", "Rzeszów"), ("Katowicach", "Katowice"), ("Przemyślu", "Przemyśl"),
                ("Terespolu", "Terespol"), ("Nowym Sączu", "Nowy Sącz"), ("Tarnowie", "Tarnów")],
        months=["stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia",
                "września", "października", "listopada", "grudnia"],
        fmt=["{d} {M} {y}", "{dd}.{mm}.{y}", "{d} {M} {y} r."],
        at=[" o godz. ", " około godz. ", " o "], rel=[("wczoraj", -1), ("przedwczoraj", -2),
                                                      ("dzisiaj", 0)],
        caps=True),
    "en": dict(
        names=[("John", "Smith"), ("Sarah", "Taylor"), ("Michael", "Brown"), ("Emma", "Wilson"),
               ("David", "Evans"), ("Laura", "Walker"), ("James", "Thompson"), ("Helen", "Hughes"),
               ("Oliver", "Green"), ("Gareth", "Pritchard"), ("Nicola", "Fairbanks")],
        places=[("Warsaw", "Warszawa"), ("Krakow", "Kraków"), ("London", "London"), ("Kyiv", "Kyiv"),
                ("Berlin", "Berlin"), ("Vilnius", "Vilnius"), ("Minsk", "Minsk"), ("Baku", "Baku"),
                ("Tbilisi", "Tbilisi"), ("Istanbul", "Istanbul"), ("Riga", "Riga"),
                ("Gdansk", "Gdańsk")],
        months=["January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"],
        fmt=["{M} {d}, {y}", "{d} {M} {y}", "{dd}/{mm}/{y}"],
        at=[" at ", " around "], rel=[("yesterday", -1), ("today", 0)], caps=True),
    "ru": dict(
        names=[("Иван", "Петров"), ("Алексей", "Смирнов"), ("Сергей", "Кузнецов"),
               ("Ольга", "Иванова"), ("Дмитрий", "Попов"), ("Наталья", "Соколова"),
               ("Андрей", "Волков"), ("Елена", "Морозова"), ("Игорь", "Васильев"),
               ("Виталий", "Громов"), ("Жанна", "Белова")],
        places=[("Москве", "Moscow"), ("Варшаве", "Warszawa"), ("Кракове", "Kraków"),
                ("Минске", "Minsk"), ("Киеве", "Kyiv"), ("Берлине", "Berlin"),
                ("Гданьске", "Gdańsk"), ("Вроцлаве", "Wrocław"), ("Стамбуле", "Istanbul"),
                ("Баку", "Baku"), ("Тбилиси", "Tbilisi"), ("Лондоне", "London")],
        months=["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
                "сентября", "октября", "ноября", "декабря"],
        fmt=["{d} {M} {y}", "{dd}.{mm}.{y}", "{d} {M} {y} г."],
        at=[" в ", " около "], rel=[("вчера", -1), ("позавчера", -2), ("сегодня", 0)], caps=True),
    "uk": dict(
        names=[("Олександр", "Шевченко"), ("Оксана", "Коваленко"), ("Тарас", "Бондаренко"),
               ("Ірина", "Ткаченко"), ("Богдан", "Мельник"), ("Олена", "Бойко"),
               ("Андрій", "Кравченко"), ("Тетяна", "Лисенко"), ("Василь", "Руденко"),
               ("Ярослав", "Гнатюк"), ("Соломія", "Дячук")],
        places=[("Києві", "Kyiv"), ("Варшаві", "Warszawa"), ("Кракові", "Kraków"),
                ("Любліні", "Lublin"), ("Вроцлаві", "Wrocław"), ("Берліні", "Berlin"),
                ("Лондоні", "London"), ("Києві", "Kyiv")],
        months=["січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня",
                "вересня", "жовтня", "листопада", "грудня"],
        fmt=["{d} {M} {y}", "{dd}.{mm}.{y}", "{d} {M} {y} року"],
        at=[" о ", " близько "], rel=[("вчора", -1), ("позавчора", -2), ("сьогодні", 0)],
        caps=True),
    "be": dict(
        names=[("Аляксандр", "Навіцкі"), ("Сяргей", "Мароз"), ("Вольга", "Шаўчук"),
               ("Андрэй", "Ляшкевіч"), ("Наталля", "Кавалёва"), ("Дзмітрый", "Макарэвіч"),
               ("Ірына", "Караткевіч"), ("Мікалай", "Кавалёў"), ("Алена", "Навіцкая"),
               ("Уладзімір", "Сушкевіч"), ("Кацярына", "Жукоўская")],
        places=[("Мінску", "Minsk"), ("Варшаве", "Warszawa"), ("Беластоку", "Białystok"),
                ("Вільні", "Vilnius"), ("Маскве", "Moscow")],
        months=["студзеня", "лютага", "сакавіка", "красавіка", "мая", "чэрвеня", "ліпеня",
                "жніўня", "верасня", "кастрычніка", "лістапада", "снежня"],
        fmt=["{d} {M} {y}", "{dd}.{mm}.{y}", "{d} {M} {y} года"],
        at=[" у ", " а "], rel=[("учора", -1), ("сёння", 0)], caps=True),
    "az": dict(
        names=[("Elnur", "Məmmədov"), ("Aysel", "Əliyeva"), ("Rəşad", "Həsənov"),
               ("Leyla", "Quliyeva"), ("Orxan", "Hüseynov"), ("Günay", "Abdullayeva"),
               ("Tural", "İsmayılov"), ("Nigar", "Rzayeva"), ("Kamran", "Cəfərov"),
               ("Fuad", "Nəsirov"), ("Xədicə", "Babayeva")],
        places=[("Bakıda", "Baku"), ("Varşavada", "Warszawa"), ("Tbilisidə", "Tbilisi"),
                ("Moskvada", "Moscow"), ("Ankarada", "Ankara"), ("İstanbulda", "Istanbul")],
        months=["yanvar", "fevral", "mart", "aprel", "may", "iyun", "iyul", "avqust", "sentyabr",
                "oktyabr", "noyabr", "dekabr"],
        fmt=["{d} {M} {y}", "{dd}.{mm}.{y}", "{d} {M} {y}-ci il"],
        at=[" saat "], rel=[("dünən", -1), ("bu gün", 0)], caps=True),
    "tr": dict(
        names=[("Mehmet", "Yılmaz"), ("Ayşe", "Kaya"), ("Mustafa", "Demir"), ("Fatma", "Şahin"),
               ("Ahmet", "Çelik"), ("Zeynep", "Yıldız"), ("Murat", "Öztürk"), ("Elif", "Aydın"),
               ("Emre", "Arslan"), ("Serkan", "Karaoğlu"), ("Büşra", "Taşdemir")],
        places=[("İstanbul'da", "Istanbul"), ("Ankara'da", "Ankara"), ("Varşova'da", "Warszawa"),
                ("Berlin'de", "Berlin"), ("Moskova'da", "Moscow")],
        months=["Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül",
                "Ekim", "Kasım", "Aralık"],
        fmt=["{d} {M} {y}", "{dd}.{mm}.{y}"],
        at=[" saat "], rel=[("dün", -1), ("bugün", 0)], caps=True),
    "ar": dict(
        names=[("محمد", "العلي"), ("أحمد", "المصري"), ("خالد", "حداد"), ("يوسف", "منصور"),
               ("علي", "الحسن"), ("فاطمة", "صالح"), ("عمر", "درويش"), ("مريم", "ناصر"),
               ("حسن", "العمري"), ("سامي", "النجار"), ("ليلى", "الشامي")],
        places=[("وارسو", "Warszawa"), ("موسكو", "Moscow"), ("برلين", "Berlin"), ("باكو", "Baku"),
                ("إسطنبول", "Istanbul"), ("كييف", "Kyiv"), ("لندن", "London"), ("بغداد", "Baghdad"),
                ("دمشق", "Damascus"), ("بيروت", "Beirut")],
        months=["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
                "أكتوبر", "نوفمبر", "ديسمبر"],
        fmt=["{d} {M} {y}", "{dd}/{mm}/{y}"],
        at=[" الساعة "], rel=[("أمس", -1), ("اليوم", 0)], caps=False),
    "de": dict(
        names=[("Hans", "Müller"), ("Sabine", "Schmidt"), ("Stefan", "Schneider"),
               ("Petra", "Fischer"), ("Jürgen", "Weber"), ("Claudia", "Meyer"),
               ("Matthias", "Wagner"), ("Julia", "Becker"), ("Lukas", "Hoffmann"),
               ("Torsten", "Brückner"), ("Heike", "Lindemann")],
        places=[("Warschau", "Warszawa"), ("Krakau", "Kraków"), ("Berlin", "Berlin"),
                ("Danzig", "Gdańsk"), ("Breslau", "Wrocław"), ("Stettin", "Szczecin"),
                ("Wien", "Vienna"), ("Moskau", "Moscow"), ("Kiew", "Kyiv")],
        months=["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
                "Oktober", "November", "Dezember"],
        fmt=["{d}. {M} {y}", "{dd}.{mm}.{y}"],
        at=[" um ", " gegen "], rel=[("gestern", -1), ("vorgestern", -2), ("heute", 0)],
        caps=True),
    "fr": dict(
        names=[("Jean", "Dupont"), ("Marie", "Martin"), ("Pierre", "Bernard"),
               ("Nathalie", "Dubois"), ("Nicolas", "Durand"), ("Isabelle", "Moreau"),
               ("Julien", "Lefebvre"), ("Camille", "Laurent"), ("Antoine", "Girard"),
               ("Thibault", "Marchand"), ("Solène", "Perrin")],
        places=[("Varsovie", "Warszawa"), ("Cracovie", "Kraków"), ("Paris", "Paris"),
                ("Berlin", "Berlin"), ("Londres", "London"), ("Moscou", "Moscow"),
                ("Bruxelles", "Brussels")],
        months=["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                "septembre", "octobre", "novembre", "décembre"],
        fmt=["{d} {M} {y}", "{dd}/{mm}/{y}"],
        at=[" à ", " vers "], rel=[("hier", -1), ("avant-hier", -2), ("aujourd'hui", 0)],
        caps=True),
    "es": dict(
        names=[("José", "García"), ("Carmen", "Fernández"), ("Antonio", "González"),
               ("Lucía", "Rodríguez"), ("Manuel", "López"), ("Isabel", "Martínez"),
               ("Javier", "Sánchez"), ("Cristina", "Pérez"), ("Carlos", "Gómez"),
               ("Iñaki", "Etxeberria"), ("Remedios", "Villalobos")],
        places=[("Varsovia", "Warszawa"), ("Cracovia", "Kraków"), ("Madrid", "Madrid"),
                ("Moscú", "Moscow"), ("Londres", "London"), ("Bruselas", "Brussels"),
                ("Viena", "Vienna")],
        months=["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
                "septiembre", "octubre", "noviembre", "diciembre"],
        fmt=["{d} de {M} de {y}", "{dd}/{mm}/{y}"],
        at=[" a las "], rel=[("ayer", -1), ("anteayer", -2), ("hoy", 0)], caps=True),
    "ka": dict(
        names=[("გიორგი", "ბერიძე"), ("ნინო", "კაპანაძე"), ("დავით", "გელაშვილი"),
               ("ლევან", "მაისურაძე"), ("თამარ", "ლომიძე"), ("ირაკლი", "გიორგაძე"),
               ("მარიამ", "წიკლაური"), ("ნიკა", "ჯავახიშვილი"), ("ანა", "ხარაიშვილი"),
               ("ზურაბ", "ნოზაძე"), ("სალომე", "ქავთარაძე")],
        places=[("თბილისში", "Tbilisi"), ("ვარშავაში", "Warszawa"), ("ბაქოში", "Baku"),
                ("მოსკოვში", "Moscow"), ("ბერლინში", "Berlin"), ("ლონდონში", "London"),
                ("კიევში", "Kyiv")],
        months=["იანვარს", "თებერვალს", "მარტს", "აპრილს", "მაისს", "ივნისს", "ივლისს",
                "აგვისტოს", "სექტემბერს", "ოქტომბერს", "ნოემბერს", "დეკემბერს"],
        fmt=["{y} წლის {d} {M}", "{dd}.{mm}.{y}"],
        at=[], rel=[("გუშინ", -1), ("დღეს", 0)], caps=False),
}

# Templates: {P} a person, {PH} a phone, {D} a date, {IB} an IBAN, {CD} a card, {W} a wallet,
# {EM} an e-mail address, {U} a URL, {PL} a place; decoys, not entities: {XIB} an IBAN and
# {XCD} a card with a wrong check digit, {CASE} a case number, {AMT} an amount.
TEMPLATES = {
    "pl": [
        "Zwracamy się z prośbą o ustalenie abonenta numeru {PH}. Z numeru tego {D} kontaktował się "
        "z pokrzywdzonym mężczyzna podający się za pracownika banku. Sygn. {CASE}.",
        "Pan {P} zgłosił, że {D} w {PL} nieznany sprawca przejął jego konto i przelał {AMT} na "
        "rachunek {IB}.",
        "Zgłoszenie na mapie: nielegalne parkowanie na chodniku w {PL}, powtarza się od {D}. "
        "Kierowca to prawdopodobnie {P}, tel. {PH}.",
        "Notatka: {D} przesłuchano świadka {P} zamieszkałą w {PL}. Świadek podała adres e-mail "
        "{EM} oraz numer karty {CD}, z której pobrano {AMT}.",
        "Oszustwo inwestycyjne: pokrzywdzony wpłacił {AMT} na portfel {W} po wejściu na stronę {U}. "
        "Podany rachunek {XIB} jest nieprawidłowy.",
        "Dane osoby: {P}, ur. {D}, kontakt {PH}, rachunek {IB}; karta {XCD} zgłoszona jako "
        "zastrzeżona.",
    ],
    "en": [
        "Request for information: please identify the subscriber of {PH}, used on {D} to contact "
        "the victim. Our reference {CASE}.",
        "Mr {P} reported that on {D} in {PL} his bank account was taken over and {AMT} was sent "
        "to {IB}.",
        "Witness statement: {P} saw the vehicle in {PL} on {D}. She can be reached at {EM} or {PH}.",
        "Investment fraud: the victim paid {AMT} to the wallet {W} after visiting {U}. The card "
        "{CD} was charged on {D}.",
        "Subject: {P}, date of birth {D}, phone {PH}. The account {XIB} given by the caller does "
        "not exist.",
        "Suspicious payments from card {XCD} and {CD} were reported by the bank in {PL}.",
    ],
    "ru": [
        "Просим установить владельца номера {PH}, с которого {D} звонили потерпевшему. Дело {CASE}.",
        "Гражданин {P} сообщил, что {D} в {PL} неизвестные сняли с его счета {IB} сумму {AMT}.",
        "Задержан {P}, проживающий в {PL}. При себе имел карту {CD} и телефон {PH}.",
        "Потерпевшая перевела {AMT} на криптокошелек {W} после перехода на сайт {U} {D}.",
        "Свидетель {P} указал адрес электронной почты {EM}. Счет {XIB} указан с ошибкой.",
        "Справка: {P}, дата рождения {D}, тел. {PH}, карта {XCD} недействительна.",
    ],
    "uk": [
        "Просимо встановити абонента номера {PH}, з якого {D} телефонували потерпілому. Справа {CASE}.",
        "Громадянин {P} повідомив, що {D} у {PL} з його рахунку {IB} списано {AMT}.",
        "Затримано {P}, який проживає у {PL}. Вилучено картку {CD} та телефон {PH}.",
        "Потерпіла переказала {AMT} на гаманець {W} після переходу на сайт {U} {D}.",
        "Свідок {P} надав електронну адресу {EM}. Рахунок {XIB} вказано з помилкою.",
        "Довідка: {P}, дата народження {D}, тел. {PH}, картка {XCD} недійсна.",
    ],
    "be": [
        "Просім устанавіць абанента нумара {PH}, з якога {D} тэлефанавалі пацярпеламу. Справа {CASE}.",
        "Грамадзянін {P} паведаміў, што {D} у {PL} з яго рахунку {IB} знялі {AMT}.",
        "Затрыманы {P}, які пражывае ў {PL}. Пры ім была картка {CD} і тэлефон {PH}.",
        "Пацярпелая перавяла {AMT} на кашалёк {W} пасля наведвання сайта {U} {D}.",
        "Сведка {P} паведаміў электронны адрас {EM}. Рахунак {XIB} пазначаны з памылкай.",
        "Даведка: {P}, дата нараджэння {D}, тэл. {PH}, картка {XCD} несапраўдная.",
    ],
    "az": [
        "Xahiş edirik {PH} nömrəsinin abunəçisini müəyyən edəsiniz, {D} bu nömrədən zərərçəkənə zəng "
        "edilib. İş {CASE}.",
        "Vətəndaş {P} bildirdi ki, {D} {PL} onun {IB} hesabından {AMT} çıxarılıb.",
        "{P} saxlanılıb, {PL} yaşayır. Üzərində {CD} kartı və {PH} telefonu olub.",
        "Zərərçəkən {U} saytına daxil olduqdan sonra {D} {W} kriptopul kisəsinə {AMT} köçürüb.",
        "Şahid {P} elektron poçt ünvanını {EM} göstərib. {XIB} hesabı səhv yazılıb.",
        "Arayış: {P}, doğum tarixi {D}, tel. {PH}, {XCD} kartı etibarsızdır.",
    ],
    "tr": [
        "{PH} numarasının abonesinin tespit edilmesini rica ederiz; {D} bu numaradan mağdur "
        "aranmıştır. Dosya {CASE}.",
        "Vatandaş {P}, {D} {PL} {IB} numaralı hesabından {AMT} çekildiğini bildirdi.",
        "Şüpheli {P} {PL} yakalandı. Üzerinde {CD} numaralı kart ve {PH} numaralı telefon vardı.",
        "Mağdur {U} sitesine girdikten sonra {D} {W} adresli cüzdana {AMT} gönderdi.",
        "Tanık {P} e-posta adresi olarak {EM} verdi. {XIB} numaralı hesap hatalı.",
        "Bilgi: {P}, doğum tarihi {D}, tel. {PH}, {XCD} numaralı kart geçersiz.",
    ],
    "ar": [
        "نرجو تحديد صاحب الرقم {PH} الذي اتصل بالضحية بتاريخ {D}. رقم القضية {CASE}.",
        "أفاد المواطن {P} أنه بتاريخ {D} في {PL} تم سحب {AMT} من حسابه {IB}.",
        "تم القبض على {P} المقيم في {PL} وبحوزته البطاقة {CD} والهاتف {PH}.",
        "حولت الضحية {AMT} إلى المحفظة {W} بعد زيارة الموقع {U} بتاريخ {D}.",
        "قدم الشاهد {P} البريد الإلكتروني {EM}. الحساب {XIB} غير صحيح.",
        "معلومات: {P}، تاريخ الميلاد {D}، هاتف {PH}، البطاقة {XCD} غير صالحة.",
    ],
    "de": [
        "Wir bitten um Feststellung des Anschlussinhabers der Nummer {PH}, von der am {D} der "
        "Geschädigte angerufen wurde. Aktenzeichen {CASE}.",
        "Herr {P} zeigte an, dass am {D} in {PL} {AMT} von seinem Konto {IB} abgebucht wurden.",
        "Festgenommen wurde {P}, wohnhaft in {PL}. Er hatte die Karte {CD} und das Handy {PH} bei sich.",
        "Die Geschädigte überwies {AMT} an die Wallet {W}, nachdem sie am {D} die Seite {U} besucht hatte.",
        "Die Zeugin {P} gab die E-Mail-Adresse {EM} an. Das Konto {XIB} ist fehlerhaft.",
        "Auskunft: {P}, geboren am {D}, Tel. {PH}, die Karte {XCD} ist ungültig.",
    ],
    "fr": [
        "Nous vous prions d'identifier le titulaire du numéro {PH}, utilisé le {D} pour appeler la "
        "victime. Référence {CASE}.",
        "M. {P} a déclaré que le {D} à {PL} {AMT} ont été prélevés sur son compte {IB}.",
        "Interpellé : {P}, domicilié à {PL}, porteur de la carte {CD} et du téléphone {PH}.",
        "La victime a versé {AMT} sur le portefeuille {W} après avoir consulté le site {U} le {D}.",
        "Le témoin {P} a donné l'adresse électronique {EM}. Le compte {XIB} est erroné.",
        "Renseignements : {P}, né le {D}, tél. {PH}, la carte {XCD} est invalide.",
    ],
    "es": [
        "Solicitamos identificar al titular del número {PH}, desde el que el {D} se llamó a la "
        "víctima. Referencia {CASE}.",
        "El señor {P} denunció que el {D} en {PL} se retiraron {AMT} de su cuenta {IB}.",
        "Detenido {P}, con domicilio en {PL}, portaba la tarjeta {CD} y el teléfono {PH}.",
        "La víctima transfirió {AMT} a la cartera {W} tras visitar la web {U} el {D}.",
        "El testigo {P} facilitó el correo electrónico {EM}. La cuenta {XIB} es errónea.",
        "Datos: {P}, nacido el {D}, tel. {PH}, la tarjeta {XCD} no es válida.",
    ],
    "ka": [
        "გთხოვთ დაადგინოთ ნომრის {PH} აბონენტი, საიდანაც {D} დაურეკეს დაზარალებულს. საქმე {CASE}.",
        "მოქალაქე {P} აცხადებს, რომ {D} {PL} მისი ანგარიშიდან {IB} ჩამოიჭრა {AMT}.",
        "დაკავებულია {P}, რომელიც ცხოვრობს {PL}. მას ჰქონდა ბარათი {CD} და ტელეფონი {PH}.",
        "დაზარალებულმა საიტზე {U} შესვლის შემდეგ {D} საფულეზე {W} გადარიცხა {AMT}.",
        "მოწმემ {P} მიუთითა ელფოსტა {EM}. ანგარიში {XIB} არასწორია.",
        "ცნობა: {P}, დაბადების თარიღი {D}, ტელ. {PH}, ბარათი {XCD} არ არის მოქმედი.",
    ],
}

IBAN_COUNTRY = {"pl": "PL", "en": "GB", "ru": "PL", "uk": "UA", "be": "BY", "az": "AZ", "tr": "TR",
                "ar": "SA", "de": "DE", "fr": "FR", "es": "ES", "ka": "GE"}
AMOUNTS = {"pl": "{} zł", "en": "GBP {}", "ru": "{} рублей", "uk": "{} грн", "be": "{} рублёў",
           "az": "{} manat", "tr": "{} TL", "ar": "{} ريال", "de": "{} Euro", "fr": "{} €",
           "es": "{} euros", "ka": "{} ლარი"}
BIRTH = ("ur.", "birth", "рождения", "народження", "нараджэння", "doğum", "الميلاد", "geboren",
         "né le", "nacido", "დაბადების")
CAPS_STYLE = {"pl", "ru", "uk", "be"}


def days_from_civil(y, m, d):
    import datetime
    return (datetime.date(y, m, d) - datetime.date(1970, 1, 1)).days


def civil(days):
    import datetime
    return datetime.date(1970, 1, 1) + datetime.timedelta(days=days)


def date_slot(lang, ref_days, birth):
    L = LANG[lang]
    if not birth and R.random() < 0.2:
        word, off = R.choice(L["rel"])
        day = civil(ref_days + off)
        surface, value = word, day.isoformat()
    else:
        day = civil(ref_days - R.randint(1, 400)) if not birth else civil(
            days_from_civil(R.randint(1960, 2004), 1, 1) + R.randint(0, 364))
        fmt = R.choice(L["fmt"])
        surface = fmt.format(d=day.day, dd="%02d" % day.day, M=L["months"][day.month - 1],
                             mm="%02d" % day.month, y=day.year)
        if lang == "az" and fmt.endswith("il"):
            surface = surface.replace("-ci il", "-cı il") if day.year % 10 in (0, 6, 9) else surface
        value = day.isoformat()
    if L["at"] and not birth and R.random() < 0.4:
        hh, mi = R.randint(0, 23), R.choice([0, 5, 10, 15, 20, 30, 40, 45, 50])
        surface += R.choice(L["at"]) + "%d:%02d" % (hh, mi)
        value += "T%02d:%02d" % (hh, mi)
    elif surface.endswith((" r.", " г.", " року", " года", " il")):
        # without a time the year's word is not part of the date's span
        core = surface.rsplit(" ", 1)[0] if not surface.endswith(" il") else surface.split("-")[0]
        return core, value, surface[len(core):]
    return surface, value, ""


def person_slot(lang):
    names = LANG[lang]["names"]
    given, family = R.choice(names[-2:]) if R.random() < 0.15 else R.choice(names[:-2])
    if lang in CAPS_STYLE and R.random() < 0.2:
        return "%s %s" % (family.upper(), given)
    return "%s %s" % (given, family)


def fill(lang, template, ref_days):
    text, ents = "", []
    birth = any(b in template for b in BIRTH)
    pos = 0

    def put(surface, typ=None, value=None):
        nonlocal text
        if typ:
            ents.append({"type": typ, "start": len(text), "end": len(text) + len(surface),
                         "value": value})
        text += surface

    while pos < len(template):
        a = template.find("{", pos)
        if a < 0:
            put(template[pos:])
            break
        put(template[pos:a])
        b = template.index("}", a)
        slot = template[a + 1:b]
        pos = b + 1
        if slot == "P":
            s = person_slot(lang)
            put(s, "person", s)
        elif slot == "PH":
            s, v = phone(lang)
            put(s, "phone", v)
        elif slot == "D":
            s, v, tail = date_slot(lang, ref_days, birth)
            put(s, "date", v)
            put(tail)
        elif slot == "IB":
            cc = IBAN_COUNTRY[lang] if R.random() < 0.7 else R.choice(["PL", "DE", "LT", "GB"])
            s, v = iban(cc)
            put(s, "iban", v)
        elif slot == "XIB":
            put(iban(IBAN_COUNTRY[lang], decoy=True)[0])
        elif slot == "CD":
            s, v = card()
            put(s, "card", v)
        elif slot == "XCD":
            put(card(decoy=True)[0])
        elif slot == "W":
            s, v = wallet()
            put(s, "crypto", v)
        elif slot == "EM":
            g, f = R.choice(LANG["en" if lang in ("ar", "ka") else lang]["names"])
            s, v = email(g, f)
            put(s, "email", v)
        elif slot == "U":
            s, v = url()
            put(s, "url", v)
        elif slot == "PL":
            s, v = R.choice(LANG[lang]["places"])
            put(s, "place", v)
        elif slot == "CASE":
            put(R.choice(["RSD-%d/%d" % (R.randint(100, 9999), R.randint(24, 26)),
                          "%d/KR/%04d" % (R.randint(2024, 2026), R.randint(1, 9999)),
                          "II K %d/%d" % (R.randint(1, 999), R.randint(24, 26))]))
        elif slot == "AMT":
            put(AMOUNTS[lang].format("%d %03d" % (R.randint(1, 99), R.randint(0, 999))))
        else:
            raise SystemExit("unknown slot " + slot)
    return text, ents


def main():
    n = 0
    for lang in ["pl", "en", "ru", "uk", "be", "az", "tr", "ar", "de", "fr", "es", "ka"]:
        temps = TEMPLATES[lang]
        for i in range(PER_LANGUAGE):
            ref_days = days_from_civil(2026, 1, 1) + R.randint(0, 150)
            text, ents = fill(lang, temps[i % len(temps)], ref_days)
            n += 1
            doc = {"id": "%s-%03d" % (lang, i + 1), "language": lang,
                   "reference_date": civil(ref_days).isoformat(), "text": text,
                   "entities": ents}
            sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return n


if __name__ == "__main__":
    main()


# ---------------------------------------------------------------- documents and vehicles ---
# Ten more texts per language (after the 720 above, which they leave as they were): a border
# check with a passport number, a vehicle's plate and VIN, and the passport's MRZ (TD3).

def mrz_digit(s):
    w = [7, 3, 1]
    total = 0
    for i, c in enumerate(s):
        v = int(c) if c.isdigit() else (ord(c) - 55 if c.isalpha() else 0)
        total += v * w[i % 3]
    return str(total % 10)


def mrz_td3(surname, given, issuer, number, birth, sex, expiry):
    name = (surname + "<<" + given).replace(" ", "<")
    l1 = ("P<" + issuer + name + "<" * 44)[:44]
    num = (number + "<" * 9)[:9]
    opt = "<" * 14
    l2 = num + mrz_digit(num) + issuer + birth + mrz_digit(birth) + sex + expiry + \
        mrz_digit(expiry) + opt + mrz_digit(opt)
    l2 += mrz_digit(l2[0:10] + l2[13:20] + l2[21:43])
    return l1 + "\n" + l2


VIN_ALPHA = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
VIN_VALUE = dict(zip("ABCDEFGHJKLMNPRSTUVWXYZ", [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3,
                                                 4, 5, 6, 7, 8, 9]))


def vin():
    if R.random() < 0.5:  # North America: the check digit is required
        body = R.choice("12345") + "".join(R.choice(VIN_ALPHA) for _ in range(10)) + \
            "".join(R.choice(DIG) for _ in range(6))  # the serial: six digits
        w = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
        total = sum((int(c) if c.isdigit() else VIN_VALUE[c]) * w[i] for i, c in enumerate(body))
        d = "X" if total % 11 == 10 else str(total % 11)
        v = body[:8] + d + body[9:]
    else:  # Europe: WMI W, V, S..Z, no check digit required
        v = R.choice(["WVW", "WBA", "WDB", "VF1", "SUP", "TMB", "ZFA", "YV1"]) + \
            "".join(R.choice(VIN_ALPHA) for _ in range(8)) + "".join(R.choice(DIG) for _ in range(6))
    return (v.lower() if R.random() < 0.1 else v), v


LAT2CYR = dict(zip("ABCEHIKMOPTX", "АВСЕНІКМОРТХ"))


def plate(lang):
    L = "ABCDEFGHJKLMNPRSTUVWXYZ"
    if lang == "ru":
        letters = [R.choice("ABEKMHOPCTYX") for _ in range(3)]
        digits = "%03d" % R.randint(1, 999)
        region = str(R.choice([77, 99, 39, 50, 178]))
        text = "".join(LAT2CYR.get(c, c) for c in letters[0]) + digits + \
            "".join(LAT2CYR.get(c, c) for c in letters[1:]) + " " + region
        return text, letters[0] + digits + letters[1] + letters[2] + region
    if lang == "uk":
        a = "".join(R.choice("ABCEHIKMOPTX") for _ in range(2))
        b = "".join(R.choice("ABCEHIKMOPTX") for _ in range(2))
        d = "%04d" % R.randint(1, 9999)
        cyr = lambda s: "".join(LAT2CYR[c] for c in s)
        return "%s %s %s" % (cyr(a), d, cyr(b)), a + d + b
    if lang == "be":
        d = "%04d" % R.randint(1, 9999)
        ab = "".join(R.choice("ABEIKMHOPCTX") for _ in range(2))
        reg = str(R.randint(1, 7))
        return "%s %s-%s" % (d, "".join(LAT2CYR[c] for c in ab), reg), d + ab + reg
    if lang == "de":
        city = R.choice(["B", "M", "HH", "F", "DD"])
        mid = "".join(R.choice("ABCDEFGHKLMNPRSTUVWXYZ") for _ in range(2))
        d = str(R.randint(1, 9999))
        return "%s-%s %s" % (city, mid, d), city + mid + d
    county = R.choice(["KR", "WA", "GD", "PO", "WR", "LU", "RZ", "KT"])
    if R.random() < 0.5:
        d = "%05d" % R.randint(1, 99999)
        return "%s %s" % (county, d), county + d
    d = "%04d" % R.randint(1, 9999) + R.choice(L)
    return "%s %s" % (county, d), county + d


def passport(lang):
    pre = {"pl": "E", "uk": "F", "ru": "7", "be": "M", "de": "C", "fr": "1"}.get(lang, "A")
    if pre.isdigit():
        num = pre + "".join(R.choice(DIG) for _ in range(8))
    else:
        num = pre + R.choice("ABCDEFGHJK") + "".join(R.choice(DIG) for _ in range(7))
    return num


ISSUER = {"pl": "POL", "en": "GBR", "ru": "RUS", "uk": "UKR", "be": "BLR", "az": "AZE", "tr": "TUR",
          "ar": "SAU", "de": "D<<", "fr": "FRA", "es": "ESP", "ka": "GEO"}

ID_TEMPLATES = {
    "pl": "Kontrola graniczna w {PL}: {P} okazał paszport nr {DOC}, kierował pojazdem o nr rej. "
          "{PLATE}, VIN {VIN}. Odczyt strefy MRZ:\n{MRZ}\nSprawa {CASE}.",
    "en": "Border check at {PL}: {P} presented passport no. {DOC}, driving a car with registration "
          "{PLATE}, VIN {VIN}. MRZ read:\n{MRZ}\nReference {CASE}.",
    "ru": "Проверка на границе: {P} предъявил паспорт {DOC}, автомобиль госномер {PLATE}, VIN "
          "{VIN}. Машиночитаемая зона:\n{MRZ}\nДело {CASE}.",
    "uk": "Перевірка на кордоні: {P} пред'явив паспорт {DOC}, автомобіль номерний знак {PLATE}, "
          "VIN {VIN}. Машинозчитувана зона:\n{MRZ}\nСправа {CASE}.",
    "be": "Праверка на мяжы: {P} паказаў пашпарт {DOC}, аўтамабіль дзяржаўны нумар {PLATE}, VIN "
          "{VIN}. Машыначытальная зона:\n{MRZ}\nСправа {CASE}.",
    "az": "Sərhəd yoxlaması: {P} pasport {DOC} təqdim etdi, avtomobilin nömrə nişanı {PLATE}, VIN "
          "{VIN}. MRZ:\n{MRZ}\nİş {CASE}.",
    "tr": "Sınır kontrolü: {P} pasaport {DOC} ibraz etti, araç plaka {PLATE}, VIN {VIN}. MRZ:\n"
          "{MRZ}\nDosya {CASE}.",
    "ar": "تفتيش حدودي: قدم {P} جواز السفر {DOC}، السيارة لوحة {PLATE}، VIN {VIN}. المنطقة المقروءة آليا:\n"
          "{MRZ}\nرقم القضية {CASE}.",
    "de": "Grenzkontrolle: {P} legte den Reisepass {DOC} vor, Fahrzeug mit dem Kennzeichen {PLATE}, "
          "FIN {VIN}. Maschinenlesbare Zone:\n{MRZ}\nAktenzeichen {CASE}.",
    "fr": "Contrôle frontalier : {P} a présenté le passeport {DOC}, véhicule immatriculé {PLATE}, VIN "
          "{VIN}. Zone de lecture automatique :\n{MRZ}\nRéférence {CASE}.",
    "es": "Control fronterizo: {P} presentó el pasaporte {DOC}, vehículo con matrícula {PLATE}, VIN "
          "{VIN}. Zona de lectura mecánica:\n{MRZ}\nReferencia {CASE}.",
    "ka": "სასაზღვრო შემოწმება: {P} წარადგინა პასპორტი {DOC}, ავტომობილი სახელმწიფო ნომრით {PLATE}, "
          "VIN {VIN}. MRZ:\n{MRZ}\nსაქმე {CASE}.",
}


def fill_ids(lang, template):
    text, ents = "", []
    pos = 0
    person = person_slot(lang)
    latin = translit(person.split()[-1 if not person.split()[0].isupper() else 0]).upper() or "X"
    while pos < len(template):
        a = template.find("{", pos)
        if a < 0:
            text += template[pos:]
            break
        text += template[pos:a]
        b = template.index("}", a)
        slot, pos = template[a + 1:b], b + 1
        start = len(text)
        if slot == "P":
            s, typ, val = person, "person", person
        elif slot == "PL":
            s, val = R.choice(LANG[lang]["places"])
            typ = "place"
        elif slot == "DOC":
            s = passport(lang)
            doc = s
            typ, val = "document", s
        elif slot == "PLATE":
            s, val = plate(lang)
            typ = "plate"
        elif slot == "VIN":
            s, val = vin()
            typ = "vin"
        elif slot == "MRZ":
            birth = "%02d%02d%02d" % (R.randint(60, 99), R.randint(1, 12), R.randint(1, 28))
            expiry = "%02d%02d%02d" % (R.randint(27, 35), R.randint(1, 12), R.randint(1, 28))
            s = mrz_td3(latin, "JAN", ISSUER[lang], doc, birth, R.choice("MF"), expiry)
            typ, val = "mrz", s
        elif slot == "CASE":
            s, typ = "RSD-%d/%d" % (R.randint(100, 9999), R.randint(24, 26)), None
        else:
            raise SystemExit("unknown slot " + slot)
        text += s
        if typ:
            ents.append({"type": typ, "start": start, "end": len(text), "value": val})
    return text, ents


def main_ids():
    for lang in ["pl", "en", "ru", "uk", "be", "az", "tr", "ar", "de", "fr", "es", "ka"]:
        for i in range(10):
            ref_days = days_from_civil(2026, 1, 1) + R.randint(0, 150)
            text, ents = fill_ids(lang, ID_TEMPLATES[lang])
            doc = {"id": "%s-%03d" % (lang, PER_LANGUAGE + i + 1), "language": lang,
                   "reference_date": civil(ref_days).isoformat(), "text": text, "entities": ents}
            sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main_ids()
