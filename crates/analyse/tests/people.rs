//! People, roles and places on sentences other than the seeds, both scripts. Needs the
//! gazetteer (`khabar data install`); fails, does not skip, when it is missing.

use khabar_analyse::{default_gazetteer_dir, Analyser};
use khabar_core::{Article, Doc, EntityKind, Source};
use std::sync::OnceLock;

fn analyser() -> &'static Analyser {
    static A: OnceLock<Analyser> = OnceLock::new();
    A.get_or_init(|| {
        let dir = default_gazetteer_dir();
        Analyser::load(&dir).unwrap_or_else(|e| panic!("{e} (gazetteer dir {})", dir.display()))
    })
}

fn doc(text: &str) -> Doc {
    analyser().analyse(Article::new(Source::Stdin, text.into()))
}

/// (person id, role) pairs with a role, sorted.
fn roles(d: &Doc) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = d
        .mentions
        .iter()
        .filter(|m| m.kind == EntityKind::Person)
        .filter_map(|m| m.role.clone().map(|r| (m.entity.clone(), r)))
        .collect();
    v.sort();
    v.dedup();
    v
}

fn pair(id: &str, role: &str) -> (String, String) {
    (id.to_string(), role.to_string())
}

#[test]
fn egyptian_minister_in_both_scripts() {
    let ar = doc("التقى وزير الخارجية المصري سامح شكري نظيره الأردني أيمن الصفدي في عمّان.");
    let en = doc("Egypt's foreign minister, Sameh Shoukry, met his Jordanian counterpart Ayman Safadi in Amman.");
    let want = vec![
        pair("person:sfd.m", "foreign_minister@country:JO"),
        pair("person:skr.s", "foreign_minister@country:EG"),
    ];
    assert_eq!(roles(&ar), want);
    assert_eq!(roles(&en), want);
}

#[test]
fn presidents_and_crown_princes() {
    let ar = doc(
        "واستقبل الرئيس الفرنسي إيمانويل ماكرون ولي العهد السعودي الأمير محمد بن سلمان في باريس.",
    );
    let en = doc("French President Emmanuel Macron received Saudi Crown Prince Mohammed bin Salman in Paris.");
    let want = vec![
        pair("person:mkrn.m", "president@country:FR"),
        pair("person:slmn.m", "crown_prince@country:SA"),
    ];
    assert_eq!(roles(&ar), want);
    assert_eq!(roles(&en), want);
    for d in [&ar, &en] {
        assert!(
            d.mentions.iter().any(|m| m.entity == "place:2988507"),
            "Paris"
        );
    }
}

#[test]
fn later_mentions_link_to_the_named_person() {
    let d = doc("وقال رئيس الوزراء الإسرائيلي بنيامين نتنياهو إن الحرب ستستمر. وأضاف نتنياهو أن الجيش سيواصل عملياته.");
    let ids: Vec<&str> = d
        .mentions
        .iter()
        .filter(|m| m.kind == EntityKind::Person)
        .map(|m| m.entity.as_str())
        .collect();
    assert_eq!(ids, vec!["person:ntnh.b", "person:ntnh.b"]);
    let en = doc("Israeli Prime Minister Benjamin Netanyahu said the war would go on.");
    assert_eq!(
        roles(&en),
        vec![pair("person:ntnh.b", "prime_minister@country:IL")]
    );
}

#[test]
fn role_without_a_name_is_its_holder() {
    let d = doc("Russian Foreign Minister Sergei Lavrov met the Kuwaiti minister. The Russian Foreign Minister said the talks were useful.");
    let lavrov: Vec<&str> = d
        .mentions
        .iter()
        .filter(|m| m.entity == "person:lfrf.s")
        .map(|m| d.text(m.span))
        .collect();
    assert_eq!(lavrov, vec!["Sergei Lavrov", "Russian Foreign Minister"]);
    // every mention shows the person's fullest name
    assert!(d
        .mentions
        .iter()
        .filter(|m| m.entity == "person:lfrf.s")
        .all(|m| m.name == "Sergei Lavrov"));
    // an adjective shows its country's name
    assert!(d
        .mentions
        .iter()
        .any(|m| m.entity == "country:KW" && m.name == "Kuwait"));
}

#[test]
fn ministries_are_organisations_of_their_country() {
    let d = doc("وقالت وزارة الخارجية المصرية في بيان إن الاجتماع سيعقد في القاهرة.");
    assert!(d.mentions.iter().any(
        |m| m.entity == "org:foreign_ministry@country:EG" && m.kind == EntityKind::Organisation
    ));
    assert!(
        d.mentions.iter().any(|m| m.entity == "place:360630"),
        "Cairo"
    );
    let q = doc("The foreign ministry of Egypt said in a statement that talks would resume.");
    assert!(q
        .mentions
        .iter()
        .any(|m| m.entity == "org:foreign_ministry@country:EG"));
}

