#!/usr/bin/env python3
"""make_pairs.py - the labelled evaluation set of screening (tests/data/screening/pairs.tsv).

How it is made: per language, hand-written lists of given and family names as written in their
own script, each with the Latin spellings found in passports, lists and the press (a list per
name, first the usual one). These spellings were typed from general knowledge of each
language's romanisation practice (BGN/PCGN, ISO 9, passport practice, French and German
spellings), not produced by tarcza's own rules, so the set measures them. A fixed seed draws:

  match        the same person: native script against a Latin spelling, or two Latin spellings,
               parts sometimes in the other order, with the same date of birth or a partial one;
  relative     the same family name, another given name (a brother, a wife: the feminine form of
               Slavic and Azerbaijani family names is used for women);
  same_given   the same given name, another family name;
  other_dob    the same name, a date of birth at least three years apart (a common name).

Columns: kind, lang, cross (1 when the two sides are in different scripts), label (1 match),
query name, query date of birth, record name, record date of birth. Run: python3 make_pairs.py >
pairs.tsv (the output is committed beside it; the ctest test_screening_eval reads it).
"""
import random
import sys

# lang: (script of the native side, given male [(native, [latin...])], given female, family
# [(native masc, [latin...], native fem, [latin fem...])])
L = {}

L["ru"] = ("cyrl",
    [("Александр", ["Aleksandr", "Alexander", "Aleksander"]), ("Сергей", ["Sergey", "Sergei", "Serguei"]),
     ("Дмитрий", ["Dmitriy", "Dmitry", "Dmitri"]), ("Алексей", ["Aleksey", "Alexei", "Alexey"]),
     ("Андрей", ["Andrey", "Andrei", "Andrej"]), ("Михаил", ["Mikhail", "Michail"]),
     ("Николай", ["Nikolay", "Nikolai"]), ("Юрий", ["Yuriy", "Yuri", "Iurii"]),
     ("Евгений", ["Yevgeniy", "Evgeny", "Evgenii"]), ("Владимир", ["Vladimir", "Wladimir"])],
    [("Екатерина", ["Yekaterina", "Ekaterina"]), ("Юлия", ["Yuliya", "Yulia", "Iuliia"]),
     ("Наталья", ["Natalya", "Natalia"]), ("Татьяна", ["Tatyana", "Tatiana"]),
     ("Ольга", ["Olga"]), ("Мария", ["Mariya", "Maria"])],
    [("Иванов", ["Ivanov"], "Иванова", ["Ivanova"]), ("Щербаков", ["Shcherbakov", "Scherbakov"], "Щербакова", ["Shcherbakova"]),
     ("Жуков", ["Zhukov", "Joukov"], "Жукова", ["Zhukova"]), ("Кузнецов", ["Kuznetsov", "Kuznecov"], "Кузнецова", ["Kuznetsova"]),
     ("Соловьёв", ["Solovyov", "Solovyev", "Solovev"], "Соловьёва", ["Solovyova"]),
     ("Цветков", ["Tsvetkov", "Cvetkov"], "Цветкова", ["Tsvetkova"]), ("Хрущёв", ["Khrushchev", "Khrushchyov"], "Хрущёва", ["Khrushcheva"]),
     ("Чернов", ["Chernov"], "Чернова", ["Chernova"]), ("Яковлев", ["Yakovlev", "Iakovlev"], "Яковлева", ["Yakovleva"]),
     ("Зайцев", ["Zaytsev", "Zaitsev"], "Зайцева", ["Zaytseva", "Zaitseva"])])

L["uk"] = ("cyrl",
    [("Олександр", ["Oleksandr", "Olexandr", "Aleksandr"]), ("Сергій", ["Serhiy", "Serhii", "Sergiy"]),
     ("Микола", ["Mykola", "Nikolay"]), ("Андрій", ["Andriy", "Andrii"]), ("Дмитро", ["Dmytro"]),
     ("Володимир", ["Volodymyr"]), ("Юрій", ["Yuriy", "Yurii"]), ("Олексій", ["Oleksiy", "Oleksii"]),
     ("Григорій", ["Hryhoriy", "Hryhorii"]), ("Василь", ["Vasyl"])],
    [("Олена", ["Olena"]), ("Ганна", ["Hanna", "Anna"]), ("Оксана", ["Oksana"]), ("Тетяна", ["Tetiana", "Tetyana"]),
     ("Наталія", ["Nataliia", "Nataliya"]), ("Юлія", ["Yuliia", "Yuliya"])],
    [("Шевченко", ["Shevchenko"], "Шевченко", ["Shevchenko"]), ("Коваленко", ["Kovalenko"], "Коваленко", ["Kovalenko"]),
     ("Бондаренко", ["Bondarenko"], "Бондаренко", ["Bondarenko"]), ("Ткаченко", ["Tkachenko"], "Ткаченко", ["Tkachenko"]),
     ("Кравчук", ["Kravchuk"], "Кравчук", ["Kravchuk"]), ("Гнатюк", ["Hnatiuk", "Hnatyuk"], "Гнатюк", ["Hnatiuk"]),
     ("Мельник", ["Melnyk", "Melnik"], "Мельник", ["Melnyk"]), ("Поліщук", ["Polishchuk"], "Поліщук", ["Polishchuk"]),
     ("Зінченко", ["Zinchenko"], "Зінченко", ["Zinchenko"]), ("Яценюк", ["Yatsenyuk", "Iatseniuk"], "Яценюк", ["Yatsenyuk"])])

