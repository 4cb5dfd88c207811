/*
 * codes.c - every coded field of the exchange as one table: a stable code
 * (what goes over the wire and into the store), another accepted spelling
 * where one exists (a country's alpha-3), and a label in each language of
 * enum tz_xlang. The row's index is the field's value, so the enums of
 * exchange.h follow the rows (test_exchange checks the counts and that no
 * label is missing). Labels are our own wording of the Directive's and
 * INTERPOL's terms.
 */
#include "exchange/exchange.h"

#include <string.h>

#define ROW(c, pl, en, fr, es, ar) {c, NULL, {pl, en, fr, es, ar}}
#define CTRY(a2, a3, pl, en, fr, es, ar) {a2, a3, {pl, en, fr, es, ar}}

static const struct tz_xcode msg_types[] = {
    ROW("request", "wniosek", "request", "demande", "solicitud", "طلب"),
    ROW("reply", "odpowiedź", "reply", "réponse", "respuesta", "رد"),
    ROW("information", "informacja z własnej inicjatywy", "information on own initiative",
        "information spontanée", "información por iniciativa propia", "معلومات بمبادرة ذاتية"),
    ROW("clarification", "wniosek o wyjaśnienie", "clarification request", "demande de précisions",
        "solicitud de aclaración", "طلب توضيح"),
    ROW("refusal", "odmowa", "refusal", "refus", "denegación", "رفض"),
    ROW("acknowledgement", "potwierdzenie odbioru", "acknowledgement", "accusé de réception",
        "acuse de recibo", "إشعار بالاستلام"),
    ROW("notice", "nota", "notice", "notice", "notificación", "نشرة"),
    ROW("diffusion", "dyfuzja", "diffusion", "diffusion", "difusión", "تعميم"),
    ROW("nfip_event", "wydarzenie piłkarskie (NFIP)", "football event (NFIP)",
        "événement de football (PNIF)", "evento futbolístico (PNIF)", "مباراة كرة قدم"),
    ROW("nfip_risk", "ocena ryzyka (NFIP)", "risk assessment (NFIP)",
        "évaluation des risques (PNIF)", "evaluación de riesgos (PNIF)", "تقييم المخاطر"),
    ROW("nfip_movement", "przemieszczanie się kibiców", "supporter movements",
        "déplacements de supporters", "desplazamientos de aficionados", "تنقلات المشجعين"),
    ROW("nfip_spotters", "wniosek o spotterów", "request for spotters", "demande de spotters",
        "solicitud de observadores", "طلب مراقبين"),
    ROW("nfip_feedback", "informacja po wydarzeniu", "post-event feedback",
        "retour d'expérience", "evaluación posterior al evento", "تقييم ما بعد الحدث"),
    ROW("deviation", "odstępstwo od terminu (zgoda sądowa)",
        "deadline deviation (judicial authorisation)",
        "dérogation au délai (autorisation judiciaire)",
        "desviación del plazo (autorización judicial)", "تأخير لازم للحصول على إذن قضائي"),
};

static const struct tz_xcode handling[] = {
    ROW("H0", "H0: wyłącznie do zapobiegania przestępczości i jej zwalczania",
        "H0: use only to prevent and combat crime",
        "H0 : uniquement pour prévenir et combattre la criminalité",
        "H0: solo para prevenir y combatir la delincuencia",
        "H0: للاستخدام فقط في منع الجريمة ومكافحتها"),
    ROW("H1", "H1: nie do wykorzystania w postępowaniu sądowym bez zgody dostawcy",
        "H1: not for use in judicial proceedings without the provider's permission",
        "H1 : pas d'usage judiciaire sans l'autorisation du fournisseur",
        "H1: no utilizable en procedimientos judiciales sin permiso del proveedor",
        "H1: لا يستخدم في الإجراءات القضائية دون إذن المزوّد"),
    ROW("H2", "H2: nie przekazywać dalej bez zgody dostawcy",
        "H2: not to be passed on without the provider's permission",
        "H2 : ne pas transmettre sans l'autorisation du fournisseur",
        "H2: no transmitir sin permiso del proveedor", "H2: لا يُنقل دون إذن المزوّد"),
    ROW("H3", "H3: inne ograniczenia", "H3: other restrictions", "H3 : autres restrictions",
        "H3: otras restricciones", "H3: قيود أخرى"),
};

