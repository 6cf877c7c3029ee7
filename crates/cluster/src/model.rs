//! The similarity model: a logistic regression over [`PairFeatures`], giving the probability that
//! two articles report the same event. Its weights are fitted (see [`fit`]) by
//! `khabar eval fit` on labelled pairs with grouped cross-validation; the fitted values live in
//! [`FITTED`] with the command and data that produced them.

use crate::features::{
    lengths_index, Background, PairFeatures, COUNT, INPUTS, SHORTER_COMBINATIONS,
};
use serde::{Deserialize, Serialize};

/// A logistic model and the decision threshold for "same event".
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SimilarityModel {
    /// Weight of each input, in the order of [`INPUTS`].
    pub weights: [f32; COUNT],
    /// Intercept.
    pub bias: f32,
    /// Two groups of articles are one event when their mean pair probability reaches this.
    pub threshold: f32,
}

/// The weights in use. Produced by `khabar eval fit` (see docs/clustering.md for the data, the
/// cross-validated figures and the exact command); regenerate them with it, never edit by hand.
pub const FITTED: SimilarityModel = SimilarityModel {
    weights: [
        0.0000, 6.2570, 6.2595, 0.0000, 2.1838, 2.4954, 2.9962, 0.0000, 0.0000, 0.0000, 0.0000,
        0.0000, 0.5704, -1.6297, 0.0000, 1.7102,
    ],
    bias: -3.5331,
    threshold: 0.5959,
};

/// Mean cosines of unrelated articles by language pair (languages in alphabetical order),
/// measured by `khabar eval fit` over every cross-article pair of its input streams, where almost
/// all pairs are of different events. Regenerate with it, never edit by hand.
pub const BACKGROUNDS: &[(&str, &str, Background)] = &[
    (
        "ar",
        "ar",
        Background {
            doc: 0.1503,
            sentence: 0.2288,
        },
    ),
    (
        "ar",
        "de",
        Background {
            doc: 0.1154,
            sentence: 0.1960,
        },
    ),
    (
        "ar",
        "en",
        Background {
            doc: 0.1189,
            sentence: 0.1997,
        },
    ),
    (
        "ar",
        "es",
        Background {
            doc: 0.1340,
            sentence: 0.2096,
        },
    ),
    (
        "ar",
        "fr",
        Background {
            doc: 0.1336,
            sentence: 0.2091,
        },
    ),
    (
        "ar",
        "pl",
        Background {
            doc: 0.1223,
            sentence: 0.1998,
        },
    ),
    (
        "ar",
        "tr",
        Background {
            doc: 0.1394,
            sentence: 0.2107,
        },
    ),
    (
        "de",
        "de",
        Background {
            doc: 0.2035,
            sentence: 0.2523,
        },
    ),
    (
        "de",
        "en",
        Background {
            doc: 0.1629,
            sentence: 0.2235,
        },
    ),
    (
        "de",
        "es",
        Background {
            doc: 0.1920,
            sentence: 0.2429,
        },
    ),
    (
        "de",
        "fr",
        Background {
            doc: 0.1834,
            sentence: 0.2336,
        },
    ),
    (
        "de",
        "pl",
        Background {
            doc: 0.1374,
            sentence: 0.2118,
        },
    ),
    (
        "de",
        "tr",
        Background {
            doc: 0.1599,
            sentence: 0.2217,
        },
    ),
    (
        "en",
        "en",
        Background {
            doc: 0.2090,
            sentence: 0.2634,
        },
    ),
    (
        "en",
        "es",
        Background {
            doc: 0.1675,
            sentence: 0.2286,
        },
    ),
    (
        "en",
        "fr",
        Background {
            doc: 0.1605,
            sentence: 0.2210,
        },
    ),
    (
        "en",
        "pl",
        Background {
            doc: 0.1319,
            sentence: 0.2088,
        },
    ),
    (
        "en",
        "tr",
        Background {
            doc: 0.1431,
            sentence: 0.2130,
        },
    ),
    (
        "es",
        "es",
        Background {
            doc: 0.2383,
            sentence: 0.2861,
        },
    ),
    (
        "es",
        "fr",
        Background {
            doc: 0.2018,
            sentence: 0.2504,
        },
    ),
    (
        "es",
        "pl",
        Background {
            doc: 0.1516,
            sentence: 0.2208,
        },
    ),
    (
        "es",
        "tr",
        Background {
            doc: 0.1798,
            sentence: 0.2366,
        },
    ),
    (
        "fr",
        "fr",
        Background {
            doc: 0.2154,
            sentence: 0.2655,
        },
    ),
    (
        "fr",
        "pl",
        Background {
            doc: 0.1466,
            sentence: 0.2130,
        },
    ),
    (
        "fr",
        "tr",
        Background {
            doc: 0.1681,
            sentence: 0.2258,
        },
    ),
    (
        "pl",
        "pl",
        Background {
            doc: 0.1524,
            sentence: 0.2252,
        },
    ),
    (
        "pl",
        "tr",
        Background {
            doc: 0.1420,
            sentence: 0.2123,
        },
    ),
    (
        "tr",
        "tr",
        Background {
            doc: 0.1944,
            sentence: 0.2488,
        },
    ),
];