L["be"] = ("cyrl",
    [("Аляксандр", ["Aliaksandr", "Alyaksandr"]), ("Сяргей", ["Siarhei", "Syarhey"]), ("Дзмітрый", ["Dzmitry", "Dzmitryi"]),
     ("Уладзімір", ["Uladzimir"]), ("Мікалай", ["Mikalai", "Mikalay"]), ("Андрэй", ["Andrei", "Andrey"])],
    [("Вольга", ["Volha"]), ("Святлана", ["Sviatlana", "Svyatlana"]), ("Ганна", ["Hanna"]), ("Таццяна", ["Tatsiana"])],
    [("Лукашэнка", ["Lukashenka"], "Лукашэнка", ["Lukashenka"]), ("Кавалёў", ["Kavaliou", "Kavalyow"], "Кавалёва", ["Kavaliova"]),
     ("Шушкевіч", ["Shushkevich"], "Шушкевіч", ["Shushkevich"]), ("Ціханоўскі", ["Tsikhanouski"], "Ціханоўская", ["Tsikhanouskaya"]),
     ("Бабарыка", ["Babaryka"], "Бабарыка", ["Babaryka"]), ("Мядзведзеў", ["Miadzviedzieu"], "Мядзведзева", ["Miadzviedzieva"])])

L["az"] = ("latn-cyrl",
    [("Илһам", ["İlham", "Ilham"]), ("Һејдәр", ["Heydər", "Heydar", "Geydar"]), ("Рамиз", ["Ramiz"]),
     ("Әли", ["Əli", "Ali"]), ("Мәммәд", ["Məmməd", "Mammad", "Mamed"]), ("Елчин", ["Elçin", "Elchin"]),
     ("Рөвшән", ["Rövşən", "Rovshan"]), ("Туран", ["Turan"])],
    [("Мехрибан", ["Mehriban"]), ("Лејла", ["Leyla", "Leila"]), ("Севинҹ", ["Sevinc", "Sevinj"]), ("Ајтән", ["Aytən", "Aytan"])],
    [("Әлијев", ["Əliyev", "Aliyev", "Aliev"], "Әлијева", ["Əliyeva", "Aliyeva"]),
     ("Мәммәдов", ["Məmmədov", "Mammadov", "Mamedov"], "Мәммәдова", ["Məmmədova", "Mammadova"]),
     ("Һүсејнов", ["Hüseynov", "Huseynov", "Guseynov"], "Һүсејнова", ["Hüseynova", "Huseynova"]),
     ("Гасымов", ["Qasımov", "Gasimov", "Kasimov"], "Гасымова", ["Qasımova", "Gasimova"]),
     ("Рзајев", ["Rzayev", "Rzaev"], "Рзајева", ["Rzayeva"]), ("Ибраһимов", ["İbrahimov", "Ibragimov"], "Ибраһимова", ["İbrahimova"])])

L["ar"] = ("arab",
    [("محمد", ["Muhammad", "Mohammed", "Mohamed", "Mohammad"]), ("أحمد", ["Ahmad", "Ahmed"]),
     ("يوسف", ["Yusuf", "Youssef", "Yousef"]), ("عمر", ["Omar", "Umar"]), ("خالد", ["Khalid", "Khaled"]),
     ("إبراهيم", ["Ibrahim", "Ebrahim"]), ("مصطفى", ["Mustafa", "Moustafa"]), ("محمود", ["Mahmoud", "Mahmud"]),
     ("عبد الله", ["Abdullah", "Abdallah", "Abdulla"]), ("عبد الرحمن", ["Abdulrahman", "Abdurrahman", "Abd al-Rahman"])],
    [("فاطمة", ["Fatima", "Fatma"]), ("مريم", ["Maryam", "Mariam"]), ("ليلى", ["Layla", "Leila"]), ("زينب", ["Zainab", "Zeinab"])],
    [("الحسن", ["al-Hassan", "Hassan", "El Hassan"], "الحسن", ["al-Hassan"]), ("المصري", ["al-Masri", "El Masry"], "المصري", ["al-Masri"]),
     ("النجار", ["al-Najjar", "Najjar", "El Naggar"], "النجار", ["al-Najjar"]), ("الشامي", ["al-Shami", "Shami"], "الشامي", ["al-Shami"]),
     ("منصور", ["Mansour", "Mansur"], "منصور", ["Mansour"]), ("حداد", ["Haddad"], "حداد", ["Haddad"]),
     ("سليمان", ["Suleiman", "Sulayman"], "سليمان", ["Suleiman"]), ("خوري", ["Khoury", "Khouri"], "خوري", ["Khoury"])])