static const struct tz_xcode sources[] = {
    ROW("A", "A: wiarygodność źródła nie budzi wątpliwości",
        "A: no doubt about the source's reliability", "A : fiabilité de la source certaine",
        "A: fiabilidad de la fuente sin duda", "A: لا شك في موثوقية المصدر"),
    ROW("B", "B: źródło zwykle wiarygodne", "B: source usually reliable",
        "B : source généralement fiable", "B: fuente generalmente fiable", "B: مصدر موثوق عادة"),
    ROW("C", "C: źródło zwykle niewiarygodne", "C: source usually not reliable",
        "C : source généralement peu fiable", "C: fuente generalmente poco fiable",
        "C: مصدر غير موثوق عادة"),
    ROW("X", "X: wiarygodności źródła nie można ocenić", "X: reliability cannot be assessed",
        "X : fiabilité impossible à évaluer", "X: fiabilidad no evaluable",
        "X: لا يمكن تقييم الموثوقية"),
};

static const struct tz_xcode infos[] = {
    ROW("1", "1: prawdziwość informacji nie budzi wątpliwości", "1: no doubt about its accuracy",
        "1 : exactitude hors de doute", "1: exactitud fuera de duda", "1: لا شك في صحتها"),
    ROW("2", "2: znana osobiście źródłu", "2: known personally to the source",
        "2 : connue personnellement de la source", "2: conocida personalmente por la fuente",
        "2: معروفة شخصيًا للمصدر"),
    ROW("3", "3: nieznana osobiście źródłu, potwierdzona", "3: not known personally, corroborated",
        "3 : non connue personnellement, corroborée", "3: no conocida personalmente, corroborada",
        "3: غير معروفة شخصيًا، مؤكدة"),
    ROW("4", "4: nieznana osobiście źródłu, niepotwierdzona",
        "4: not known personally, not corroborated", "4 : non connue personnellement, non corroborée",
        "4: no conocida personalmente, no corroborada", "4: غير معروفة شخصيًا، غير مؤكدة"),
};

static const struct tz_xcode urgencies[] = {
    ROW("urgent_direct", "pilny, informacja dostępna bezpośrednio (8 godzin)",
        "urgent, directly available information (8 hours)",
        "urgente, information directement accessible (8 heures)",
        "urgente, información directamente accesible (8 horas)",
        "عاجل، معلومات متاحة مباشرة (8 ساعات)"),
    ROW("urgent_indirect", "pilny, informacja dostępna pośrednio (3 dni)",
        "urgent, indirectly available information (3 days)",
        "urgente, information indirectement accessible (3 jours)",
        "urgente, información indirectamente accesible (3 días)",
        "عاجل، معلومات متاحة بشكل غير مباشر (3 أيام)"),
    ROW("normal", "zwykły (7 dni)", "not urgent (7 days)", "non urgente (7 jours)",
        "no urgente (7 días)", "غير عاجل (7 أيام)"),
};