/// Mean cosines of unrelated articles by language pair when either is shorter than a full
/// article ([`crate::features::length_class`]), for the pairs of lengths full–medium,
/// medium–medium, full–short, medium–short and short–short ([`lengths_index`] − 1). Measured by
/// `khabar eval fit` as [`BACKGROUNDS`] are, over the pairs of its input streams with shorter
/// copies of each article (its headline alone — its title, else its first sentence — and its
/// headline with the two sentences after it) in place of the article on one side or both.
/// Regenerate with it, never edit by hand.
pub const SHORTER_BACKGROUNDS: &[(&str, &str, [Background; SHORTER_COMBINATIONS])] = &[
    (
        "ar",
        "ar",
        [
            Background {
                doc: 0.1339,
                sentence: 0.2161,
            },
            Background {
                doc: 0.1248,
                sentence: 0.2057,
            },
            Background {
                doc: 0.0614,
                sentence: 0.1623,
            },
            Background {
                doc: 0.0639,
                sentence: 0.1521,
            },
            Background {
                doc: 0.0696,
                sentence: 0.1187,
            },
        ],
    ),
    (
        "ar",
        "de",
        [
            Background {
                doc: 0.0992,
                sentence: 0.1847,
            },
            Background {
                doc: 0.0891,
                sentence: 0.1746,
            },
            Background {
                doc: 0.0580,
                sentence: 0.1481,
            },
            Background {
                doc: 0.0565,
                sentence: 0.1376,
            },
            Background {
                doc: 0.0504,
                sentence: 0.1018,
            },
        ],
    ),
    (
        "ar",
        "en",
        [
            Background {
                doc: 0.1018,
                sentence: 0.1868,
            },
            Background {
                doc: 0.0907,
                sentence: 0.1744,
            },
            Background {
                doc: 0.0531,
                sentence: 0.1457,
            },
            Background {
                doc: 0.0510,
                sentence: 0.1335,
            },
            Background {
                doc: 0.0436,
                sentence: 0.0968,
            },
        ],
    ),
    (
        "ar",
        "es",
        [
            Background {
                doc: 0.1188,
                sentence: 0.1972,
            },
            Background {
                doc: 0.1101,
                sentence: 0.1855,
            },
            Background {
                doc: 0.0676,
                sentence: 0.1536,
            },
            Background {
                doc: 0.0656,
                sentence: 0.1417,
            },
            Background {
                doc: 0.0464,
                sentence: 0.1012,
            },
        ],
    ),
    (
        "ar",
        "fr",
        [
            Background {
                doc: 0.1141,
                sentence: 0.1972,
            },
            Background {
                doc: 0.0996,
                sentence: 0.1843,
            },
            Background {
                doc: 0.0578,
                sentence: 0.1507,
            },
            Background {
                doc: 0.0562,
                sentence: 0.1410,
            },
            Background {
                doc: 0.0551,
                sentence: 0.1055,
            },
        ],
    ),
    (
        "ar",
        "pl",
        [
            Background {
                doc: 0.0982,
                sentence: 0.1873,
            },
            Background {
                doc: 0.0812,
                sentence: 0.1755,
            },
            Background {
                doc: 0.0308,
                sentence: 0.1329,
            },
            Background {
                doc: 0.0286,
                sentence: 0.1209,
            },
            Background {
                doc: 0.0352,
                sentence: 0.0814,
            },
        ],
    ),
    (
        "ar",
        "tr",
        [
            Background {
                doc: 0.1208,
                sentence: 0.1979,
            },
            Background {
                doc: 0.1079,
                sentence: 0.1851,
            },
            Background {
                doc: 0.0581,
                sentence: 0.1524,
            },
            Background {
                doc: 0.0558,
                sentence: 0.1396,
            },
            Background {
                doc: 0.0482,
                sentence: 0.1010,
            },
        ],
    ),
    (
        "de",
        "de",
        [
            Background {
                doc: 0.1643,
                sentence: 0.2335,
            },
            Background {
                doc: 0.1457,
                sentence: 0.2199,
            },
            Background {
                doc: 0.1092,
                sentence: 0.1919,
            },
            Background {
                doc: 0.1067,
                sentence: 0.1808,
            },
            Background {
                doc: 0.0938,
                sentence: 0.1447,
            },
        ],
    ),
    (
        "de",
        "en",
        [
            Background {
                doc: 0.1306,
                sentence: 0.2082,
            },
            Background {
                doc: 0.1152,
                sentence: 0.1956,
            },
            Background {
                doc: 0.0814,
                sentence: 0.1696,
            },
            Background {
                doc: 0.0793,
                sentence: 0.1581,
            },
            Background {
                doc: 0.0688,
                sentence: 0.1218,
            },
        ],
    ),
    (
        "de",
        "es",
        [
            Background {
                doc: 0.1569,
                sentence: 0.2246,
            },
            Background {
                doc: 0.1374,
                sentence: 0.2089,
            },
            Background {
                doc: 0.0978,
                sentence: 0.1846,
            },
            Background {
                doc: 0.0942,
                sentence: 0.1710,
            },
            Background {
                doc: 0.0774,
                sentence: 0.1346,
            },
        ],
    ),
    (
        "de",
        "fr",
        [
            Background {
                doc: 0.1433,
                sentence: 0.2166,
            },
            Background {
                doc: 0.1241,
                sentence: 0.2036,
            },
            Background {
                doc: 0.0899,
                sentence: 0.1753,
            },
            Background {
                doc: 0.0847,
                sentence: 0.1637,
            },
            Background {
                doc: 0.0737,
                sentence: 0.1271,
            },
        ],
    ),
    (
        "de",
        "pl",
        [
            Background {
                doc: 0.1039,
                sentence: 0.1961,
            },
            Background {
                doc: 0.0871,
                sentence: 0.1831,
            },
            Background {
                doc: 0.0530,
                sentence: 0.1484,
            },
            Background {
                doc: 0.0489,
                sentence: 0.1361,
            },
            Background {
                doc: 0.0376,
                sentence: 0.0897,
            },
        ],
    ),
    (
        "de",
        "tr",
        [
            Background {
                doc: 0.1253,
                sentence: 0.2046,
            },
            Background {
                doc: 0.1062,
                sentence: 0.1901,
            },
            Background {
                doc: 0.0747,
                sentence: 0.1643,
            },
            Background {
                doc: 0.0675,
                sentence: 0.1504,
            },
            Background {
                doc: 0.0540,
                sentence: 0.1105,
            },
        ],
    ),
    (
        "en",
        "en",
        [
            Background {
                doc: 0.1647,
                sentence: 0.2406,
            },
            Background {
                doc: 0.1478,
                sentence: 0.2256,
            },
            Background {
                doc: 0.0989,
                sentence: 0.1962,
            },
            Background {
                doc: 0.0972,
                sentence: 0.1829,
            },
            Background {
                doc: 0.0936,
                sentence: 0.1464,
            },
        ],
    ),
    (
        "en",
        "es",
        [
            Background {
                doc: 0.1380,
                sentence: 0.2120,
            },
            Background {
                doc: 0.1214,
                sentence: 0.1971,
            },
            Background {
                doc: 0.0834,
                sentence: 0.1722,
            },
            Background {
                doc: 0.0801,
                sentence: 0.1585,
            },
            Background {
                doc: 0.0657,
                sentence: 0.1226,
            },
        ],
    ),
    (
        "en",
        "fr",
        [
            Background {
                doc: 0.1261,
                sentence: 0.2056,
            },
            Background {
                doc: 0.1102,
                sentence: 0.1933,
            },
            Background {
                doc: 0.0712,
                sentence: 0.1619,
            },
            Background {
                doc: 0.0678,
                sentence: 0.1504,
            },
            Background {
                doc: 0.0566,
                sentence: 0.1118,
            },
        ],
    ),
    (
        "en",
        "pl",
        [
            Background {
                doc: 0.1003,
                sentence: 0.1931,
            },
            Background {
                doc: 0.0842,
                sentence: 0.1790,
            },
            Background {
                doc: 0.0439,
                sentence: 0.1423,
            },
            Background {
                doc: 0.0403,
                sentence: 0.1289,
            },
            Background {
                doc: 0.0290,
                sentence: 0.0822,
            },
        ],
    ),
    (
        "en",
        "tr",
        [
            Background {
                doc: 0.1133,
                sentence: 0.1969,
            },
            Background {
                doc: 0.0971,
                sentence: 0.1824,
            },
            Background {
                doc: 0.0620,
                sentence: 0.1553,
            },
            Background {
                doc: 0.0566,
                sentence: 0.1413,
            },
            Background {
                doc: 0.0462,
                sentence: 0.1021,
            },
        ],
    ),
    (
        "es",
        "es",
        [
            Background {
                doc: 0.2078,
                sentence: 0.2670,
            },
            Background {
                doc: 0.1893,
                sentence: 0.2508,
            },
            Background {
                doc: 0.1303,
                sentence: 0.2178,
            },
            Background {
                doc: 0.1263,
                sentence: 0.2027,
            },
            Background {
                doc: 0.0999,
                sentence: 0.1606,
            },
        ],
    ),
    (
        "es",
        "fr",
        [
            Background {
                doc: 0.1654,
                sentence: 0.2329,
            },
            Background {
                doc: 0.1438,
                sentence: 0.2180,
            },
            Background {
                doc: 0.0986,
                sentence: 0.1839,
            },
            Background {
                doc: 0.0935,
                sentence: 0.1713,
            },
            Background {
                doc: 0.0703,
                sentence: 0.1286,
            },
        ],
    ),
    (
        "es",
        "pl",
        [
            Background {
                doc: 0.1174,
                sentence: 0.2024,
            },
            Background {
                doc: 0.0977,
                sentence: 0.1857,
            },
            Background {
                doc: 0.0593,
                sentence: 0.1496,
            },
            Background {
                doc: 0.0541,
                sentence: 0.1354,
            },
            Background {
                doc: 0.0336,
                sentence: 0.0872,
            },
        ],
    ),
    (
        "es",
        "tr",
        [
            Background {
                doc: 0.1473,
                sentence: 0.2177,
            },
            Background {
                doc: 0.1288,
                sentence: 0.2011,
            },
            Background {
                doc: 0.0869,
                sentence: 0.1721,
            },
            Background {
                doc: 0.0805,
                sentence: 0.1571,
            },
            Background {
                doc: 0.0580,
                sentence: 0.1158,
            },
        ],
    ),
    (
        "fr",
        "fr",
        [
            Background {
                doc: 0.1675,
                sentence: 0.2429,
            },
            Background {
                doc: 0.1423,
                sentence: 0.2241,
            },
            Background {
                doc: 0.1018,
                sentence: 0.1912,
            },
            Background {
                doc: 0.0919,
                sentence: 0.1744,
            },
            Background {
                doc: 0.0794,
                sentence: 0.1330,
            },
        ],
    ),
    (
        "fr",
        "pl",
        [
            Background {
                doc: 0.1064,
                sentence: 0.1948,
            },
            Background {
                doc: 0.0878,
                sentence: 0.1804,
            },
            Background {
                doc: 0.0441,
                sentence: 0.1413,
            },
            Background {
                doc: 0.0400,
                sentence: 0.1284,
            },
            Background {
                doc: 0.0396,
                sentence: 0.0879,
            },
        ],
    ),
    (
        "fr",
        "tr",
        [
            Background {
                doc: 0.1286,
                sentence: 0.2058,
            },
            Background {
                doc: 0.1068,
                sentence: 0.1895,
            },
            Background {
                doc: 0.0709,
                sentence: 0.1612,
            },
            Background {
                doc: 0.0616,
                sentence: 0.1468,
            },
            Background {
                doc: 0.0518,
                sentence: 0.1080,
            },
        ],
    ),
    (
        "pl",
        "pl",
        [
            Background {
                doc: 0.1081,
                sentence: 0.2041,
            },
            Background {
                doc: 0.0878,
                sentence: 0.1885,
            },
            Background {
                doc: 0.0301,
                sentence: 0.1402,
            },
            Background {
                doc: 0.0288,
                sentence: 0.1269,
            },
            Background {
                doc: 0.0469,
                sentence: 0.0857,
            },
        ],
    ),
    (
        "pl",
        "tr",
        [
            Background {
                doc: 0.1044,
                sentence: 0.1941,
            },
            Background {
                doc: 0.0841,
                sentence: 0.1784,
            },
            Background {
                doc: 0.0418,
                sentence: 0.1431,
            },
            Background {
                doc: 0.0361,
                sentence: 0.1281,
            },
            Background {
                doc: 0.0318,
                sentence: 0.0821,
            },
        ],
    ),
    (
        "tr",
        "tr",
        [
            Background {
                doc: 0.1543,
                sentence: 0.2258,
            },
            Background {
                doc: 0.1315,
                sentence: 0.2067,
            },
            Background {
                doc: 0.0872,
                sentence: 0.1776,
            },
            Background {
                doc: 0.0783,
                sentence: 0.1609,
            },
            Background {
                doc: 0.0646,
                sentence: 0.1197,
            },
        ],
    ),
];

