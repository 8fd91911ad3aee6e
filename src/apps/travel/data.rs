//! The shipped Singapore attraction dataset (`data/travel/attractions.json`): loading,
//! the start-up check ([`Dataset::validate`]) and the distance matrix the bundler uses.
//!
//! Checked at start-up so a bad edit stops the server: at least [`MIN_ATTRACTIONS`]
//! entries; ids unique and kebab-case; names unique (English case-insensitively, and
//! Korean); names and descriptions present in both languages; every coordinate inside
//! Singapore; no two entries within [`DUPLICATE_METERS`] of each other under different
//! names that are the same place; known categories, styles and cost levels; sane visit
//! lengths and opening hours.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The dataset as shipped.
const SHIPPED: &str = include_str!("../../../data/travel/attractions.json");

/// The fewest attractions the planner accepts.
pub const MIN_ATTRACTIONS: usize = 120;
/// Two entries closer than this are the same place listed twice.
pub const DUPLICATE_METERS: f64 = 25.0;
/// Singapore's bounding box (main island and the southern and northern islands).
pub const LAT_RANGE: (f64, f64) = (1.15, 1.48);
pub const LNG_RANGE: (f64, f64) = (103.59, 104.10);

/// The travel styles a trip and an attraction may have.
pub const STYLES: &[&str] = &[
    "nature",
    "city",
    "food",
    "luxury",
    "budget",
    "with-children",
];
/// Attraction categories.
pub const CATEGORIES: &[&str] = &[
    "landmark",
    "museum",
    "gallery",
    "garden",
    "park",
    "nature-reserve",
    "zoo",
    "theme-park",
    "beach",
    "island",
    "heritage",
    "religious-site",
    "neighbourhood",
    "market",
    "hawker-centre",
    "food-street",
    "shopping",
    "viewpoint",
    "nightlife",
    "show",
    "activity",
];
/// Cost levels, cheapest first.
pub const COSTS: &[&str] = &["free", "$", "$$", "$$$"];

/// Text in both languages, owned (read from the data file).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub en: String,
    pub ko: String,
}

impl Text {
    pub fn get(&self, ko: bool) -> &str {
        if ko { &self.ko } else { &self.en }
    }
}

/// Daily opening hours, `HH:MM` local time; `close` before `open` means after midnight.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Hours {
    pub open: String,
    pub close: String,
}

/// Minutes after midnight of an `HH:MM` time.
pub fn minutes_of(hhmm: &str) -> Option<u32> {
    let (h, m) = hhmm.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

impl Hours {
    /// Opening and closing minute, closing after opening (a close after midnight is past
    /// 24:00).
    pub fn span(&self) -> Option<(u32, u32)> {
        let open = minutes_of(&self.open)?;
        let mut close = minutes_of(&self.close)?;
        if close <= open {
            close += 24 * 60;
        }
        Some((open, close))
    }
}

/// One attraction.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Attraction {
    pub id: String,
    pub name: Text,
    pub lat: f64,
    pub lng: f64,
    pub area: String,
    pub category: String,
    pub styles: Vec<String>,
    pub visit_minutes: u32,
    /// `null` when always open or without fixed hours.
    pub hours: Option<Hours>,
    /// Worth visiting after 19:00 (open and lit).
    pub night: bool,
    /// `free`, `$`, `$$` or `$$$`.
    pub cost: String,
    pub indoor: bool,
    pub description: Text,
}

impl Attraction {
    pub fn has_style(&self, style: &str) -> bool {
        self.styles.iter().any(|s| s == style)
    }

    /// 0 (free) to 3 ($$$).
    pub fn cost_level(&self) -> usize {
        COSTS.iter().position(|c| *c == self.cost).unwrap_or(3)
    }

    /// Whether it is open for at least `need` minutes of the window `[start, end)`
    /// (minutes after midnight); places without fixed hours always are.
    pub fn open_for(&self, start: u32, end: u32, need: u32) -> bool {
        let Some(hours) = &self.hours else {
            return true;
        };
        let Some((open, close)) = hours.span() else {
            return false;
        };
        // The window may also fall in the part of yesterday's opening after midnight.
        [(open, close), (open + 24 * 60, close + 24 * 60)]
            .iter()
            .chain(std::iter::once(&(
                open.saturating_sub(24 * 60),
                close.saturating_sub(24 * 60),
            )))
            .any(|&(o, c)| {
                let from = o.max(start);
                let to = c.min(end);
                to > from && to - from >= need.min(end.saturating_sub(start))
            })
    }
}

/// Where the facts come from and under which terms (shown with the dataset).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct About {
    pub description: String,
    pub sources: String,
    pub license: String,
}

#[derive(Deserialize)]
struct File {
    about: About,
    attractions: Vec<Attraction>,
}