static const struct tz_xcode grounds[] = {
    ROW("a", "art. 6 ust. 1 lit. a: informacja niedostępna",
        "Art. 6(1)(a): the information is not available",
        "art. 6, par. 1, point a) : information non disponible",
        "art. 6, ap. 1, letra a): información no disponible", "المادة 6(1)(أ): المعلومات غير متاحة"),
    ROW("b", "art. 6 ust. 1 lit. b: wniosek nie spełnia wymogów art. 4",
        "Art. 6(1)(b): the request does not meet the requirements of Art. 4",
        "art. 6, par. 1, point b) : demande non conforme à l'article 4",
        "art. 6, ap. 1, letra b): solicitud no conforme al artículo 4",
        "المادة 6(1)(ب): الطلب لا يستوفي شروط المادة 4"),
    ROW("c", "art. 6 ust. 1 lit. c: odmowa zgody sądowej",
        "Art. 6(1)(c): the judicial authorisation was refused",
        "art. 6, par. 1, point c) : autorisation judiciaire refusée",
        "art. 6, ap. 1, letra c): autorización judicial denegada",
        "المادة 6(1)(ج): رُفض الإذن القضائي"),
    ROW("d", "art. 6 ust. 1 lit. d: dane osobowe spoza kategorii art. 10 lit. b",
        "Art. 6(1)(d): personal data outside the categories of Art. 10(b)",
        "art. 6, par. 1, point d) : données hors des catégories de l'article 10, point b)",
        "art. 6, ap. 1, letra d): datos fuera de las categorías del artículo 10, letra b)",
        "المادة 6(1)(د): بيانات شخصية خارج فئات المادة 10(ب)"),
    ROW("e", "art. 6 ust. 1 lit. e: informacja nieprawidłowa, niekompletna lub nieaktualna",
        "Art. 6(1)(e): the information is inaccurate, incomplete or out of date",
        "art. 6, par. 1, point e) : information inexacte, incomplète ou périmée",
        "art. 6, ap. 1, letra e): información inexacta, incompleta o desactualizada",
        "المادة 6(1)(هـ): المعلومات غير دقيقة أو ناقصة أو قديمة"),
    ROW("f", "art. 6 ust. 1 lit. f: bezpieczeństwo narodowe, dochodzenie lub bezpieczeństwo osoby",
        "Art. 6(1)(f): national security, an investigation or a person's safety",
        "art. 6, par. 1, point f) : sécurité nationale, enquête ou sécurité d'une personne",
        "art. 6, ap. 1, letra f): seguridad nacional, investigación o seguridad de una persona",
        "المادة 6(1)(و): الأمن الوطني أو تحقيق جارٍ أو سلامة شخص"),
    ROW("g", "art. 6 ust. 1 lit. g: czyn zagrożony karą do roku lub niebędący przestępstwem",
        "Art. 6(1)(g): an offence punishable by one year or less, or no offence",
        "art. 6, par. 1, point g) : infraction punie d'un an au plus, ou pas d'infraction",
        "art. 6, ap. 1, letra g): delito castigado con un año o menos, o no delictivo",
        "المادة 6(1)(ز): جريمة عقوبتها سنة أو أقل أو فعل غير مجرّم"),
    ROW("h", "art. 6 ust. 1 lit. h: brak zgody państwa, od którego pochodzi informacja",
        "Art. 6(1)(h): the state that provided the information has not consented",
        "art. 6, par. 1, point h) : absence de consentement de l'État d'origine",
        "art. 6, ap. 1, letra h): falta de consentimiento del Estado de origen",
        "المادة 6(1)(ح): لم توافق الدولة المصدر للمعلومات"),
};

static const struct tz_xcode art4[] = {
    ROW("sensitive_investigation", "postępowanie o wysokim stopniu poufności",
        "highly sensitive investigation", "enquête hautement sensible",
        "investigación muy sensible", "تحقيق بالغ الحساسية"),
    ROW("terrorism", "sprawa terrorystyczna poza zarządzaniem kryzysowym",
        "terrorism case outside crisis management", "terrorisme hors gestion de crise",
        "terrorismo fuera de la gestión de crisis", "إرهاب خارج إدارة الأزمات"),
    ROW("person_safety", "bezpieczeństwo osoby", "a person's safety", "sécurité d'une personne",
        "seguridad de una persona", "سلامة شخص"),
};

static const struct tz_xcode notices[] = {
    ROW("red", "czerwona", "Red Notice", "notice rouge", "notificación roja", "نشرة حمراء"),
    ROW("yellow", "żółta", "Yellow Notice", "notice jaune", "notificación amarilla", "نشرة صفراء"),
    ROW("blue", "niebieska", "Blue Notice", "notice bleue", "notificación azul", "نشرة زرقاء"),
    ROW("black", "czarna", "Black Notice", "notice noire", "notificación negra", "نشرة سوداء"),
    ROW("green", "zielona", "Green Notice", "notice verte", "notificación verde", "نشرة خضراء"),
    ROW("orange", "pomarańczowa", "Orange Notice", "notice orange", "notificación naranja",
        "نشرة برتقالية"),
    ROW("purple", "fioletowa", "Purple Notice", "notice mauve", "notificación morada",
        "نشرة بنفسجية"),
    ROW("silver", "srebrna", "Silver Notice", "notice argent", "notificación plateada",
        "نشرة فضية"),
    ROW("un_special", "specjalna INTERPOL–Rada Bezpieczeństwa ONZ",
        "INTERPOL–UN Security Council Special Notice",
        "notice spéciale INTERPOL–Conseil de sécurité des Nations Unies",
        "notificación especial INTERPOL–Consejo de Seguridad de las Naciones Unidas",
        "نشرة خاصة للإنتربول ومجلس الأمن"),
};

