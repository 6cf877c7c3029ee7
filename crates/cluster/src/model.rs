//! The similarity model: logistic regressions over [`PairFeatures`] (one for pairs whose
//! vocabularies are compared, one for pairs scored without them), giving the probability that
//! two articles report the same event. Their weights are fitted (see [`fit`]) by
//! `khabar eval fit` on labelled pairs with grouped cross-validation; the fitted values live in
//! [`FITTED`] with the command and data that produced them.

use crate::features::{
    lengths_index, Background, PairFeatures, COUNT, INPUTS, SHORTER_COMBINATIONS,
};
use serde::{Deserialize, Serialize};

/// Weights and intercept of a logistic regression over the model's inputs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Logistic {
    /// Weight of each input, in the order of [`INPUTS`].
    pub weights: [f32; COUNT],
    /// Intercept.
    pub bias: f32,
}

/// The similarity model: a logistic regression for pairs whose vocabularies can be compared,
/// another for pairs scored without them, and the decision threshold for "same event".
///
/// Why two: two reports in one script share names, places and acronyms, and the vocabulary input
/// ([`crate::vocabulary`]) is among the strongest evidence there; fitted with it, the model leans
/// less on the embeddings. Two reports in different scripts (Arabic and English) cannot share a
/// word whether or not they report one story, and scored by that model they would lose the
/// evidence the embeddings give without getting the vocabulary's in exchange; a headline alone
/// has so few stems that two shared words would count as much as a shared story. Such pairs
/// ([`PairFeatures::without_vocabulary`]) are scored by a model fitted on the same pairs without
/// the vocabulary input: the model of what the other inputs say when the vocabulary is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SimilarityModel {
    /// For pairs whose vocabularies are compared.
    pub with_vocabulary: Logistic,
    /// For pairs scored without their vocabulary: fitted with the vocabulary weight held at zero,
    /// its intercept then moved so that its own best cut falls at [`threshold`](Self::threshold)
    /// (the two models' probabilities meet one threshold when grouping).
    pub without_vocabulary: Logistic,
    /// Two groups of articles are one event when their mean pair probability reaches this.
    pub threshold: f32,
}

/// Position of the vocabulary input in [`INPUTS`] (a test checks it).
pub const VOCABULARY_INPUT: usize = 14;

/// The weights in use. Produced by `khabar eval fit` (see docs/clustering.md for the data, the
/// cross-validated figures and the exact command); regenerate them with it, never edit by hand.
pub const FITTED: SimilarityModel = SimilarityModel {
    with_vocabulary: Logistic {
        weights: [
            0.0000, 5.3150, 5.0692, 0.0000, 0.3091, 2.5746, 2.4593, 0.0000, 0.0000, 0.0000, 0.0000,
            0.0000, 0.3182, -1.6969, 5.4635, 1.3380,
        ],
        bias: -3.5440,
    },
    without_vocabulary: Logistic {
        weights: [
            0.0000, 6.2348, 6.2906, 0.0000, 2.1979, 2.4949, 2.9627, 0.0000, 0.0000, 0.0000, 0.0000,
            0.0000, 0.5715, -1.6336, 0.0000, 1.7072,
        ],
        bias: -3.6345,
    },
    threshold: 0.5697,
};

