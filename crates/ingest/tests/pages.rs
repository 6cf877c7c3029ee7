//! Hand-written news pages (Arabic first) as regression tests for extraction and metadata: the
//! article text must come out whole, and the page furniture around it (menus, share bars,
//! "اقرأ أيضاً" and related-article blocks, tags, comments, newsletters, footers) must not.

use khabar_core::{Article, DateSource};
use khabar_ingest::{read_input, Input, Item, Limits};
use std::path::PathBuf;

fn fixture(name: &str) -> Article {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let mut out = Vec::new();
    read_input(&Input::Path(path), &Limits::default(), &mut |item| {
        out.push(item)
    });
    match out.pop() {
        Some(Item::Article(a)) => a,
        Some(Item::Rejected(r)) => panic!("{}: {}", r.source, r.reason),
        None => panic!("nothing read from {name}"),
    }
}

fn paragraphs(a: &Article) -> Vec<&str> {
    a.body.split("\n\n").collect()
}

fn assert_body(a: &Article, starts: &[&str], absent: &[&str]) {
    let paras = paragraphs(a);
    assert_eq!(paras.len(), starts.len(), "paragraphs of:\n{}", a.body);
    for (p, start) in paras.iter().zip(starts) {
        assert!(p.starts_with(start), "expected {start:?}, got {p:?}");
    }
    for junk in absent {
        assert!(!a.body.contains(junk), "{junk:?} leaked into:\n{}", a.body);
    }
}

#[test]
fn arabic_agency_page() {
    let a = fixture("ar-agency.html");
    assert_body(
        &a,
        &[
            "استقبل وزير الخارجية",
            "وقال لافروف",
            "من جهته",
            "وأضاف أن اللجنة",
        ],
        &[
            "الرئيسية",
            "شارك",
            "فيسبوك",
            "اقرأ أيضاً",
            "وزراء الخارجية الخليجيون",
            "إعلان",
            "الكلمات المفتاحية",
            "أخبار ذات صلة",
            "مذكرة تفاهم",
            "التعليقات",
            "الأكثر قراءة",
            "النشرة البريدية",
            "جميع الحقوق",
            "أرشيف",
            "كتب:",
        ],
    );
    assert_eq!(
        a.title.as_deref(),
        Some("لافروف يستقبل وزير الخارجية الكويتي في موسكو")
    );
    assert_eq!(a.outlet.as_deref(), Some("وكالة الخليج للأنباء"));
    assert_eq!(
        a.url.as_deref(),
        Some("https://news.example/ar/politics/2023/11/03/lavrov-kuwait")
    );
    assert_eq!(a.declared_lang.as_deref(), Some("ar"));
    let published = a.published_at.as_ref().unwrap();
    assert_eq!(published.source, DateSource::JsonLd);
    assert_eq!(published.at.to_rfc3339(), "2023-11-03T12:40:00+03:00");
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
}

#[test]
fn arabic_legacy_table_page_in_windows_1256() {
    let a = fixture("ar-legacy-cp1256.html");
    assert_body(
        &a,
        &["أقر مجلس الوزراء", "وأوضح الناطق", "وأضاف أن المجلس"],
        &[
            "الرئيسية",
            "أخبار أخرى",
            "معرض الكتاب",
            "طباعة",
            "أرسل لصديق",
            "جميع الحقوق",
        ],
    );
    // Nothing on the page dates it: it stays undated rather than taking the time of reading.
    assert!(a.published_at.is_none());
    assert_eq!(a.title.as_deref(), Some("جريدة الوطن - الأخبار المحلية"));
}

#[test]
fn arabic_portal_page_with_marked_body() {
    let a = fixture("ar-portal.html");
    assert_body(
        &a,
        &[
            "انطلقت اليوم الجمعة",
            "وقال الأمين العام",
            "ومن المقرر",
            "المصدر: وكالات",
        ],
        &[
            "تسجيل الدخول",
            "نسخ الرابط",
            "طالع أيضاً",
            "العام الأكثر حرارة",
            "تابعونا",
            "قد يعجبك",
            "الأكثر مشاهدة",
            "كتبت",
            "جميع الحقوق",
        ],
    );
    assert_eq!(a.outlet.as_deref(), Some("بوابة الأخبار"));
    assert_eq!(a.declared_lang.as_deref(), Some("ar"));
    let published = a.published_at.as_ref().unwrap();
    assert_eq!(published.source, DateSource::MetaTag);
    assert!(published.date_only);
    assert_eq!(published.at.date_naive().to_string(), "2023-11-03");
}

#[test]
fn english_page_with_a_future_meta_date() {
    let a = fixture("en-local-news.html");
    assert_body(
        &a,
        &[
            "The city council voted",
            "The routes, which",
            "Council member Ana Ruiz",
        ],
        &[
            "Advertisement",
            "Related Coverage",
            "ridership",
            "Sign up",
            "Most Popular",
            "By Jane Doe",
            "Copyright",
        ],
    );
    // The meta tag claims 2031: refused with the reason kept, the <time> element used instead.
    let published = a.published_at.as_ref().unwrap();
    assert_eq!(published.source, DateSource::TimeElement);
    assert_eq!(published.at.to_rfc3339(), "2023-11-03T09:15:00-05:00");
    assert!(
        a.warnings.iter().any(|w| w.contains("2031")),
        "{:?}",
        a.warnings
    );
    assert_eq!(a.outlet.as_deref(), Some("Riverside Daily"));
    assert_eq!(
        a.url.as_deref(),
        Some("https://riverside.example/news/council-bus-routes")
    );
    assert_eq!(a.declared_lang.as_deref(), Some("en"));
}

#[test]
fn arabic_body_split_by_a_read_also_box() {
    let a = fixture("ar-split-body.html");
    assert_body(
        &a,
        &[
            "حذّر تقرير جديد",
            "وأشار التقرير",
            "وقالت المديرة",
            "ويأتي التقرير",
        ],
        &[
            "الصفحة الرئيسية",
            "ربيع الآخر",
            "اقرأ أيضا",
            "الجفاف",
            "تويتر",
            "سياسة الخصوصية",
        ],
    );
    assert_eq!(
        a.title.as_deref(),
        Some("الأمم المتحدة تحذر من نقص حاد في المياه بالمنطقة")
    );
    let published = a.published_at.as_ref().unwrap();
    assert_eq!(published.source, DateSource::MetaTag);
    assert_eq!(published.at.to_rfc3339(), "2023-10-28T08:30:00+02:00");
    assert!(
        a.outlet.is_none(),
        "no site name and no URL: {:?}",
        a.outlet
    );
}

#[test]
fn arabic_short_paragraphs_beat_unmarked_sidebar_teasers() {
    // No class names anywhere; the article's paragraphs are short and comma-free, and the
    // second column holds teaser paragraphs without links.
    let a = fixture("ar-teasers.html");
    assert_body(
        &a,
        &[
            "افتتح وزير النقل",
            "ويختصر الخط",
            "وقال الوزير",
            "وأوضح أن",
            "ومن المتوقع",
        ],
        &[
            "الطقس",
            "الرياضة",
            "أخبار متفرقة",
            "جميع الحقوق",
            "الرئيسية",
        ],
    );
    let published = a.published_at.as_ref().unwrap();
    assert_eq!(published.source, DateSource::UrlPath);
    assert_eq!(published.at.date_naive().to_string(), "2023-11-02");
}