static const struct tz_xcode doc_types[] = {
    ROW("passport", "paszport", "passport", "passeport", "pasaporte", "جواز سفر"),
    ROW("id_card", "dowód osobisty", "identity card", "carte d'identité", "documento de identidad",
        "بطاقة هوية"),
    ROW("residence_permit", "dokument pobytowy", "residence permit", "titre de séjour",
        "permiso de residencia", "تصريح إقامة"),
    ROW("driving_licence", "prawo jazdy", "driving licence", "permis de conduire",
        "permiso de conducir", "رخصة قيادة"),
    ROW("visa", "wiza", "visa", "visa", "visado", "تأشيرة"),
    ROW("other_travel", "inny dokument podróży", "other travel document",
        "autre document de voyage", "otro documento de viaje", "وثيقة سفر أخرى"),
};

static const struct tz_xcode doc_status[] = {
    ROW("valid", "ważny", "valid", "valide", "válido", "صالح"),
    ROW("lost", "utracony", "lost", "perdu", "extraviado", "مفقود"),
    ROW("stolen", "skradziony", "stolen", "volé", "robado", "مسروق"),
    ROW("revoked", "unieważniony", "revoked", "annulé", "revocado", "ملغى"),
    ROW("expired", "wygasły", "expired", "expiré", "caducado", "منتهي الصلاحية"),
    ROW("unknown", "nieznany", "unknown", "inconnu", "desconocido", "غير معروف"),
};

static const struct tz_xcode entity_kinds[] = {
    ROW("person", "osoba", "person", "personne", "persona", "شخص"),
    ROW("document", "dokument", "document", "document", "documento", "وثيقة"),
    ROW("vehicle", "pojazd", "vehicle", "véhicule", "vehículo", "مركبة"),
    ROW("location", "miejsce", "location", "lieu", "lugar", "موقع"),
    ROW("organisation", "organizacja", "organisation", "organisation", "organización", "منظمة"),
    ROW("event", "zdarzenie", "event", "événement", "evento", "حدث"),
    ROW("asset", "mienie", "asset", "bien", "activo", "أصل"),
    ROW("comm", "identyfikator komunikacyjny", "communication identifier",
        "identifiant de communication", "identificador de comunicación", "معرّف اتصال"),
};

static const struct tz_xcode link_roles[] = {
    ROW("owner_of", "właściciel", "owner of", "propriétaire de", "propietario de", "مالك"),
    ROW("suspect_in", "podejrzany w", "suspect in", "suspect dans", "sospechoso en", "مشتبه به في"),
    ROW("victim_in", "pokrzywdzony w", "victim in", "victime dans", "víctima en", "ضحية في"),
    ROW("witness_in", "świadek w", "witness in", "témoin dans", "testigo en", "شاهد في"),
    ROW("seen_at", "widziany w", "seen at", "vu à", "visto en", "شوهد في"),
    ROW("travels_with", "podróżuje z", "travels with", "voyage avec", "viaja con", "يسافر مع"),
    ROW("member_of", "członek", "member of", "membre de", "miembro de", "عضو في"),
    ROW("uses", "używa", "uses", "utilise", "utiliza", "يستخدم"),
    ROW("holder_of", "posiadacz", "holder of", "titulaire de", "titular de", "حامل"),
    ROW("related_to", "powiązany z", "related to", "lié à", "relacionado con", "مرتبط بـ"),
};

static const struct tz_xcode sexes[] = {
    ROW("unknown", "nieznana", "unknown", "inconnu", "desconocido", "غير معروف"),
    ROW("female", "kobieta", "female", "femme", "mujer", "أنثى"),
    ROW("male", "mężczyzna", "male", "homme", "hombre", "ذكر"),
};

static const struct tz_xcode comm_kinds[] = {
    ROW("phone", "telefon", "phone", "téléphone", "teléfono", "هاتف"),
    ROW("email", "e-mail", "e-mail", "courriel", "correo electrónico", "بريد إلكتروني"),
    ROW("account", "konto", "account", "compte", "cuenta", "حساب"),
    ROW("wallet", "adres portfela", "wallet address", "adresse de portefeuille",
        "dirección de monedero", "عنوان محفظة"),
};

static const struct tz_xcode asset_kinds[] = {
    ROW("property", "nieruchomość", "property", "bien immobilier", "inmueble", "عقار"),
    ROW("account", "rachunek", "account", "compte", "cuenta", "حساب مصرفي"),
    ROW("vessel", "statek", "vessel", "navire", "buque", "سفينة"),
    ROW("aircraft", "statek powietrzny", "aircraft", "aéronef", "aeronave", "طائرة"),
    ROW("other", "inne", "other", "autre", "otro", "أخرى"),
};