/// Mean cosines and vocabulary overlaps of unrelated articles by language pair (languages in
/// alphabetical order),
/// measured by `khabar eval fit` over every cross-article pair of its input streams, where almost
/// all pairs are of different events. Regenerate with it, never edit by hand.
pub const BACKGROUNDS: &[(&str, &str, Background)] = &[
    (
        "ar",
        "ar",
        Background {
            doc: 0.1515,
            sentence: 0.2287,
            vocabulary: 0.1818,
        },
    ),
    (
        "ar",
        "de",
        Background {
            doc: 0.1152,
            sentence: 0.1958,
            vocabulary: 0.0005,
        },
    ),
    (
        "ar",
        "en",
        Background {
            doc: 0.1189,
            sentence: 0.1995,
            vocabulary: 0.0022,
        },
    ),
    (
        "ar",
        "es",
        Background {
            doc: 0.1334,
            sentence: 0.2096,
            vocabulary: 0.0004,
        },
    ),
    (
        "ar",
        "fr",
        Background {
            doc: 0.1349,
            sentence: 0.2090,
            vocabulary: 0.0005,
        },
    ),
    (
        "ar",
        "pl",
        Background {
            doc: 0.1250,
            sentence: 0.2012,
            vocabulary: 0.0001,
        },
    ),
    (
        "ar",
        "tr",
        Background {
            doc: 0.1408,
            sentence: 0.2114,
            vocabulary: 0.0006,
        },
    ),
    (
        "de",
        "de",
        Background {
            doc: 0.2033,
            sentence: 0.2522,
            vocabulary: 0.2035,
        },
    ),
    (
        "de",
        "en",
        Background {
            doc: 0.1627,
            sentence: 0.2234,
            vocabulary: 0.0214,
        },
    ),
    (
        "de",
        "es",
        Background {
            doc: 0.1918,
            sentence: 0.2428,
            vocabulary: 0.0064,
        },
    ),
    (
        "de",
        "fr",
        Background {
            doc: 0.1830,
            sentence: 0.2334,
            vocabulary: 0.0296,
        },
    ),
    (
        "de",
        "pl",
        Background {
            doc: 0.1389,
            sentence: 0.2128,
            vocabulary: 0.0176,
        },
    ),
    (
        "de",
        "tr",
        Background {
            doc: 0.1597,
            sentence: 0.2216,
            vocabulary: 0.0077,
        },
    ),
    (
        "en",
        "en",
        Background {
            doc: 0.2088,
            sentence: 0.2633,
            vocabulary: 0.2021,
        },
    ),
    (
        "en",
        "es",
        Background {
            doc: 0.1672,
            sentence: 0.2284,
            vocabulary: 0.0131,
        },
    ),
    (
        "en",
        "fr",
        Background {
            doc: 0.1601,
            sentence: 0.2208,
            vocabulary: 0.0298,
        },
    ),
    (
        "en",
        "pl",
        Background {
            doc: 0.1336,
            sentence: 0.2101,
            vocabulary: 0.0072,
        },
    ),
    (
        "en",
        "tr",
        Background {
            doc: 0.1429,
            sentence: 0.2129,
            vocabulary: 0.0069,
        },
    ),
    (
        "es",
        "es",
        Background {
            doc: 0.2381,
            sentence: 0.2860,
            vocabulary: 0.2140,
        },
    ),
    (
        "es",
        "fr",
        Background {
            doc: 0.2014,
            sentence: 0.2502,
            vocabulary: 0.0482,
        },
    ),
    (
        "es",
        "pl",
        Background {
            doc: 0.1531,
            sentence: 0.2219,
            vocabulary: 0.0035,
        },
    ),
    (
        "es",
        "tr",
        Background {
            doc: 0.1796,
            sentence: 0.2365,
            vocabulary: 0.0107,
        },
    ),
    (
        "fr",
        "fr",
        Background {
            doc: 0.2150,
            sentence: 0.2652,
            vocabulary: 0.2718,
        },
    ),
    (
        "fr",
        "pl",
        Background {
            doc: 0.1486,
            sentence: 0.2146,
            vocabulary: 0.0036,
        },
    ),
    (
        "fr",
        "tr",
        Background {
            doc: 0.1678,
            sentence: 0.2256,
            vocabulary: 0.0150,
        },
    ),
    (
        "pl",
        "pl",
        Background {
            doc: 0.1547,
            sentence: 0.2266,
            vocabulary: 0.1446,
        },
    ),
    (
        "pl",
        "tr",
        Background {
            doc: 0.1438,
            sentence: 0.2138,
            vocabulary: 0.0023,
        },
    ),
    (
        "tr",
        "tr",
        Background {
            doc: 0.1942,
            sentence: 0.2487,
            vocabulary: 0.1402,
        },
    ),
];

