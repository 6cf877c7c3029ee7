//! khabar's cluster stage: decides which articles report the same real-world event.
//!
//! Three steps, each a module:
//! 1. [`features`]: what two analysed articles share — document and best-sentence cosine of their
//!    multilingual embeddings, language-independent entities (people, places, countries,
//!    organisations), event dates, event kind, and word overlap weighted by [`vocabulary`]
//!    (how rare each word is in the stream).
//! 2. [`model`]: logistic regressions over those features (one without the word overlap, for
//!    pairs that cannot share words), fitted by cross-validation on labelled same-story pairs,
//!    turn them into the probability that the two report the same event.
//! 3. [`linkage`]: average-linkage grouping of the scored pairs. It depends only on the set of
//!    articles, never on the order they arrived in, so events and their ids are stable.
//!
//! [`index`] finds the candidate pairs worth scoring (by a scan, or through [`ann`]'s graphs
//! when a day holds many articles).
//!
//! ```
//! use khabar_cluster::linkage::{group, ScoredPair};
//!
//! // Articles 0, 1, 2 are one story; 3 only resembles 2.
//! let pairs = [
//!     ScoredPair { a: 0, b: 1, score: 0.9 },
//!     ScoredPair { a: 0, b: 2, score: 0.8 },
//!     ScoredPair { a: 1, b: 2, score: 0.85 },
//!     ScoredPair { a: 2, b: 3, score: 0.6 },
//! ];
//! let groups = group(4, &pairs, 0.5);
//! assert_eq!(groups, vec![vec![0, 1, 2], vec![3]]);
//! ```
#![warn(missing_docs)]

pub mod ann;
pub mod features;
pub mod index;
pub mod linkage;
pub mod model;
pub mod vocabulary;

pub use features::{PairFeatures, Profile, Vectors};
pub use model::SimilarityModel;