static const struct tz_xcode markings[] = {
    ROW("not_judicial", "NIE DO UŻYTKU SĄDOWEGO", "NOT FOR JUDICIAL USE",
        "PAS D'USAGE JUDICIAIRE", "NO APTO PARA USO JUDICIAL", "ليس للاستخدام القضائي"),
    ROW("no_pass_on", "NIE PRZEKAZYWAĆ BEZ ZGODY DOSTAWCY",
        "NOT TO BE PASSED ON WITHOUT THE PROVIDER'S PERMISSION",
        "NE PAS TRANSMETTRE SANS AUTORISATION", "NO TRANSMITIR SIN PERMISO",
        "لا يُنقل دون إذن"),
    ROW("restricted", "OGRANICZENIA", "RESTRICTIONS", "RESTRICTIONS", "RESTRICCIONES", "قيود"),
};

/* The states tarcza exchanges with today: the EU, its neighbours and frequent partners. */
static const struct tz_xcode countries[] = {
    CTRY("AT", "AUT", "Austria", "Austria", "Autriche", "Austria", "النمسا"),
    CTRY("BE", "BEL", "Belgia", "Belgium", "Belgique", "Bélgica", "بلجيكا"),
    CTRY("BG", "BGR", "Bułgaria", "Bulgaria", "Bulgarie", "Bulgaria", "بلغاريا"),
    CTRY("HR", "HRV", "Chorwacja", "Croatia", "Croatie", "Croacia", "كرواتيا"),
    CTRY("CY", "CYP", "Cypr", "Cyprus", "Chypre", "Chipre", "قبرص"),
    CTRY("CZ", "CZE", "Czechy", "Czechia", "Tchéquie", "Chequia", "التشيك"),
    CTRY("DK", "DNK", "Dania", "Denmark", "Danemark", "Dinamarca", "الدنمارك"),
    CTRY("EE", "EST", "Estonia", "Estonia", "Estonie", "Estonia", "إستونيا"),
    CTRY("FI", "FIN", "Finlandia", "Finland", "Finlande", "Finlandia", "فنلندا"),
    CTRY("FR", "FRA", "Francja", "France", "France", "Francia", "فرنسا"),
    CTRY("DE", "DEU", "Niemcy", "Germany", "Allemagne", "Alemania", "ألمانيا"),
    CTRY("GR", "GRC", "Grecja", "Greece", "Grèce", "Grecia", "اليونان"),
    CTRY("HU", "HUN", "Węgry", "Hungary", "Hongrie", "Hungría", "المجر"),
    CTRY("IE", "IRL", "Irlandia", "Ireland", "Irlande", "Irlanda", "أيرلندا"),
    CTRY("IT", "ITA", "Włochy", "Italy", "Italie", "Italia", "إيطاليا"),
    CTRY("LV", "LVA", "Łotwa", "Latvia", "Lettonie", "Letonia", "لاتفيا"),
    CTRY("LT", "LTU", "Litwa", "Lithuania", "Lituanie", "Lituania", "ليتوانيا"),
    CTRY("LU", "LUX", "Luksemburg", "Luxembourg", "Luxembourg", "Luxemburgo", "لوكسمبورغ"),
    CTRY("MT", "MLT", "Malta", "Malta", "Malte", "Malta", "مالطا"),
    CTRY("NL", "NLD", "Niderlandy", "Netherlands", "Pays-Bas", "Países Bajos", "هولندا"),
    CTRY("PL", "POL", "Polska", "Poland", "Pologne", "Polonia", "بولندا"),
    CTRY("PT", "PRT", "Portugalia", "Portugal", "Portugal", "Portugal", "البرتغال"),
    CTRY("RO", "ROU", "Rumunia", "Romania", "Roumanie", "Rumania", "رومانيا"),
    CTRY("SK", "SVK", "Słowacja", "Slovakia", "Slovaquie", "Eslovaquia", "سلوفاكيا"),
    CTRY("SI", "SVN", "Słowenia", "Slovenia", "Slovénie", "Eslovenia", "سلوفينيا"),
    CTRY("ES", "ESP", "Hiszpania", "Spain", "Espagne", "España", "إسبانيا"),
    CTRY("SE", "SWE", "Szwecja", "Sweden", "Suède", "Suecia", "السويد"),
    CTRY("NO", "NOR", "Norwegia", "Norway", "Norvège", "Noruega", "النرويج"),
    CTRY("IS", "ISL", "Islandia", "Iceland", "Islande", "Islandia", "آيسلندا"),
    CTRY("CH", "CHE", "Szwajcaria", "Switzerland", "Suisse", "Suiza", "سويسرا"),
    CTRY("LI", "LIE", "Liechtenstein", "Liechtenstein", "Liechtenstein", "Liechtenstein",
         "ليختنشتاين"),
    CTRY("GB", "GBR", "Wielka Brytania", "United Kingdom", "Royaume-Uni", "Reino Unido",
         "المملكة المتحدة"),
    CTRY("UA", "UKR", "Ukraina", "Ukraine", "Ukraine", "Ucrania", "أوكرانيا"),
    CTRY("BY", "BLR", "Białoruś", "Belarus", "Biélorussie", "Bielorrusia", "بيلاروس"),
    CTRY("RU", "RUS", "Rosja", "Russia", "Russie", "Rusia", "روسيا"),
    CTRY("MD", "MDA", "Mołdawia", "Moldova", "Moldavie", "Moldavia", "مولدوفا"),
    CTRY("GE", "GEO", "Gruzja", "Georgia", "Géorgie", "Georgia", "جورجيا"),
    CTRY("AZ", "AZE", "Azerbejdżan", "Azerbaijan", "Azerbaïdjan", "Azerbaiyán", "أذربيجان"),
    CTRY("TR", "TUR", "Turcja", "Türkiye", "Turquie", "Turquía", "تركيا"),
    CTRY("RS", "SRB", "Serbia", "Serbia", "Serbie", "Serbia", "صربيا"),
    CTRY("AL", "ALB", "Albania", "Albania", "Albanie", "Albania", "ألبانيا"),
    CTRY("MA", "MAR", "Maroko", "Morocco", "Maroc", "Marruecos", "المغرب"),
    CTRY("US", "USA", "Stany Zjednoczone", "United States", "États-Unis", "Estados Unidos",
         "الولايات المتحدة"),
    CTRY("CN", "CHN", "Chiny", "China", "Chine", "China", "الصين"),
    CTRY("VN", "VNM", "Wietnam", "Viet Nam", "Viet Nam", "Vietnam", "فيتنام"),
};