/// Mean cosines and vocabulary overlaps of unrelated articles by language pair when either is
/// shorter than a full
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
                doc: 0.1381,
                sentence: 0.2170,
                vocabulary: 0.1592,
            },
            Background {
                doc: 0.1292,
                sentence: 0.2074,
                vocabulary: 0.1390,
            },
            Background {
                doc: 0.0636,
                sentence: 0.1628,
                vocabulary: 0.0965,
            },
            Background {
                doc: 0.0655,
                sentence: 0.1531,
                vocabulary: 0.0862,
            },
            Background {
                doc: 0.0716,
                sentence: 0.1203,
                vocabulary: 0.0527,
            },
        ],
    ),
    (
        "ar",
        "de",
        [
            Background {
                doc: 0.1001,
                sentence: 0.1851,
                vocabulary: 0.0003,
            },
            Background {
                doc: 0.0907,
                sentence: 0.1754,
                vocabulary: 0.0001,
            },
            Background {
                doc: 0.0584,
                sentence: 0.1484,
                vocabulary: 0.0002,
            },
            Background {
                doc: 0.0575,
                sentence: 0.1383,
                vocabulary: 0.0000,
            },
            Background {
                doc: 0.0519,
                sentence: 0.1026,
                vocabulary: 0.0000,
            },
        ],
    ),
    (
        "ar",
        "en",
        [
            Background {
                doc: 0.1028,
                sentence: 0.1871,
                vocabulary: 0.0010,
            },
            Background {
                doc: 0.0925,
                sentence: 0.1750,
                vocabulary: 0.0003,
            },
            Background {
                doc: 0.0534,
                sentence: 0.1459,
                vocabulary: 0.0006,
            },
            Background {
                doc: 0.0519,
                sentence: 0.1342,
                vocabulary: 0.0001,
            },
            Background {
                doc: 0.0450,
                sentence: 0.0977,
                vocabulary: 0.0000,
            },
        ],
    ),
    (
        "ar",
        "es",
        [
            Background {
                doc: 0.1199,
                sentence: 0.1978,
                vocabulary: 0.0002,
            },
            Background {
                doc: 0.1122,
                sentence: 0.1868,
                vocabulary: 0.0000,
            },
            Background {
                doc: 0.0680,
                sentence: 0.1541,
                vocabulary: 0.0001,
            },
            Background {
                doc: 0.0669,
                sentence: 0.1428,
                vocabulary: 0.0000,
            },
            Background {
                doc: 0.0480,
                sentence: 0.1025,
                vocabulary: 0.0000,
            },
        ],
    ),
    (
        "ar",
        "fr",
        [
            Background {
                doc: 0.1160,
                sentence: 0.1976,
                vocabulary: 0.0001,
            },
            Background {
                doc: 0.1015,
                sentence: 0.1850,
                vocabulary: 0.0000,
            },
            Background {
                doc: 0.0587,
                sentence: 0.1513,
                vocabulary: 0.0001,
            },
            Background {
                doc: 0.0572,
                sentence: 0.1419,
                vocabulary: 0.0000,
            },
            Background {
                doc: 0.0569,
                sentence: 0.1067,
                vocabulary: 0.0000,
            },
        ],
    ),
    (
        "ar",
        "pl",
        [
            Background {
                doc: 0.1011,
                sentence: 0.1888,
                vocabulary: 0.0000,
            },
            Background {
                doc: 0.0840,
                sentence: 0.1772,
                vocabulary: 0.0000,
            },
            Background {
                doc: 0.0318,
                sentence: 0.1341,
                vocabulary: 0.0000,
            },
            Background {
                doc: 0.0300,
                sentence: 0.1224,
                vocabulary: 0.0000,
            },
            Background {
                doc: 0.0379,
                sentence: 0.0839,
                vocabulary: 0.0000,
            },
        ],
    ),
    (
        "ar",
        "tr",
        [
            Background {
                doc: 0.1231,
                sentence: 0.1988,
                vocabulary: 0.0003,
            },
            Background {
                doc: 0.1106,
                sentence: 0.1861,
                vocabulary: 0.0002,
            },
            Background {
                doc: 0.0593,
                sentence: 0.1530,
                vocabulary: 0.0003,
            },
            Background {
                doc: 0.0574,
                sentence: 0.1406,
                vocabulary: 0.0001,
            },
            Background {
                doc: 0.0499,
                sentence: 0.1022,
                vocabulary: 0.0002,
            },
        ],
    ),
    (
        "de",
        "de",
        [
            Background {
                doc: 0.1642,
                sentence: 0.2334,
                vocabulary: 0.1733,
            },
            Background {
                doc: 0.1455,
                sentence: 0.2198,
                vocabulary: 0.1521,
            },
            Background {
                doc: 0.1091,
                sentence: 0.1919,
                vocabulary: 0.1311,
            },
            Background {
                doc: 0.1065,
                sentence: 0.1807,
                vocabulary: 0.1141,
            },
            Background {
                doc: 0.0937,
                sentence: 0.1446,
                vocabulary: 0.0838,
            },
        ],
    ),
    (
        "de",
        "en",
        [
            Background {
                doc: 0.1304,
                sentence: 0.2082,
                vocabulary: 0.0140,
            },
            Background {
                doc: 0.1150,
                sentence: 0.1955,
                vocabulary: 0.0091,
            },
            Background {
                doc: 0.0813,
                sentence: 0.1695,
                vocabulary: 0.0091,
            },
            Background {
                doc: 0.0792,
                sentence: 0.1580,
                vocabulary: 0.0061,
            },
            Background {
                doc: 0.0687,
                sentence: 0.1217,
                vocabulary: 0.0044,
            },
        ],
    ),
    (
        "de",
        "es",
        [
            Background {
                doc: 0.1567,
                sentence: 0.2245,
                vocabulary: 0.0042,
            },
            Background {
                doc: 0.1373,
                sentence: 0.2088,
                vocabulary: 0.0031,
            },
            Background {
                doc: 0.0977,
                sentence: 0.1845,
                vocabulary: 0.0030,
            },
            Background {
                doc: 0.0941,
                sentence: 0.1709,
                vocabulary: 0.0023,
            },
            Background {
                doc: 0.0773,
                sentence: 0.1345,
                vocabulary: 0.0017,
            },
        ],
    ),
    (
        "de",
        "fr",
        [
            Background {
                doc: 0.1430,
                sentence: 0.2164,
                vocabulary: 0.0227,
            },
            Background {
                doc: 0.1239,
                sentence: 0.2035,
                vocabulary: 0.0170,
            },
            Background {
                doc: 0.0897,
                sentence: 0.1752,
                vocabulary: 0.0142,
            },
            Background {
                doc: 0.0846,
                sentence: 0.1636,
                vocabulary: 0.0110,
            },
            Background {
                doc: 0.0737,
                sentence: 0.1270,
                vocabulary: 0.0075,
            },
        ],
    ),
    (
        "de",
        "pl",
        [
            Background {
                doc: 0.1049,
                sentence: 0.1970,
                vocabulary: 0.0097,
            },
            Background {
                doc: 0.0880,
                sentence: 0.1839,
                vocabulary: 0.0053,
            },
            Background {
                doc: 0.0535,
                sentence: 0.1491,
                vocabulary: 0.0031,
            },
            Background {
                doc: 0.0494,
                sentence: 0.1368,
                vocabulary: 0.0018,
            },
            Background {
                doc: 0.0383,
                sentence: 0.0904,
                vocabulary: 0.0007,
            },
        ],
    ),
    (
        "de",
        "tr",
        [
            Background {
                doc: 0.1252,
                sentence: 0.2045,
                vocabulary: 0.0060,
            },
            Background {
                doc: 0.1061,
                sentence: 0.1900,
                vocabulary: 0.0046,
            },
            Background {
                doc: 0.0746,
                sentence: 0.1642,
                vocabulary: 0.0040,
            },
            Background {
                doc: 0.0674,
                sentence: 0.1504,
                vocabulary: 0.0032,
            },
            Background {
                doc: 0.0540,
                sentence: 0.1105,
                vocabulary: 0.0023,
            },
        ],
    ),
    (
        "en",
        "en",
        [
            Background {
                doc: 0.1646,
                sentence: 0.2406,
                vocabulary: 0.1541,
            },
            Background {
                doc: 0.1477,
                sentence: 0.2255,
                vocabulary: 0.1245,
            },
            Background {
                doc: 0.0988,
                sentence: 0.1961,
                vocabulary: 0.0989,
            },
            Background {
                doc: 0.0972,
                sentence: 0.1828,
                vocabulary: 0.0791,
            },
            Background {
                doc: 0.0936,
                sentence: 0.1463,
                vocabulary: 0.0513,
            },
        ],
    ),
    (
        "en",
        "es",
        [
            Background {
                doc: 0.1378,
                sentence: 0.2119,
                vocabulary: 0.0093,
            },
            Background {
                doc: 0.1213,
                sentence: 0.1969,
                vocabulary: 0.0069,
            },
            Background {
                doc: 0.0833,
                sentence: 0.1721,
                vocabulary: 0.0059,
            },
            Background {
                doc: 0.0800,
                sentence: 0.1583,
                vocabulary: 0.0044,
            },
            Background {
                doc: 0.0656,
                sentence: 0.1224,
                vocabulary: 0.0030,
            },
        ],
    ),
    (
        "en",
        "fr",
        [
            Background {
                doc: 0.1258,
                sentence: 0.2054,
                vocabulary: 0.0187,
            },
            Background {
                doc: 0.1100,
                sentence: 0.1932,
                vocabulary: 0.0126,
            },
            Background {
                doc: 0.0710,
                sentence: 0.1618,
                vocabulary: 0.0103,
            },
            Background {
                doc: 0.0677,
                sentence: 0.1503,
                vocabulary: 0.0072,
            },
            Background {
                doc: 0.0565,
                sentence: 0.1117,
                vocabulary: 0.0039,
            },
        ],
    ),
    (
        "en",
        "pl",
        [
            Background {
                doc: 0.1016,
                sentence: 0.1943,
                vocabulary: 0.0042,
            },
            Background {
                doc: 0.0853,
                sentence: 0.1802,
                vocabulary: 0.0024,
            },
            Background {
                doc: 0.0445,
                sentence: 0.1432,
                vocabulary: 0.0025,
            },
            Background {
                doc: 0.0410,
                sentence: 0.1298,
                vocabulary: 0.0015,
            },
            Background {
                doc: 0.0297,
                sentence: 0.0831,
                vocabulary: 0.0008,
            },
        ],
    ),
    (
        "en",
        "tr",
        [
            Background {
                doc: 0.1131,
                sentence: 0.1968,
                vocabulary: 0.0044,
            },
            Background {
                doc: 0.0969,
                sentence: 0.1824,
                vocabulary: 0.0030,
            },
            Background {
                doc: 0.0618,
                sentence: 0.1553,
                vocabulary: 0.0026,
            },
            Background {
                doc: 0.0565,
                sentence: 0.1413,
                vocabulary: 0.0020,
            },
            Background {
                doc: 0.0461,
                sentence: 0.1020,
                vocabulary: 0.0014,
            },
        ],
    ),
    (
        "es",
        "es",
        [
            Background {
                doc: 0.2076,
                sentence: 0.2669,
                vocabulary: 0.1940,
            },
            Background {
                doc: 0.1891,
                sentence: 0.2507,
                vocabulary: 0.1782,
            },
            Background {
                doc: 0.1301,
                sentence: 0.2177,
                vocabulary: 0.1573,
            },
            Background {
                doc: 0.1262,
                sentence: 0.2026,
                vocabulary: 0.1421,
            },
            Background {
                doc: 0.0999,
                sentence: 0.1604,
                vocabulary: 0.1106,
            },
        ],
    ),
    (
        "es",
        "fr",
        [
            Background {
                doc: 0.1651,
                sentence: 0.2327,
                vocabulary: 0.0436,
            },
            Background {
                doc: 0.1436,
                sentence: 0.2178,
                vocabulary: 0.0399,
            },
            Background {
                doc: 0.0984,
                sentence: 0.1838,
                vocabulary: 0.0192,
            },
            Background {
                doc: 0.0933,
                sentence: 0.1711,
                vocabulary: 0.0167,
            },
            Background {
                doc: 0.0702,
                sentence: 0.1285,
                vocabulary: 0.0057,
            },
        ],
    ),
    (
        "es",
        "pl",
        [
            Background {
                doc: 0.1184,
                sentence: 0.2034,
                vocabulary: 0.0031,
            },
            Background {
                doc: 0.0985,
                sentence: 0.1866,
                vocabulary: 0.0029,
            },
            Background {
                doc: 0.0597,
                sentence: 0.1502,
                vocabulary: 0.0015,
            },
            Background {
                doc: 0.0545,
                sentence: 0.1361,
                vocabulary: 0.0015,
            },
            Background {
                doc: 0.0340,
                sentence: 0.0878,
                vocabulary: 0.0005,
            },
        ],
    ),
    (
        "es",
        "tr",
        [
            Background {
                doc: 0.1472,
                sentence: 0.2176,
                vocabulary: 0.0077,
            },
            Background {
                doc: 0.1287,
                sentence: 0.2010,
                vocabulary: 0.0055,
            },
            Background {
                doc: 0.0868,
                sentence: 0.1720,
                vocabulary: 0.0056,
            },
            Background {
                doc: 0.0804,
                sentence: 0.1570,
                vocabulary: 0.0040,
            },
            Background {
                doc: 0.0580,
                sentence: 0.1157,
                vocabulary: 0.0029,
            },
        ],
    ),
    (
        "fr",
        "fr",
        [
            Background {
                doc: 0.1671,
                sentence: 0.2426,
                vocabulary: 0.2285,
            },
            Background {
                doc: 0.1421,
                sentence: 0.2238,
                vocabulary: 0.1972,
            },
            Background {
                doc: 0.1015,
                sentence: 0.1911,
                vocabulary: 0.1435,
            },
            Background {
                doc: 0.0917,
                sentence: 0.1743,
                vocabulary: 0.1215,
            },
            Background {
                doc: 0.0794,
                sentence: 0.1331,
                vocabulary: 0.0690,
            },
        ],
    ),
    (
        "fr",
        "pl",
        [
            Background {
                doc: 0.1078,
                sentence: 0.1963,
                vocabulary: 0.0022,
            },
            Background {
                doc: 0.0890,
                sentence: 0.1818,
                vocabulary: 0.0016,
            },
            Background {
                doc: 0.0449,
                sentence: 0.1424,
                vocabulary: 0.0011,
            },
            Background {
                doc: 0.0408,
                sentence: 0.1297,
                vocabulary: 0.0008,
            },
            Background {
                doc: 0.0407,
                sentence: 0.0893,
                vocabulary: 0.0003,
            },
        ],
    ),
    (
        "fr",
        "tr",
        [
            Background {
                doc: 0.1283,
                sentence: 0.2057,
                vocabulary: 0.0130,
            },
            Background {
                doc: 0.1066,
                sentence: 0.1894,
                vocabulary: 0.0112,
            },
            Background {
                doc: 0.0707,
                sentence: 0.1612,
                vocabulary: 0.0065,
            },
            Background {
                doc: 0.0615,
                sentence: 0.1467,
                vocabulary: 0.0054,
            },
            Background {
                doc: 0.0517,
                sentence: 0.1080,
                vocabulary: 0.0024,
            },
        ],
    ),
    (
        "pl",
        "pl",
        [
            Background {
                doc: 0.1090,
                sentence: 0.2050,
                vocabulary: 0.0991,
            },
            Background {
                doc: 0.0881,
                sentence: 0.1892,
                vocabulary: 0.0633,
            },
            Background {
                doc: 0.0295,
                sentence: 0.1403,
                vocabulary: 0.0426,
            },
            Background {
                doc: 0.0284,
                sentence: 0.1270,
                vocabulary: 0.0262,
            },
            Background {
                doc: 0.0480,
                sentence: 0.0864,
                vocabulary: 0.0126,
            },
        ],
    ),
    (
        "pl",
        "tr",
        [
            Background {
                doc: 0.1058,
                sentence: 0.1954,
                vocabulary: 0.0014,
            },
            Background {
                doc: 0.0853,
                sentence: 0.1796,
                vocabulary: 0.0010,
            },
            Background {
                doc: 0.0425,
                sentence: 0.1441,
                vocabulary: 0.0008,
            },
            Background {
                doc: 0.0368,
                sentence: 0.1291,
                vocabulary: 0.0007,
            },
            Background {
                doc: 0.0327,
                sentence: 0.0830,
                vocabulary: 0.0005,
            },
        ],
    ),
    (
        "tr",
        "tr",
        [
            Background {
                doc: 0.1542,
                sentence: 0.2257,
                vocabulary: 0.1028,
            },
            Background {
                doc: 0.1313,
                sentence: 0.2066,
                vocabulary: 0.0755,
            },
            Background {
                doc: 0.0871,
                sentence: 0.1775,
                vocabulary: 0.0589,
            },
            Background {
                doc: 0.0782,
                sentence: 0.1608,
                vocabulary: 0.0440,
            },
            Background {
                doc: 0.0645,
                sentence: 0.1197,
                vocabulary: 0.0281,
            },
        ],
    ),
];