/// The background of a pair of articles in languages `a` and `b` and of length classes
/// `lengths`: [`BACKGROUNDS`] for two full articles, else [`SHORTER_BACKGROUNDS`]. A language
/// pair missing from the latter gets its full-article background scaled by the mean ratio of
/// shorter to full over the measured pairs of the same kind (same language, or two languages).
pub fn background(a: &str, b: &str, lengths: [u8; 2]) -> Background {
    let full = full_background(a, b);
    let Some(k) = lengths_index(lengths).checked_sub(1) else {
        return full;
    };
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    if let Some((.., bg)) = SHORTER_BACKGROUNDS
        .iter()
        .find(|(x, y, _)| *x == a && *y == b)
    {
        return bg[k];
    }
    match SHORTER_RATIOS[usize::from(a == b)][k] {
        Some((doc, sentence, n)) => Background {
            doc: full.doc * doc / n,
            sentence: full.sentence * sentence / n,
        },
        None => full,
    }
}

/// Sums of the doc and sentence background ratios of each shorter length combination, and how
/// many language pairs they sum over.
type Ratios = [Option<(f32, f32, f32)>; SHORTER_COMBINATIONS];

/// For each shorter length combination, the ratios of its background to the full-article
/// one over the measured language pairs of one kind (index 0: two languages, 1: one language);
/// None when no pair of that kind was measured. Computed once: [`background`] is called for every
/// scored pair.
static SHORTER_RATIOS: std::sync::LazyLock<[Ratios; 2]> = std::sync::LazyLock::new(|| {
    std::array::from_fn(|same| {
        std::array::from_fn(|k| {
            let ratios: Vec<(f32, f32)> = SHORTER_BACKGROUNDS
                .iter()
                .filter(|(x, y, _)| usize::from(x == y) == same)
                .map(|(x, y, bg)| {
                    let full = full_background(x, y);
                    (bg[k].doc / full.doc, bg[k].sentence / full.sentence)
                })
                .collect();
            let n = ratios.len() as f32;
            (!ratios.is_empty()).then(|| {
                (
                    ratios.iter().map(|r| r.0).sum::<f32>(),
                    ratios.iter().map(|r| r.1).sum::<f32>(),
                    n,
                )
            })
        })
    })
});