/// The attractions with their pairwise distances.
#[derive(Debug)]
pub struct Dataset {
    pub about: About,
    pub attractions: Vec<Attraction>,
    /// Kilometres between attraction `i` and `j` at `i * n + j`.
    distances: Vec<f64>,
}

/// Great-circle distance in kilometres (haversine, mean Earth radius).
pub fn haversine_km(lat1: f64, lng1: f64, lat2: f64, lng2: f64) -> f64 {
    const EARTH_RADIUS_KM: f64 = 6371.0088;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lng2 - lng1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

impl Dataset {
    /// The dataset that ships with confab.
    pub fn shipped() -> Result<Dataset, String> {
        Dataset::parse(SHIPPED)
    }

    /// Parses a dataset (not yet validated).
    pub fn parse(text: &str) -> Result<Dataset, String> {
        let file: File = serde_json::from_str(text).map_err(|e| format!("not readable: {e}"))?;
        Ok(Dataset::new(file.about, file.attractions))
    }

    pub fn new(about: About, attractions: Vec<Attraction>) -> Dataset {
        let n = attractions.len();
        let mut distances = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                let (a, b) = (&attractions[i], &attractions[j]);
                distances[i * n + j] = haversine_km(a.lat, a.lng, b.lat, b.lng);
            }
        }
        Dataset {
            about,
            attractions,
            distances,
        }
    }

    /// Kilometres between attractions `i` and `j` (indexes).
    pub fn km(&self, i: usize, j: usize) -> f64 {
        self.distances[i * self.attractions.len() + j]
    }

    pub fn len(&self) -> usize {
        self.attractions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.attractions.is_empty()
    }

    /// The index of the attraction with this id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.attractions.iter().position(|a| a.id == id)
    }

    /// Every problem with the dataset; empty when it is fit to ship.
    pub fn validate(&self) -> Vec<String> {
        let mut errors = Vec::new();
        if self.attractions.len() < MIN_ATTRACTIONS {
            errors.push(format!(
                "{} attractions, at least {MIN_ATTRACTIONS} needed",
                self.attractions.len()
            ));
        }
        for (what, text) in [
            ("about.sources", &self.about.sources),
            ("about.license", &self.about.license),
        ] {
            if text.trim().is_empty() {
                errors.push(format!("{what} is empty (the data must be attributed)"));
            }
        }
        let mut ids = HashSet::new();
        let mut names_en = HashSet::new();
        let mut names_ko = HashSet::new();
        for a in &self.attractions {
            let id = &a.id;
            let kebab = !id.is_empty()
                && !id.starts_with('-')
                && !id.ends_with('-')
                && !id.contains("--")
                && id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !kebab {
                errors.push(format!("{id:?}: id is not kebab-case"));
            }
            if !ids.insert(id.as_str()) {
                errors.push(format!("{id}: duplicate id"));
            }
            if !names_en.insert(a.name.en.trim().to_lowercase()) {
                errors.push(format!("{id}: duplicate English name {:?}", a.name.en));
            }
            if !names_ko.insert(a.name.ko.trim().to_owned()) {
                errors.push(format!("{id}: duplicate Korean name {:?}", a.name.ko));
            }
            for (field, text) in [
                ("name.en", &a.name.en),
                ("name.ko", &a.name.ko),
                ("description.en", &a.description.en),
                ("description.ko", &a.description.ko),
                ("area", &a.area),
            ] {
                if text.trim().is_empty() {
                    errors.push(format!("{id}: {field} is empty"));
                }
            }
            if !a.description.ko.chars().any(is_hangul) || !a.name.ko.chars().any(is_hangul) {
                errors.push(format!(
                    "{id}: the Korean name or description has no Korean"
                ));
            }
            if a.description.en.chars().count() > 160 {
                errors.push(format!("{id}: description.en is over 160 characters"));
            }
            if !(LAT_RANGE.0..=LAT_RANGE.1).contains(&a.lat)
                || !(LNG_RANGE.0..=LNG_RANGE.1).contains(&a.lng)
            {
                errors.push(format!("{id}: ({}, {}) is outside Singapore", a.lat, a.lng));
            }
            if !CATEGORIES.contains(&a.category.as_str()) {
                errors.push(format!("{id}: unknown category {:?}", a.category));
            }
            if a.styles.is_empty() || a.styles.len() > 4 {
                errors.push(format!("{id}: needs one to four styles"));
            }
            for s in &a.styles {
                if !STYLES.contains(&s.as_str()) {
                    errors.push(format!("{id}: unknown style {s:?}"));
                }
            }
            if !COSTS.contains(&a.cost.as_str()) {
                errors.push(format!("{id}: unknown cost {:?}", a.cost));
            }
            if !(15..=600).contains(&a.visit_minutes) {
                errors.push(format!("{id}: visit_minutes out of 15–600"));
            }
            if let Some(h) = &a.hours
                && h.span().is_none()
            {
                errors.push(format!("{id}: hours are not HH:MM"));
            }
        }
        for i in 0..self.attractions.len() {
            for j in i + 1..self.attractions.len() {
                if self.km(i, j) * 1000.0 < DUPLICATE_METERS {
                    errors.push(format!(
                        "{} and {} are within {DUPLICATE_METERS} m: the same place twice?",
                        self.attractions[i].id, self.attractions[j].id
                    ));
                }
            }
        }
        errors
    }
}

fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Dataset {
        Dataset::shipped().expect("the shipped dataset parses")
    }

    #[test]
    fn the_shipped_dataset_passes_its_checks() {
        let data = shipped();
        assert_eq!(data.validate(), Vec::<String>::new());
        assert!(data.len() >= MIN_ATTRACTIONS);
    }

    #[test]
    fn haversine_matches_known_distances() {
        // Marina Bay Sands to Changi Airport is about 17 km; a point to itself is 0.
        let d = haversine_km(1.2834, 103.8607, 1.3644, 103.9915);
        assert!((16.5..17.5).contains(&d), "{d}");
        assert_eq!(haversine_km(1.3, 103.8, 1.3, 103.8), 0.0);
        // One hundredth of a degree of latitude is about 1.11 km.
        let d = haversine_km(1.30, 103.8, 1.31, 103.8);
        assert!((1.10..1.12).contains(&d), "{d}");
    }

    fn broken(edit: impl FnOnce(&mut Vec<Attraction>)) -> Vec<String> {
        let data = shipped();
        let mut list = data.attractions.clone();
        edit(&mut list);
        Dataset::new(data.about.clone(), list).validate()
    }

    #[test]
    fn a_coordinate_outside_singapore_is_refused() {
        let errors = broken(|l| l[0].lat = 3.15);
        assert!(
            errors.iter().any(|e| e.contains("outside Singapore")),
            "{errors:?}"
        );
        let errors = broken(|l| l[1].lng = 101.7);
        assert!(
            errors.iter().any(|e| e.contains("outside Singapore")),
            "{errors:?}"
        );
    }

    #[test]
    fn a_duplicate_entry_is_refused_by_id_name_and_place() {
        let errors = broken(|l| {
            let mut copy = l[0].clone();
            copy.id = "copy-of-first".into();
            l.push(copy);
        });
        assert!(
            errors.iter().any(|e| e.contains("duplicate English name")),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|e| e.contains("the same place twice")),
            "{errors:?}"
        );
        let errors = broken(|l| l[1].id = l[0].id.clone());
        assert!(
            errors.iter().any(|e| e.contains("duplicate id")),
            "{errors:?}"
        );
    }

    #[test]
    fn missing_text_in_either_language_is_refused() {
        let errors = broken(|l| l[0].description.ko = " ".into());
        assert!(errors.iter().any(|e| e.contains("description.ko is empty")));
        let errors = broken(|l| l[2].name.ko = "Merlion".into());
        assert!(errors.iter().any(|e| e.contains("has no Korean")));
        let errors = broken(|l| l[3].name.en = String::new());
        assert!(errors.iter().any(|e| e.contains("name.en is empty")));
    }

    #[test]
    fn unknown_styles_categories_costs_and_bad_hours_are_refused() {
        let errors = broken(|l| {
            l[0].styles = vec!["shopping".into()];
            l[1].category = "casino".into();
            l[2].cost = "$$$$".into();
            l[3].hours = Some(Hours {
                open: "9am".into(),
                close: "17:00".into(),
            });
        });
        assert_eq!(errors.len(), 4, "{errors:?}");
    }

    #[test]
    fn too_few_attractions_are_refused() {
        let errors = broken(|l| l.truncate(50));
        assert!(errors.iter().any(|e| e.contains("at least 120")));
    }

    #[test]
    fn opening_hours_cover_windows_across_midnight() {
        let mut a = shipped().attractions[0].clone();
        a.hours = Some(Hours {
            open: "17:00".into(),
            close: "02:00".into(),
        });
        assert!(a.open_for(19 * 60, 22 * 60, 60));
        assert!(!a.open_for(9 * 60, 12 * 60, 60));
        a.hours = Some(Hours {
            open: "10:00".into(),
            close: "18:00".into(),
        });
        assert!(a.open_for(9 * 60, 12 * 60, 60));
        assert!(!a.open_for(19 * 60, 22 * 60, 30));
        a.hours = None;
        assert!(a.open_for(19 * 60, 22 * 60, 60));
    }
}