/* NFIP (EU Football Handbook): the phase of a risk assessment, a match's or supporters' risk,
 * how supporters travel. */
static const struct tz_xcode nfip_phases[] = {
    ROW("strategic", "strategiczna", "strategic", "stratégique", "estratégica", "استراتيجية"),
    ROW("operational", "operacyjna", "operational", "opérationnelle", "operativa", "عملياتية"),
    ROW("tactical", "taktyczna", "tactical", "tactique", "táctica", "تكتيكية"),
};

static const struct tz_xcode risks[] = {
    ROW("low", "niskie ryzyko", "low risk", "risque faible", "riesgo bajo", "خطر منخفض"),
    ROW("increased", "podwyższone ryzyko", "increased risk", "risque accru", "riesgo elevado",
        "خطر متزايد"),
    ROW("high", "wysokie ryzyko", "high risk", "risque élevé", "riesgo alto", "خطر مرتفع"),
};

static const struct tz_xcode transports[] = {
    ROW("air", "samolot", "air", "avion", "avión", "جوًا"),
    ROW("rail", "kolej", "rail", "train", "tren", "قطار"),
    ROW("coach", "autokar", "coach", "autocar", "autocar", "حافلة"),
    ROW("car", "samochód", "car", "voiture", "coche", "سيارة"),
    ROW("ferry", "prom", "ferry", "ferry", "ferry", "عبّارة"),
    ROW("other", "inny", "other", "autre", "otro", "أخرى"),
};

/* Art. 16: where a concluded case stands in its retention reviews. */
static const struct tz_xcode retention_states[] = {
    ROW("concluded", "zakończona, czeka na przegląd", "concluded, awaiting review",
        "clôturée, en attente de réexamen", "concluida, pendiente de revisión",
        "مغلقة، بانتظار المراجعة"),
    ROW("kept", "zachowana po przeglądzie", "kept after review", "conservée après réexamen",
        "conservada tras revisión", "محفوظة بعد المراجعة"),
    ROW("deleted", "dane osobowe usunięte", "personal data deleted",
        "données personnelles effacées", "datos personales suprimidos",
        "حُذفت البيانات الشخصية"),
};