/// The background of two full articles in languages `a` and `b`: [`BACKGROUNDS`], or for a
/// language pair missing there, the mean of the measured ones of the same kind (same language,
/// or two languages).
pub fn full_background(a: &str, b: &str) -> Background {
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    if let Some((.., bg)) = BACKGROUNDS.iter().find(|(x, y, _)| *x == a && *y == b) {
        return *bg;
    }
    KIN_BACKGROUNDS[usize::from(a == b)]
}

/// The mean of the measured [`BACKGROUNDS`] of each kind (index 0: two languages, 1: one
/// language; zero when none of that kind was measured). Computed once: [`full_background`] is
/// called for every scored pair, and unmeasured language pairs (ar-ru, say) are common.
static KIN_BACKGROUNDS: std::sync::LazyLock<[Background; 2]> = std::sync::LazyLock::new(|| {
    std::array::from_fn(|same| {
        let kin: Vec<&Background> = BACKGROUNDS
            .iter()
            .filter(|(x, y, _)| usize::from(x == y) == same)
            .map(|(.., bg)| bg)
            .collect();
        let n = kin.len().max(1) as f32;
        Background {
            doc: kin.iter().map(|bg| bg.doc).sum::<f32>() / n,
            sentence: kin.iter().map(|bg| bg.sentence).sum::<f32>() / n,
        }
    })
});