/// The background of a pair of articles in languages `a` and `b` and of length classes
/// `lengths`: [`BACKGROUNDS`] for two full articles, else [`SHORTER_BACKGROUNDS`]. A language
/// pair missing from the latter gets its full-article background scaled by the ratio of shorter
/// to full over the measured pairs of the same kind (same language, or two languages), as a ratio
/// of their means: a vocabulary overlap that is zero in full (two scripts) stays zero.
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
    match SHORTER_MEANS[usize::from(a == b)][k] {
        Some([shorter, kin_full]) => {
            let scale = |full: f32, shorter: f32, kin_full: f32| {
                if kin_full > 0.0 {
                    full * shorter / kin_full
                } else {
                    full
                }
            };
            Background {
                doc: scale(full.doc, shorter.doc, kin_full.doc),
                sentence: scale(full.sentence, shorter.sentence, kin_full.sentence),
                vocabulary: scale(full.vocabulary, shorter.vocabulary, kin_full.vocabulary),
            }
        }
        None => full,
    }
}

/// For each shorter length combination, the means over the measured language pairs of one kind
/// (index 0: two languages, 1: one language) of its backgrounds and of their full-article ones;
/// None when no pair of that kind was measured. Computed once: [`background`] is called for every
/// scored pair.
static SHORTER_MEANS: std::sync::LazyLock<[[Option<[Background; 2]>; SHORTER_COMBINATIONS]; 2]> =
    std::sync::LazyLock::new(|| {
        std::array::from_fn(|same| {
            std::array::from_fn(|k| {
                let kin: Vec<[Background; 2]> = SHORTER_BACKGROUNDS
                    .iter()
                    .filter(|(x, y, _)| usize::from(x == y) == same)
                    .map(|(x, y, bg)| [bg[k], full_background(x, y)])
                    .collect();
                (!kin.is_empty()).then(|| [0, 1].map(|i| mean(kin.iter().map(|pair| pair[i]))))
            })
        })
    });

