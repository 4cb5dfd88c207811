#!/usr/bin/env python3
"""Builds eval.tsv, the labelled language-identification set of tests/data/assistant/lang.

How it is made: the texts are real human translations, the messages of the gettext catalogues
(/usr/share/locale/<lang>/LC_MESSAGES/*.mo) that a Debian 12 machine with the build packages
installed carries (glib, gtk, coreutils, apt, systemd, ...); English is their source text (msgid).
Each message is cleaned of what is not prose (printf and {} placeholders, markup, mnemonic
underscores, line breaks), and kept only when it is mostly letters, mostly in the script of its
language, and (for the non-English languages) different from its English source. Short texts
(20-100 characters) are single messages; long ones (>= 100 characters) are single long
messages or consecutive messages of one catalogue joined with a space until they reach 100.
A text that occurs under two languages is dropped. 150 of each (language, length) are drawn
with a fixed seed. Country, language and keyboard-layout name lists (iso_*, xkeyboard-config)
are left out: they are names, not sentences.

Software messages are not police texts: the set measures the identifier on real prose of every
language, written by people; the assistant engineer's corpus (tests/data/assistant/corpus.jsonl)
is the police-style one. Re-run: python3 make.py > eval.tsv (needs the locales of those packages;
the committed eval.tsv is what the tests read).
Columns: language (ISO 639-1), bucket (short|long), catalogue, text.
"""
import gettext, glob, os, random, re, sys, unicodedata

LANGS = ["pl", "en", "ru", "uk", "be", "az", "tr", "ar", "de", "fr", "es", "ka", "cs", "sk"]
SCRIPT = {"ru": "CYRILLIC", "uk": "CYRILLIC", "be": "CYRILLIC", "ar": "ARABIC", "ka": "GEORGIAN"}
PER = 150
SKIP = re.compile(r"^(iso_|xkeyboard|gtk\d0-properties)")

def clean(s):
    s = re.sub(r"<[^>]{0,40}>", " ", s)
    s = re.sub(r"%(\d+\$)?[-+ #0]*\d*(\.\d+)?(hh|h|ll|l|j|z|t|L)?[a-zA-Z%]", " ", s)
    s = re.sub(r"%[A-Za-z_]+%|\$\{?[A-Za-z_]+\}?|\{[^}]{0,20}\}", " ", s)
    s = re.sub(r"\b_(?=\w)", "", s).replace("_", " ") if "_" in s else s
    s = re.sub(r"\s+", " ", s).strip()
    return s

def script_ok(lang, s):
    letters = [c for c in s if c.isalpha()]
    if len(letters) < 0.7 * len(s.replace(" ", "")) or len(letters) < 12:
        return False
    want = SCRIPT.get(lang, "LATIN")
    hits = sum(1 for c in letters if unicodedata.name(c, "").startswith(want))
    return hits >= 0.8 * len(letters)

def messages(lang):
    out = []
    d = "/usr/share/locale/%s/LC_MESSAGES" % ("pl" if lang == "en" else lang)
    for mo in sorted(glob.glob(d + "/*.mo")):
        dom = os.path.basename(mo)[:-3]
        if SKIP.match(dom):
            continue
        try:
            cat = gettext.GNUTranslations(open(mo, "rb"))._catalog
        except Exception:
            continue
        seq = []
        for k, v in cat.items():
            if isinstance(k, tuple):
                continue
            if not k or not v:
                continue
            src = clean(k.split("\x04")[-1])
            txt = src if lang == "en" else clean(v)
            if lang != "en" and txt == src:
                continue
            if script_ok(lang, txt):
                seq.append(txt)
        out.append((dom, seq))
    return out

def texts(lang):
    short, long_ = [], []
    for dom, seq in messages(lang):
        acc = ""
        for t in seq:
            n = len(t)
            if 20 <= n <= 100:
                short.append((dom, t))
            if n >= 100 and n <= 600:
                long_.append((dom, t))
            elif n < 100:
                acc = (acc + " " + t).strip()
                if len(acc) >= 100:
                    if len(acc) <= 600:
                        long_.append((dom, acc))
                    acc = ""
    return short, long_

def main():
    rnd = random.Random(16)
    sets = {l: texts(l) for l in LANGS}
    seen = {}
    for l, (s, g) in sets.items():
        for _, t in s + g:
            seen.setdefault(t, set()).add(l)
    for l in LANGS:
        for bucket, pool in zip(("short", "long"), sets[l]):
            pool = sorted(set(p for p in pool if len(seen[p[1]]) == 1))
            rnd.shuffle(pool)
            if len(pool) < PER:
                print("make.py: %s %s has only %d" % (l, bucket, len(pool)), file=sys.stderr)
            for dom, t in pool[:PER]:
                print("%s\t%s\t%s\t%s" % (l, bucket, dom, t))

main()