/// Two articles whose event days are both known and further apart than this report different
/// events (a second earthquake in the same region, a follow-up meeting), whatever their words
/// share. Reports of one event name the same day, give or take time zones and a late report.
pub const MAX_EVENT_DAY_GAP: u32 = 3;

/// Log likelihood ratio added when both event days are known and within a day of each other.
///
/// Not fitted: the labelled data has almost no dated articles. Derived by Bayes' rule instead:
/// reports of one event name the same day (P ≈ 0.9), while two *different* events among an
/// article's candidates fall on the same day with P ≈ 0.3 on a bursty news day (candidates are
/// already similar in content and within the candidate window), so the evidence multiplies the
/// odds by 0.9 / 0.3 = 3, i.e. adds ln 3 ≈ 1.1 to the log-odds. Deliberately conservative: on a
/// quiet stream the true ratio is higher.
pub const SAME_DAY_LOG_LR: f32 = 1.1;

/// Pairs scoring below this are not kept as links: they can never pull two groups together.
pub const LINK_MIN_SCORE: f32 = 0.05;

impl SimilarityModel {
    /// Probability that the pair reports the same event.
    pub fn score(&self, f: &PairFeatures) -> f32 {
        1.0 / (1.0 + (-self.log_odds(f)).exp())
    }

    /// The log-odds behind [`score`](Self::score): linear in the model's inputs.
    pub fn log_odds(&self, f: &PairFeatures) -> f32 {
        let same_day = match f.day_gap {
            Some(gap) if gap > MAX_EVENT_DAY_GAP => return f32::NEG_INFINITY,
            Some(gap) if gap <= 1 => SAME_DAY_LOG_LR,
            _ => 0.0,
        };
        let x = f.to_array();
        self.bias + same_day + self.weights.iter().zip(x).map(|(w, x)| w * x).sum::<f32>()
    }