#[test]
fn common_words_are_not_places() {
    // الجديدة "the new" is El Jadida only after a place noun; Warren is a person here
    let d = doc("أعلنت الحكومة الجديدة خطة جديدة. Senator Elizabeth Warren spoke.");
    assert!(
        !d.mentions.iter().any(|m| m.kind == EntityKind::Place),
        "{:?}",
        d.mentions
    );
    let d = doc("وصل الوفد إلى مدينة الجديدة المغربية.");
    assert!(
        d.mentions.iter().any(|m| m.entity == "place:2550078"),
        "{:?}",
        d.mentions
    );
}

#[test]
fn organisations_across_scripts() {
    let ar = doc("دعت الجامعة العربية ومجلس التعاون الخليجي مجلس الأمن إلى التحرك.");
    let en = doc("The Arab League and the GCC called on the UN Security Council to act.");
    let ids = |d: &Doc| {
        let mut v: Vec<String> = d
            .mentions
            .iter()
            .filter(|m| m.kind == EntityKind::Organisation)
            .map(|m| m.entity.clone())
            .collect();
        v.sort();
        v
    };
    assert_eq!(ids(&ar), vec!["org:arab_league", "org:gcc", "org:unsc"]);
    assert_eq!(ids(&ar), ids(&en));
}

#[test]
fn titles_of_organisations_and_secretaries_of_state() {
    let ar = doc("وقال الأمين العام للأمم المتحدة أنطونيو غوتيريش إن الوضع كارثي.");
    let en = doc(
        "UN Secretary-General Antonio Guterres said on Tuesday the situation was catastrophic.",
    );
    let want = vec![pair("person:jtrs.n", "secretary_general@org:un")];
    assert_eq!(roles(&ar), want);
    assert_eq!(roles(&en), want);
    let ar = doc("التقى وزير الخارجية الأمريكي أنتوني بلينكن الرئيس المصري.");
    let en = doc("U.S. Secretary of State Antony Blinken met the Egyptian president.");
    let want = vec![pair("person:blnkn.n", "foreign_minister@country:US")];
    assert_eq!(roles(&ar), want);
    assert_eq!(roles(&en), want);
}

#[test]
fn english_speakers_without_titles() {
    let d = doc("\"We will rebuild the church,\" Pastor John Smith said on Sunday. Mr. Smith added that donations were welcome.");
    let ids: Vec<&str> = d
        .mentions
        .iter()
        .filter(|m| m.kind == EntityKind::Person)
        .map(|m| m.entity.as_str())
        .collect();
    assert_eq!(ids, vec!["person:smt.j", "person:smt.j"]);
    assert_eq!(d.quotes[0].speaker.as_deref(), Some("person:smt.j"));
}

#[test]
fn arabic_speakers_without_titles() {
    let d = doc("وقال لافروف إن المحادثات كانت مفيدة. وقالت الوزارة في بيانها إن الاجتماع مهم.");
    let ids: Vec<&str> = d
        .mentions
        .iter()
        .filter(|m| m.kind == EntityKind::Person)
        .map(|m| m.entity.as_str())
        .collect();
    assert_eq!(ids, vec!["person:lfrf"]);
    let d = doc("واستقبل الرئيس بوتين ضيفه. وقال الرئيس الجديد إن الوضع صعب.");
    let ids: Vec<&str> = d
        .mentions
        .iter()
        .filter(|m| m.kind == EntityKind::Person)
        .map(|m| m.entity.as_str())
        .collect();
    assert_eq!(ids[0], "person:btn");
}

/// "وأكد الصفدي ولافروف أن ..." ("Safadi and Lavrov stressed that ..."): two subjects joined by
/// و, each the person named before, not one person called "الصفدي ولافروف" (seed 004).
#[test]
fn two_speakers_joined_by_and_are_two_people() {
    let d = doc("أجرى وزير الخارجية أيمن الصفدي ووزير الخارجية الروسي سيرغي لافروف محادثات. وأكد الصفدي ولافروف أن العلاقات متينة.");
    let people: Vec<(&str, &str)> = d
        .mentions
        .iter()
        .filter(|m| m.kind == EntityKind::Person)
        .map(|m| (m.entity.as_str(), m.name.as_str()))
        .collect();
    assert!(
        people.iter().all(|(_, name)| *name != "الصفدي ولافروف"),
        "{people:?}"
    );
    let ids: std::collections::BTreeSet<&str> = people.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids.len(), 2, "{people:?}");
}