L["ka"] = ("geor",
    [("გიორგი", ["Giorgi"]), ("დავით", ["Davit", "David"]), ("ნიკოლოზ", ["Nikoloz"]), ("ლევან", ["Levan"]),
     ("ზურაბ", ["Zurab"]), ("ირაკლი", ["Irakli"])],
    [("ნინო", ["Nino"]), ("თამარ", ["Tamar"]), ("მარიამ", ["Mariam"]), ("ეკატერინე", ["Ekaterine"])],
    [("ბერიძე", ["Beridze"], "ბერიძე", ["Beridze"]), ("კაპანაძე", ["Kapanadze"], "კაპანაძე", ["Kapanadze"]),
     ("ჯუღაშვილი", ["Jughashvili", "Dzhugashvili"], "ჯუღაშვილი", ["Jughashvili"]),
     ("გელაშვილი", ["Gelashvili"], "გელაშვილი", ["Gelashvili"]), ("ლომიძე", ["Lomidze"], "ლომიძე", ["Lomidze"]),
     ("ხარაიშვილი", ["Kharaishvili", "Charaishvili"], "ხარაიშვილი", ["Kharaishvili"])])

# Latin-script languages: the native side is the spelling with its letters, the other spellings
# are what a keyboard without them or another country's clerk makes of it.
L["pl"] = ("latn",
    [("Łukasz", ["Lukasz"]), ("Paweł", ["Pawel"]), ("Grzegorz", ["Grzegorz"]), ("Krzysztof", ["Krzysztof"]),
     ("Wojciech", ["Wojciech"]), ("Michał", ["Michal"]), ("Józef", ["Jozef"]), ("Piotr", ["Piotr"])],
    [("Małgorzata", ["Malgorzata"]), ("Agnieszka", ["Agnieszka"]), ("Katarzyna", ["Katarzyna"]), ("Żaneta", ["Zaneta"])],
    [("Wałęsa", ["Walesa"], "Wałęsa", ["Walesa"]), ("Kowalski", ["Kowalski"], "Kowalska", ["Kowalska"]),
     ("Wiśniewski", ["Wisniewski"], "Wiśniewska", ["Wisniewska"]), ("Wójcik", ["Wojcik"], "Wójcik", ["Wojcik"]),
     ("Dąbrowski", ["Dabrowski"], "Dąbrowska", ["Dabrowska"]), ("Szczęsny", ["Szczesny"], "Szczęsna", ["Szczesna"]),
     ("Łuczak", ["Luczak"], "Łuczak", ["Luczak"]), ("Żółkiewski", ["Zolkiewski"], "Żółkiewska", ["Zolkiewska"])])

L["tr"] = ("latn",
    [("Mehmet", ["Mehmet", "Mehmed"]), ("Hüseyin", ["Huseyin", "Hussein"]), ("Ahmet", ["Ahmet", "Ahmed"]),
     ("Mustafa", ["Mustafa"]), ("İsmail", ["Ismail"]), ("Çağrı", ["Cagri"])],
    [("Ayşe", ["Ayse"]), ("Gülşen", ["Gulsen"]), ("Şükran", ["Sukran"]), ("Özlem", ["Ozlem"])],
    [("Yılmaz", ["Yilmaz"], "Yılmaz", ["Yilmaz"]), ("Şahin", ["Sahin"], "Şahin", ["Sahin"]),
     ("Öztürk", ["Ozturk", "Oeztuerk"], "Öztürk", ["Ozturk"]), ("Çelik", ["Celik"], "Çelik", ["Celik"]),
     ("Doğan", ["Dogan"], "Doğan", ["Dogan"]), ("Kılıç", ["Kilic"], "Kılıç", ["Kilic"])])