    /// Each measurement's contribution to the log-odds, by [`PairFeatures`] field name (its
    /// segments added up; for explanations), with the same-day evidence when it applies.
    pub fn contributions(&self, f: &PairFeatures) -> Vec<(&'static str, f32)> {
        let mut parts: Vec<(&'static str, f32)> = Vec::new();
        for (input, (w, x)) in INPUTS.iter().zip(self.weights.iter().zip(f.to_array())) {
            let measure = &input.measure;
            match parts.iter_mut().find(|(name, _)| name == measure) {
                Some((_, sum)) => *sum += w * x,
                None => parts.push((measure, w * x)),
            }
        }
        if f.day_gap.is_some_and(|gap| gap <= 1) {
            parts.push(("same_day", SAME_DAY_LOG_LR));
        }
        parts
    }
}

/// A labelled pair for fitting: its features, how alike its labellers found it, whether it is the
/// same event, and the fold keys of its two articles (see [`cross_validate`]).
#[derive(Debug, Clone)]
pub struct Example {
    /// Features.
    pub features: PairFeatures,
    /// What the model's probability is fitted to, in 0..1: 1 or 0 for a pair known to be the
    /// same event or not, a graded rating mapped onto 0..1 for a rated pair.
    pub target: f32,
    /// Same event? (What precision, recall and the threshold are measured on.)
    pub same: bool,
    /// Weight in the fit: lets a small file of graded ratings count as much as a large stream
    /// of candidate pairs.
    pub weight: f32,
    /// Fold key of each article: the same key for the same article wherever it occurs (and for
    /// articles that must be held out together, such as one topic's).
    pub keys: [u64; 2],
}

/// Cross-validated quality of a fit.
#[derive(Debug, Clone, Serialize)]
pub struct CvReport {
    /// Number of folds.
    pub folds: usize,
    /// Held-out predictions, one per example, in input order.
    pub held_out: Vec<f32>,
    /// Held-out ROC-AUC.
    pub auc: f64,
    /// Threshold chosen on training folds (mean over folds).
    pub threshold: f32,
    /// Held-out precision of "same" at each fold's own training-chosen threshold.
    pub precision: f64,
    /// Held-out recall likewise.
    pub recall: f64,
}

/// L2 penalty of the fit (on weights, not the bias): keeps rare features from running away. The
/// held-out figures in docs/clustering.md change by less than 0.01 between 0.03 and 0.3.
const L2: f64 = 0.1;

/// Fits a logistic model to the examples' targets by Newton's method (iteratively reweighted
/// least squares; a graded target makes it a fractional-response regression), keeping each
/// weight's sign as [`INPUTS`] requires: a weight that comes out with the wrong sign is held at
/// zero and the rest refitted, the most wrong first, until none is.
pub fn fit(examples: &[Example]) -> SimilarityModel {
    let mut held = [false; COUNT];
    let mut beta = newton(examples, &held);
    // Active set: hold the most wrong-signed weight at zero; once none is wrong, release the held
    // weight whose likelihood gradient most wants to move the allowed way. Bounded, as a cycle
    // guard: each feature enters and leaves a few times at most in practice.
    for _ in 0..4 * COUNT {
        let wrong = (0..COUNT)
            .filter(|&i| !held[i] && (INPUTS[i].sign as f64) * beta[i + 1] < 0.0)
            .max_by(|&i, &j| beta[i + 1].abs().total_cmp(&beta[j + 1].abs()));
        if let Some(i) = wrong {
            held[i] = true;
        } else {
            let grad = gradient(examples, &beta);
            let wanting = (0..COUNT)
                .filter(|&i| held[i] && (INPUTS[i].sign as f64) * grad[i + 1] > 1e-6)
                .max_by(|&i, &j| grad[i + 1].abs().total_cmp(&grad[j + 1].abs()));
            match wanting {
                Some(i) => held[i] = false,
                None => break,
            }
        }
        beta = newton(examples, &held);
    }
    // Should the guard stop a cycle, the result still keeps every sign: hold what is wrong.
    while let Some(i) =
        (0..COUNT).find(|&i| !held[i] && (INPUTS[i].sign as f64) * beta[i + 1] < 0.0)
    {
        held[i] = true;
        beta = newton(examples, &held);
    }
    for (b, &h) in beta[1..].iter_mut().zip(&held) {
        if h {
            *b = 0.0;
        }
    }
    let mut weights = [0.0f32; COUNT];
    for (w, b) in weights.iter_mut().zip(&beta[1..]) {
        *w = *b as f32;
    }
    let mut model = SimilarityModel {
        weights,
        bias: beta[0] as f32,
        threshold: 0.5,
    };
    let scores: Vec<f32> = examples.iter().map(|e| model.score(&e.features)).collect();
    let labels: Vec<bool> = examples.iter().map(|e| e.same).collect();
    let weights: Vec<f32> = examples.iter().map(|e| e.weight).collect();
    model.threshold = best_f1_threshold(&scores, &labels, &weights);
    model
}

/// Fits on all but one fold and predicts that fold, for each of `folds` folds.
///
/// Folds are of articles, not of pairs: each article key falls in one fold; a pair is predicted
/// in the lower fold of its two articles by a model trained only on pairs with neither article in
/// that fold. So no held-out pair's label, and nothing paired with its held-out article, was seen
/// in training, even when the same article occurs in several files.
pub fn cross_validate(examples: &[Example], folds: usize) -> CvReport {
    let fold_of_key = |key: u64| (splitmix(key) % folds as u64) as usize;
    let article_folds = |e: &Example| [fold_of_key(e.keys[0]), fold_of_key(e.keys[1])];
    let mut held_out = vec![0.0f32; examples.len()];
    let (mut tp, mut fp, mut fneg) = (0usize, 0usize, 0usize);
    let mut thresholds = Vec::new();
    for k in 0..folds {
        let train: Vec<Example> = examples
            .iter()
            .filter(|e| !article_folds(e).contains(&k))
            .cloned()
            .collect();
        let model = fit(&train);
        thresholds.push(model.threshold);
        for (i, e) in examples.iter().enumerate() {
            if article_folds(e).into_iter().min() == Some(k) {
                let s = model.score(&e.features);
                held_out[i] = s;
                match (s >= model.threshold, e.same) {
                    (true, true) => tp += 1,
                    (true, false) => fp += 1,
                    (false, true) => fneg += 1,
                    _ => {}
                }
            }
        }
    }
    let labels: Vec<bool> = examples.iter().map(|e| e.same).collect();
    CvReport {
        folds,
        auc: auc(&held_out, &labels),
        threshold: thresholds.iter().sum::<f32>() / folds as f32,
        precision: tp as f64 / (tp + fp).max(1) as f64,
        recall: tp as f64 / (tp + fneg).max(1) as f64,
        held_out,
    }
}

/// Gradient of the penalised log-likelihood at `beta`.
fn gradient(examples: &[Example], beta: &[f64]) -> Vec<f64> {
    derivatives(examples, beta, false).0
}

/// Gradient of the penalised log-likelihood at `beta`, and (when asked) the negative Hessian.
fn derivatives(examples: &[Example], beta: &[f64], hessian: bool) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = beta.len();
    let mut grad = vec![0.0f64; n];
    let mut hess = vec![vec![0.0f64; if hessian { n } else { 0 }]; n];
    for e in examples {
        let x = design_row(&e.features);
        let z: f64 = x.iter().zip(beta).map(|(a, b)| a * b).sum();
        let p = 1.0 / (1.0 + (-z).exp());
        let (y, w) = (e.target as f64, e.weight as f64);
        for ((g, h), xi) in grad.iter_mut().zip(hess.iter_mut()).zip(&x) {
            *g += w * (y - p) * xi;
            for (hij, xj) in h.iter_mut().zip(&x) {
                *hij += w * p * (1.0 - p) * xi * xj;
            }
        }
    }
    for i in 1..n {
        grad[i] -= L2 * beta[i];
        if hessian {
            hess[i][i] += L2;
        }
    }
    (grad, hess)
}