/// The mean of some backgrounds, field by field (zero for none).
fn mean(backgrounds: impl Iterator<Item = Background>) -> Background {
    let (mut sum, mut n) = (Background::default(), 0.0f32);
    for bg in backgrounds {
        sum.doc += bg.doc;
        sum.sentence += bg.sentence;
        sum.vocabulary += bg.vocabulary;
        n += 1.0;
    }
    let n = n.max(1.0);
    Background {
        doc: sum.doc / n,
        sentence: sum.sentence / n,
        vocabulary: sum.vocabulary / n,
    }
}

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
        mean(
            BACKGROUNDS
                .iter()
                .filter(|(x, y, _)| usize::from(x == y) == same)
                .map(|(.., bg)| *bg),
        )
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
        self.logistic_for(f).score(f)
    }

    /// The log-odds behind [`score`](Self::score): linear in the model's inputs.
    pub fn log_odds(&self, f: &PairFeatures) -> f32 {
        self.logistic_for(f).log_odds(f)
    }

    /// The regression that scores this pair: by whether its vocabularies are compared.
    pub fn logistic_for(&self, f: &PairFeatures) -> &Logistic {
        if f.without_vocabulary {
            &self.without_vocabulary
        } else {
            &self.with_vocabulary
        }
    }

    /// Each measurement's contribution to the log-odds, by [`PairFeatures`] field name (its
    /// segments added up; for explanations), with the same-day evidence when it applies.
    pub fn contributions(&self, f: &PairFeatures) -> Vec<(&'static str, f32)> {
        let weights = &self.logistic_for(f).weights;
        let mut parts: Vec<(&'static str, f32)> = Vec::new();
        for (input, (w, x)) in INPUTS.iter().zip(weights.iter().zip(f.to_array())) {
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

impl Logistic {
    /// Log-odds of one pair: the weighted inputs, the intercept and the rules on event days.
    pub fn log_odds(&self, f: &PairFeatures) -> f32 {
        let same_day = match f.day_gap {
            Some(gap) if gap > MAX_EVENT_DAY_GAP => return f32::NEG_INFINITY,
            Some(gap) if gap <= 1 => SAME_DAY_LOG_LR,
            _ => 0.0,
        };
        let x = f.to_array();
        self.bias + same_day + self.weights.iter().zip(x).map(|(w, x)| w * x).sum::<f32>()
    }

    /// Probability from [`log_odds`](Self::log_odds).
    fn score(&self, f: &PairFeatures) -> f32 {
        1.0 / (1.0 + (-self.log_odds(f)).exp())
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
    /// Whether each held-out prediction reaches its fold's threshold (the example is predicted
    /// "same"), in input order: for precision and recall on a part of the examples.
    pub predicted_same: Vec<bool>,
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

/// Fits the similarity model: the regression with the vocabulary on every example, the one
/// without it on every example with the vocabulary weight held at zero (see [`SimilarityModel`]), and the threshold, the F1-best cut of the first over all examples. The
/// second's intercept is moved by the log-odds between its own F1-best cut and that threshold.
/// The threshold is the first regression's cut over every example, the few that the second
/// scores in use (pairs in two scripts; the fitting data has no headline alone) included: they are
/// too few to move it, and one cut for every pair keeps the two calibrated to the same data.
pub fn fit(examples: &[Example]) -> SimilarityModel {
    let labels: Vec<bool> = examples.iter().map(|e| e.same).collect();
    let weights: Vec<f32> = examples.iter().map(|e| e.weight).collect();
    let best_cut = |l: &Logistic| {
        let scores: Vec<f32> = examples.iter().map(|e| l.score(&e.features)).collect();
        best_f1_threshold(&scores, &labels, &weights)
    };
    let with_vocabulary = fit_logistic(examples, None);
    let threshold = best_cut(&with_vocabulary);
    let mut without_vocabulary = fit_logistic(examples, Some(VOCABULARY_INPUT));
    // A cut at 0 or 1 (every score on one side) would move the intercept to infinity.
    let logit = |p: f32| {
        let p = p.clamp(1e-6, 1.0 - 1e-6);
        (p / (1.0 - p)).ln()
    };
    without_vocabulary.bias += logit(threshold) - logit(best_cut(&without_vocabulary));
    SimilarityModel {
        with_vocabulary,
        without_vocabulary,
        threshold,
    }
}

/// Fits a logistic regression to the examples' targets by Newton's method (iteratively
/// reweighted least squares; a graded target makes it a fractional-response regression), keeping
/// each weight's sign as [`INPUTS`] requires: a weight that comes out with the wrong sign is held
/// at zero and the rest refitted, the most wrong first, until none is. The input `left_out`, if
/// any, is held at zero throughout.
fn fit_logistic(examples: &[Example], left_out: Option<usize>) -> Logistic {
    let mut held = [false; COUNT];
    let fixed = |i: usize| Some(i) == left_out;
    if let Some(i) = left_out {
        held[i] = true;
    }
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
                .filter(|&i| held[i] && !fixed(i) && (INPUTS[i].sign as f64) * grad[i + 1] > 1e-6)
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
    Logistic {
        weights,
        bias: beta[0] as f32,
    }
}

/// Fits on all but one fold and predicts that fold, for each of `folds` folds.
///
/// Folds are of articles, not of pairs: each article key falls in one fold; a pair is predicted
/// in the lower fold of its two articles by a model trained only on pairs with neither article in
/// that fold. So no held-out pair's label, and nothing paired with its held-out article, was seen
/// in training, even when the same article occurs in several files (pairs of its *other* article
/// may have been: that one's fold is not held out).
pub fn cross_validate(examples: &[Example], folds: usize) -> CvReport {
    // A well-mixed hash, so fold assignment does not follow group numbering.
    let fold_of_key = |key: u64| (khabar_core::splitmix64(key) % folds as u64) as usize;
    let article_folds = |e: &Example| [fold_of_key(e.keys[0]), fold_of_key(e.keys[1])];
    let mut held_out = vec![0.0f32; examples.len()];
    let mut predicted_same = vec![false; examples.len()];
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
                predicted_same[i] = s >= model.threshold;
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
        predicted_same,
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
                without_vocabulary: false,
                lengths: [0; 2],
                background: Background {
                    doc: 0.2,
                    sentence: 0.3,
                    vocabulary: 0.1,
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
        let weight = |name: &str| {
            model.with_vocabulary.weights[INPUTS.iter().position(|n| n.name == name).unwrap()]
        };
        assert_eq!(weight("shared_people"), 0.0, "{model:?}");
        assert!(weight("kind_conflict") < 0.0, "{model:?}");
        for (w, input) in model.with_vocabulary.weights.iter().zip(INPUTS) {
            assert!(w * input.sign as f32 >= 0.0, "{model:?}");
        }
    }

    #[test]
    fn pairs_that_cannot_share_words_are_scored_by_the_model_fitted_without_them() {
        assert_eq!(INPUTS[VOCABULARY_INPUT].measure, "shared_vocabulary");
        // Same-event pairs share rare words and are a little more alike; the vocabulary is the
        // stronger evidence, so the model with it leans on it.
        let examples: Vec<Example> = (0..400)
            .map(|i| {
                let same = i % 2 == 0;
                let jitter = ((i * 37) % 20) as f32 / 100.0;
                let mut e = example(if same { 0.5 } else { 0.4 } + jitter, same, i as u64);
                e.features.shared_vocabulary =
                    if same { 0.4 } else { 0.1 } + ((i * 13) % 10) as f32 / 50.0;
                e
            })
            .collect();
        let model = fit(&examples);
        let (with, without) = (&model.with_vocabulary, &model.without_vocabulary);
        assert!(with.weights[VOCABULARY_INPUT] > 1.0, "{model:?}");
        assert_eq!(without.weights[VOCABULARY_INPUT], 0.0);
        // Without the vocabulary the embeddings carry more weight.
        assert!(without.weights[..4].iter().sum::<f32>() > with.weights[..4].iter().sum::<f32>());
        let mut pair = example(0.55, true, 0).features;
        pair.shared_vocabulary = 0.0;
        let with_score = model.score(&pair);
        pair.without_vocabulary = true;
        assert_eq!(model.log_odds(&pair), without.log_odds(&pair));
        // A pair alike in its embeddings but unable to share a word is not held against that.
        assert!(
            model.score(&pair) > with_score,
            "{} vs {with_score}",
            model.score(&pair)
        );
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
            model.with_vocabulary.weights.iter().take(10).sum::<f32>() > 1.0,
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
        // A language pair measured on neither: its kin's full background, scaled by the ratio of
        // their mean short to their mean full background.
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
        assert!(unknown.vocabulary < unknown_full.vocabulary && unknown.vocabulary > 0.0);
        let ar_en_full = full_background("ar", "en").vocabulary;
        assert!(
            ar_en_full < 0.01,
            "two scripts share almost no words: {ar_en_full}"
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