L["de"] = ("latn",
    [("Jürgen", ["Juergen", "Jurgen"]), ("Björn", ["Bjoern", "Bjorn"]), ("Günther", ["Guenther", "Gunther"]),
     ("Klaus", ["Klaus"]), ("Matthias", ["Mathias"]), ("Stefan", ["Stephan"])],
    [("Jutta", ["Jutta"]), ("Käthe", ["Kaethe", "Kathe"]), ("Brigitte", ["Brigitte"]), ("Sabine", ["Sabine"])],
    [("Müller", ["Mueller", "Muller"], "Müller", ["Mueller"]), ("Schröder", ["Schroeder", "Schroder"], "Schröder", ["Schroeder"]),
     ("Weiß", ["Weiss"], "Weiß", ["Weiss"]), ("Groß", ["Gross"], "Groß", ["Gross"]),
     ("Schäfer", ["Schaefer", "Schafer"], "Schäfer", ["Schaefer"]), ("Köhler", ["Koehler", "Kohler"], "Köhler", ["Koehler"])])

L["en"] = ("latn",
    [("John", ["Jon"]), ("Stephen", ["Steven"]), ("Michael", ["Micheal"]), ("Christopher", ["Kristopher"]),
     ("Alan", ["Allan", "Allen"]), ("Philip", ["Phillip"])],
    [("Catherine", ["Katherine", "Kathryn"]), ("Elizabeth", ["Elisabeth"]), ("Sarah", ["Sara"]), ("Ann", ["Anne"])],
    [("Smith", ["Smyth"], "Smith", ["Smyth"]), ("Thompson", ["Thomson"], "Thompson", ["Thomson"]),
     ("MacDonald", ["McDonald"], "MacDonald", ["McDonald"]), ("O'Brien", ["OBrien", "O Brien"], "O'Brien", ["OBrien"]),
     ("Reid", ["Reed", "Read"], "Reid", ["Reed"]), ("Harrison", ["Harrisson"], "Harrison", ["Harrisson"])])


def dob(rng):
    return "%04d-%02d-%02d" % (rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28))


def partial(rng, d):
    r = rng.random()
    return d[:4] if r < 0.15 else d[:7] if r < 0.25 else "" if r < 0.35 else d


def person(rng, lang):
    script, males, females, fams = L[lang]
    female = rng.random() < 0.35
    g = rng.choice(females if female else males)
    f = rng.choice(fams)
    fam_native, fam_latin = (f[2], f[3]) if female else (f[0], f[1])
    return {"g": g, "fn": fam_native, "fl": fam_latin, "female": female, "dob": dob(rng)}


def native(p, lang):
    return "%s %s" % (p["g"][0], p["fn"]) if lang != "az" else "%s %s" % (p["g"][0], p["fn"])


def latin(rng, p, swap=True):
    g = rng.choice(p["g"][1])
    f = rng.choice(p["fl"])
    return "%s %s" % (f, g) if swap and rng.random() < 0.4 else "%s %s" % (g, f)


def az_latin_native(p):
    """Azerbaijani's native Latin side: the first spelling, with its letters (Əliyev İlham)."""
    return "%s %s" % (p["g"][1][0], p["fl"][0])


def row(out, kind, lang, cross, label, qn, qd, rn, rd):
    out.append("\t".join([kind, lang, str(cross), str(label), qn, qd, rn, rd]))


def main():
    rng = random.Random(15)
    out = []
    langs = list(L)
    for lang in langs:
        script = L[lang][0]
        for _ in range(120):  # true matches
            p = person(rng, lang)
            cross = 0 if script == "latn" else 1
            if lang == "az" and rng.random() < 0.5:
                left = az_latin_native(p)
                cross = 0
            else:
                left = native(p, lang)
            row(out, "match", lang, cross, 1, left, partial(rng, p["dob"]), latin(rng, p), p["dob"])
        for _ in range(70):  # relatives: same family, another given name
            p, q = person(rng, lang), person(rng, lang)
            if q["g"] == p["g"]:
                continue
            q["fn"], q["fl"] = (p["fn"], p["fl"]) if q["female"] == p["female"] else (q["fn"], q["fl"])
            if q["fn"] != p["fn"]:
                continue
            row(out, "relative", lang, 0 if script == "latn" else 1, 0, native(p, lang), p["dob"],
                latin(rng, q), q["dob"])
        for _ in range(40):  # same given name, another family name
            p, q = person(rng, lang), person(rng, lang)
            q["g"] = p["g"]
            if q["fn"] == p["fn"]:
                continue
            row(out, "same_given", lang, 0 if script == "latn" else 1, 0, native(p, lang), p["dob"],
                latin(rng, q), q["dob"])
        for _ in range(30):  # the same name, another date of birth
            p = person(rng, lang)
            y = int(p["dob"][:4])
            other = "%04d%s" % (y + rng.choice([-1, 1]) * rng.randint(3, 20), p["dob"][4:])
            row(out, "other_dob", lang, 0 if script == "latn" else 1, 0, native(p, lang), other,
                latin(rng, p), p["dob"])
    sys.stdout.write("kind\tlang\tcross\tlabel\tquery\tquery_dob\trecord\trecord_dob\n")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