/// The penalised maximum-likelihood intercept and weights, with the `held` weights at zero.
fn newton(examples: &[Example], held: &[bool; COUNT]) -> Vec<f64> {
    let n_params = COUNT + 1;
    let mut beta = vec![0.0f64; n_params];
    for _ in 0..50 {
        let (mut grad, mut hess) = derivatives(examples, &beta, true);
        for i in 1..n_params {
            if held[i - 1] {
                // A held weight takes no step: its row and column become the identity's.
                grad[i] = 0.0;
                hess[i].fill(0.0);
                for row in hess.iter_mut() {
                    row[i] = 0.0;
                }
                hess[i][i] = 1.0;
            }
        }
        let step = solve(hess, grad);
        let size: f64 = step.iter().map(|s| s.abs()).sum();
        for (b, s) in beta.iter_mut().zip(&step) {
            *b += s;
        }
        if size < 1e-8 {
            break;
        }
    }
    beta
}

fn design_row(f: &PairFeatures) -> Vec<f64> {
    std::iter::once(1.0)
        .chain(f.to_array().iter().map(|&x| x as f64))
        .collect()
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap();
        a.swap(col, pivot);
        b.swap(col, pivot);
        let d = a[col][col];
        if d.abs() < 1e-12 {
            continue;
        }
        for row in col + 1..n {
            let factor = a[row][col] / d;
            let (top, bottom) = a.split_at_mut(row);
            for (x, y) in bottom[0][col..].iter_mut().zip(&top[col][col..]) {
                *x -= factor * y;
            }
            b[row] -= factor * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let rest: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = if a[row][row].abs() < 1e-12 {
            0.0
        } else {
            (b[row] - rest) / a[row][row]
        };
    }
    x
}

/// The threshold that maximises F1 of "same" on these scores, each example counting its weight
/// (so each file counts as it does in the fit).
pub fn best_f1_threshold(scores: &[f32], labels: &[bool], weights: &[f32]) -> f32 {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&i, &j| scores[j].total_cmp(&scores[i]));
    let positives: f64 = labels
        .iter()
        .zip(weights)
        .filter(|(&l, _)| l)
        .map(|(_, &w)| w as f64)
        .sum();
    let (mut tp, mut predicted, mut best_f1, mut best_t) = (0.0f64, 0.0f64, -1.0f64, 0.5f32);
    for (rank, &i) in order.iter().enumerate() {
        predicted += weights[i] as f64;
        if labels[i] {
            tp += weights[i] as f64;
        }
        let is_cut = order.get(rank + 1).is_none_or(|&j| scores[j] < scores[i]);
        if !is_cut {
            continue;
        }
        let precision = tp / predicted.max(f64::MIN_POSITIVE);
        let recall = tp / positives.max(f64::MIN_POSITIVE);
        let f1 = if tp == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        if f1 > best_f1 {
            best_f1 = f1;
            let next = order.get(rank + 1).map_or(0.0, |&j| scores[j]);
            best_t = (scores[i] + next) / 2.0;
        }
    }
    best_t
}

/// ROC-AUC of `scores` for `labels` (ties count half).
pub fn auc(scores: &[f32], labels: &[bool]) -> f64 {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&i, &j| scores[i].total_cmp(&scores[j]));
    let (mut rank_sum, mut i) = (0.0f64, 0usize);
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let mid_rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += (i..=j).filter(|&k| labels[order[k]]).count() as f64 * mid_rank;
        i = j + 1;
    }
    let pos = labels.iter().filter(|&&l| l).count() as f64;
    let neg = labels.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return 0.5;
    }
    (rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg)
}