#define TABLE(name, rows) {name, rows, sizeof rows / sizeof rows[0]}
static const struct {
    const char *name;
    const struct tz_xcode *rows;
    size_t count;
} tables[TZ_XT_COUNT] = {
    [TZ_XT_MSG_TYPE] = TABLE("message_type", msg_types),
    [TZ_XT_HANDLING] = TABLE("handling_code", handling),
    [TZ_XT_SOURCE] = TABLE("source_evaluation", sources),
    [TZ_XT_INFO] = TABLE("information_evaluation", infos),
    [TZ_XT_URGENCY] = TABLE("urgency", urgencies),
    [TZ_XT_REFUSAL_GROUND] = TABLE("refusal_ground", grounds),
    [TZ_XT_ART4_EXCEPTION] = TABLE("art4_exception", art4),
    [TZ_XT_NOTICE_TYPE] = TABLE("notice_type", notices),
    [TZ_XT_DOC_TYPE] = TABLE("document_type", doc_types),
    [TZ_XT_DOC_STATUS] = TABLE("document_status", doc_status),
    [TZ_XT_ENTITY_KIND] = TABLE("entity_kind", entity_kinds),
    [TZ_XT_LINK_ROLE] = TABLE("link_role", link_roles),
    [TZ_XT_SEX] = TABLE("sex", sexes),
    [TZ_XT_COMM_KIND] = TABLE("communication_kind", comm_kinds),
    [TZ_XT_ASSET_KIND] = TABLE("asset_kind", asset_kinds),
    [TZ_XT_COUNTRY] = TABLE("country", countries),
    [TZ_XT_MARKING] = TABLE("marking", markings),
    [TZ_XT_NFIP_PHASE] = TABLE("nfip_phase", nfip_phases),
    [TZ_XT_RISK] = TABLE("risk_category", risks),
    [TZ_XT_TRANSPORT] = TABLE("transport", transports),
    [TZ_XT_RETENTION_STATE] = TABLE("retention_state", retention_states),
};

const struct tz_xcode *tz_xcode_rows(enum tz_xtable table, size_t *count)
{
    if ((unsigned)table >= TZ_XT_COUNT) {
        *count = 0;
        return NULL;
    }
    *count = tables[table].count;
    return tables[table].rows;
}

const char *tz_xcode_table_name(enum tz_xtable table)
{
    return (unsigned)table < TZ_XT_COUNT ? tables[table].name : NULL;
}

static const struct tz_xcode *row_of(enum tz_xtable table, int value)
{
    if ((unsigned)table >= TZ_XT_COUNT || value < 0 || (size_t)value >= tables[table].count)
        return NULL;
    return &tables[table].rows[value];
}

const char *tz_xcode_code(enum tz_xtable table, int value)
{
    const struct tz_xcode *r = row_of(table, value);
    return r ? r->code : NULL;
}

const char *tz_xcode_label(enum tz_xtable table, int value, enum tz_xlang lang)
{
    const struct tz_xcode *r = row_of(table, value);
    return r && (unsigned)lang < TZ_XLANG_COUNT ? r->label[lang] : NULL;
}

static bool same(const char *code, const char *s, size_t n)
{
    return code && strlen(code) == n && memcmp(code, s, n) == 0;
}

tz_err tz_xcode_parse(enum tz_xtable table, const char *s, size_t n, int *out)
{
    if ((unsigned)table >= TZ_XT_COUNT || !s)
        return TZ_EINVAL;
    for (size_t i = 0; i < tables[table].count; i++) {
        const struct tz_xcode *r = &tables[table].rows[i];
        if (same(r->code, s, n) || same(r->alt, s, n)) {
            *out = (int)i;
            return TZ_OK;
        }
    }
    return TZ_EINVAL;
}

tz_err tz_xlang_parse(const char *tag, enum tz_xlang *out)
{
    static const char *const primary[TZ_XLANG_COUNT] = {"pl", "en", "fr", "es", "ar"};
    if (!tag)
        return TZ_EINVAL;
    size_t n = strcspn(tag, "-");
    for (int i = 0; i < TZ_XLANG_COUNT; i++) {
        if (n == 2 && (tag[0] | 0x20) == primary[i][0] && (tag[1] | 0x20) == primary[i][1]) {
            *out = (enum tz_xlang)i;
            return TZ_OK;
        }
    }
    return TZ_EINVAL;
}