/// A well-mixed hash so fold assignment does not follow group numbering.
fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(cos: f32, same: bool, article: u64) -> Example {
        Example {
            features: PairFeatures {
                doc_cosine: cos,
                sentence_cosine: cos,
                lead_cosine: cos,
                lead_alignment: cos,
                shared_figures: 0.0,
                entity_overlap: 0.0,
                shared_people: 0.0,
                place_overlap: 0.0,
                day_gap: None,
                kind_conflict: 0.0,
                shared_vocabulary: 0.0,
                lengths: [0; 2],
                background: Background {
                    doc: 0.2,
                    sentence: 0.3,
                },
            },
            target: same as u8 as f32,
            same,
            weight: 1.0,
            keys: [article, article + 1000],
        }
    }

    #[test]
    fn a_feature_that_points_the_wrong_way_is_held_at_zero() {
        // Shared people here come with *different* events (a spurious pattern); the fit may not
        // turn shared people into evidence against a pair, so their weight stays at zero, while
        // the kind conflict, allowed to be negative, gets a negative weight.
        let examples: Vec<Example> = (0..400)
            .map(|i| {
                let same = i % 2 == 0;
                let jitter = ((i * 37) % 20) as f32 / 100.0;
                let mut e = example(if same { 0.6 } else { 0.4 } + jitter, same, i as u64);
                e.features.shared_people = if same { 0.0 } else { 1.0 } * (i % 3) as f32 / 2.0;
                e.features.kind_conflict = (!same && i % 4 == 1) as u8 as f32;
                e
            })
            .collect();
        let model = fit(&examples);
        let weight =
            |name: &str| model.weights[INPUTS.iter().position(|n| n.name == name).unwrap()];
        assert_eq!(weight("shared_people"), 0.0, "{model:?}");
        assert!(weight("kind_conflict") < 0.0, "{model:?}");
        for (w, input) in model.weights.iter().zip(INPUTS) {
            assert!(w * input.sign as f32 >= 0.0, "{model:?}");
        }
    }

    #[test]
    fn a_graded_target_gives_graded_scores() {
        // Ratings spread over the scale: the fitted probability follows them, not only the cut.
        let examples: Vec<Example> = (0..300)
            .map(|i| {
                let target = (i % 4) as f32 / 3.0;
                let mut e = example(0.25 + 0.5 * target, target > 0.5, i as u64);
                e.target = target;
                e
            })
            .collect();
        let model = fit(&examples);
        let scores: Vec<f32> = (0..4)
            .map(|k| model.score(&example(0.25 + 0.5 * k as f32 / 3.0, true, 0).features))
            .collect();
        assert!(scores.windows(2).all(|w| w[1] > w[0] + 0.05), "{scores:?}");
        assert!((scores[1] - 1.0 / 3.0).abs() < 0.15, "{scores:?}");
    }

    #[test]
    fn fit_learns_that_cosine_separates_and_cv_reports_held_out_quality() {
        // Same-story pairs around cosine 0.8, others around 0.3, with overlap.
        let examples: Vec<Example> = (0..200)
            .map(|i| {
                let same = i % 2 == 0;
                let jitter = ((i * 37) % 20) as f32 / 100.0;
                let cos = if same {
                    0.65 + jitter
                } else {
                    0.2 + jitter * 2.0
                };
                example(cos, same, i as u64)
            })
            .collect();
        let model = fit(&examples);
        assert!(
            model.weights.iter().take(10).sum::<f32>() > 1.0,
            "{model:?}"
        );
        assert!(model.score(&example(0.9, true, 0).features) > 0.8);
        assert!(model.score(&example(0.1, false, 0).features) < 0.2);
        let mut far_apart = example(0.9, true, 0).features;
        far_apart.day_gap = Some(MAX_EVENT_DAY_GAP + 1);
        assert_eq!(model.score(&far_apart), 0.0);
        let cv = cross_validate(&examples, 5);
        assert!(cv.auc > 0.9 && cv.auc <= 1.0, "{}", cv.auc);
        assert!(cv.precision > 0.8 && cv.recall > 0.8, "{cv:?}");
    }

    #[test]
    fn short_texts_are_measured_against_the_background_of_short_texts() {
        use crate::features::{FULL, MEDIUM, SHORT};
        let full = background("en", "ar", [FULL, FULL]);
        assert_eq!(full, full_background("ar", "en"));
        let one = background("ar", "en", [SHORT, FULL]);
        let both = background("ar", "en", [SHORT, SHORT]);
        let medium = background("ar", "en", [MEDIUM, MEDIUM]);
        assert_eq!(one, background("ar", "en", [FULL, SHORT]));
        assert!(medium.sentence < full.sentence && medium.sentence > both.sentence);
        // Unrelated headlines are less alike than unrelated articles.
        assert!(
            one.doc < full.doc && one.sentence < full.sentence,
            "{one:?} {full:?}"
        );
        assert!(both.sentence < one.sentence, "{both:?} {one:?}");
        // A language pair measured on neither: its kin's full background, scaled by their mean
        // ratio of short to full.
        let unknown = background("xx", "yy", [SHORT, SHORT]);
        let unknown_full = background("xx", "yy", [FULL, FULL]);
        for (x, y, same) in [("xx", "yy", false), ("xx", "xx", true)] {
            let kin: Vec<f32> = BACKGROUNDS
                .iter()
                .filter(|(a, b, _)| (a == b) == same)
                .map(|(.., bg)| bg.doc)
                .collect();
            let mean = kin.iter().sum::<f32>() / kin.len() as f32;
            assert!((full_background(x, y).doc - mean).abs() < 1e-6, "{x}-{y}");
        }
        assert!(
            unknown.doc < unknown_full.doc && unknown.doc > 0.0,
            "{unknown:?}"
        );
    }

    #[test]
    fn auc_of_perfect_random_and_inverted_rankings() {
        let labels = [false, false, true, true];
        assert_eq!(auc(&[0.1, 0.2, 0.8, 0.9], &labels), 1.0);
        assert_eq!(auc(&[0.5, 0.5, 0.5, 0.5], &labels), 0.5);
        assert_eq!(auc(&[0.9, 0.8, 0.2, 0.1], &labels), 0.0);
    }

    #[test]
    fn best_threshold_splits_separable_scores() {
        let t = best_f1_threshold(
            &[0.1, 0.2, 0.7, 0.9],
            &[false, false, true, true],
            &[1.0; 4],
        );
        assert!(t > 0.2 && t < 0.7, "{t}");
    }
}
