//! Bundling: groups of 2–[`MAX_BUNDLE`] nearby attractions, one per time slot of each
//! day, by greedy clique building over the dataset's distance matrix.
//!
//! The rules, each checked by the property tests below:
//! - every pair of a bundle is within [`MAX_PAIR_KM`] (haversine), not just each member
//!   and the first one;
//! - a bundle has 2 to [`MAX_BUNDLE`] members, and no attraction appears twice in a plan;
//! - every member suits the trip ([`Prefs::admits`]: a chosen style, within the budget's
//!   cost level, no nightlife with children) and is open during its slot; evenings take
//!   only what is lit at night or open through the evening, and prefer the lit ones;
//! - a bundle stops growing when its visits (plus a quarter hour per move) fill the slot,
//!   so slots are balanced in length;
//! - every day has all three slots; a slot the dataset cannot fill under these rules is
//!   [`SlotPlan::Empty`] with the reason, never a rule broken.
//!
//! Seeds are the best-scoring unused attractions for the slot, pulled towards the day's
//! previous bundle so a day does not zigzag across the island.

use super::data::{Attraction, Dataset};

/// Largest distance between any two members of a bundle.
pub const MAX_PAIR_KM: f64 = 5.0;
/// Most members of a bundle.
pub const MAX_BUNDLE: usize = 5;
/// Fewest members of a bundle.
pub const MIN_BUNDLE: usize = 2;
/// Minutes counted for moving between two members.
pub const MOVE_MINUTES: u32 = 15;

/// A part of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    Morning,
    Afternoon,
    Evening,
}

impl Slot {
    pub const ALL: [Slot; 3] = [Slot::Morning, Slot::Afternoon, Slot::Evening];

    pub fn as_str(self) -> &'static str {
        match self {
            Slot::Morning => "morning",
            Slot::Afternoon => "afternoon",
            Slot::Evening => "evening",
        }
    }

    pub fn parse(raw: &str) -> Option<Slot> {
        Slot::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Start and end, minutes after midnight.
    pub fn window(self) -> (u32, u32) {
        match self {
            Slot::Morning => (9 * 60, 12 * 60 + 30),
            Slot::Afternoon => (13 * 60 + 30, 18 * 60),
            Slot::Evening => (19 * 60, 22 * 60),
        }
    }

    /// Minutes the slot lasts.
    pub fn capacity(self) -> u32 {
        let (start, end) = self.window();
        end - start
    }
}

/// What a trip wants from its attractions.
#[derive(Debug, Clone)]
pub struct Prefs {
    /// Chosen styles (known ids); an attraction must have at least one.
    pub styles: Vec<String>,
    /// Highest cost level allowed: 0 free … 3 `$$$`.
    pub max_cost: usize,
}

impl Prefs {
    fn wants(&self, style: &str) -> bool {
        self.styles.iter().any(|s| s == style)
    }

    /// Whether an attraction suits the trip at all.
    pub fn admits(&self, a: &Attraction) -> bool {
        let style = self.styles.iter().any(|s| a.has_style(s));
        let cost = a.cost_level() <= self.max_cost;
        let children = !self.wants("with-children") || a.category != "nightlife";
        style && cost && children
    }

    /// How well an attraction suits the trip (higher is better).
    fn score(&self, a: &Attraction) -> f64 {
        let overlap = self.styles.iter().filter(|s| a.has_style(s)).count() as f64;
        let mut score = overlap * 2.0;
        if self.wants("with-children") && a.has_style("with-children") {
            score += 2.0;
        }
        if self.wants("budget") && a.cost_level() == 0 {
            score += 1.5;
        }
        if self.wants("luxury") && a.cost_level() == 3 {
            score += 1.0;
        }
        score
    }
}

/// Whether an attraction can be visited in a slot.
pub fn fits_slot(a: &Attraction, slot: Slot) -> bool {
    let (start, end) = slot.window();
    let open = a.open_for(start, end, a.visit_minutes.min(60));
    match slot {
        Slot::Morning => open && a.category != "nightlife",
        Slot::Afternoon => open && a.category != "nightlife",
        // An outdoor place without lights is no evening plan, even if nothing closes it.
        Slot::Evening => open && (a.night || a.hours.is_some()),
    }
}

fn slot_score(a: &Attraction, slot: Slot) -> f64 {
    match slot {
        Slot::Morning if !a.indoor => 1.0,
        Slot::Afternoon if a.indoor => 1.5,
        Slot::Evening if a.night => 6.0,
        _ => 0.0,
    }
}

/// Why a slot has no bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unfilled {
    /// Nothing unused is left that suits the trip at this time of day.
    NothingLeft,
    /// What is left has no partner within [`MAX_PAIR_KM`].
    NoneNearby,
}

impl Unfilled {
    pub fn as_str(self) -> &'static str {
        match self {
            Unfilled::NothingLeft => "nothing_left",
            Unfilled::NoneNearby => "none_nearby",
        }
    }
}

/// A slot of a day: a bundle (attraction indexes) or why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlotPlan {
    Filled(Vec<usize>),
    Empty(Unfilled),
}

/// Minutes a bundle takes: its visits plus the moves between them.
pub fn bundle_minutes(data: &Dataset, members: &[usize]) -> u32 {
    let visits: u32 = members
        .iter()
        .map(|&i| data.attractions[i].visit_minutes)
        .sum();
    visits + MOVE_MINUTES * members.len().saturating_sub(1) as u32
}

/// The mean position of a bundle.
pub fn centroid(data: &Dataset, members: &[usize]) -> (f64, f64) {
    let n = members.len().max(1) as f64;
    let (lat, lng) = members.iter().fold((0.0, 0.0), |(la, ln), &i| {
        (la + data.attractions[i].lat, ln + data.attractions[i].lng)
    });
    (lat / n, lng / n)
}

/// The largest distance between two members.
pub fn max_pair_km(data: &Dataset, members: &[usize]) -> f64 {
    let mut max: f64 = 0.0;
    for (k, &i) in members.iter().enumerate() {
        for &j in &members[k + 1..] {
            max = max.max(data.km(i, j));
        }
    }
    max
}

/// The bundler over one dataset.
pub struct Bundler<'a> {
    data: &'a Dataset,
    prefs: &'a Prefs,
    /// Attractions that suit the trip, with their trip score.
    admitted: Vec<(usize, f64)>,
}

impl<'a> Bundler<'a> {
    pub fn new(data: &'a Dataset, prefs: &'a Prefs) -> Bundler<'a> {
        let admitted = data
            .attractions
            .iter()
            .enumerate()
            .filter(|(_, a)| prefs.admits(a))
            .map(|(i, a)| (i, prefs.score(a)))
            .collect();
        Bundler {
            data,
            prefs,
            admitted,
        }
    }

    /// The best bundle for `slot` from attractions not in `used`, pulled towards `near`.
    pub fn bundle(
        &self,
        slot: Slot,
        used: &[bool],
        near: Option<(f64, f64)>,
    ) -> Result<Vec<usize>, Unfilled> {
        let data = self.data;
        let candidates: Vec<(usize, f64)> = self
            .admitted
            .iter()
            .filter(|(i, _)| !used[*i] && fits_slot(&data.attractions[*i], slot))
            .map(|&(i, s)| (i, s + slot_score(&data.attractions[i], slot)))
            .collect();
        if candidates.len() < MIN_BUNDLE {
            return Err(Unfilled::NothingLeft);
        }
        let mut seeds: Vec<(usize, f64)> = candidates
            .iter()
            .map(|&(i, s)| {
                let a = &data.attractions[i];
                let pull = near.map_or(0.0, |(lat, lng)| {
                    super::data::haversine_km(lat, lng, a.lat, a.lng) * 0.4
                });
                (i, s - pull)
            })
            .collect();
        seeds.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        let capacity = slot.capacity();
        for &(seed, _) in &seeds {
            let mut members = vec![seed];
            loop {
                if members.len() == MAX_BUNDLE {
                    break;
                }
                let spent = bundle_minutes(data, &members);
                if members.len() >= MIN_BUNDLE && spent >= capacity {
                    break;
                }
                let next = candidates
                    .iter()
                    .filter(|(c, _)| {
                        !members.contains(c)
                            && members.iter().all(|&m| data.km(*c, m) <= MAX_PAIR_KM)
                    })
                    .filter(|(c, _)| {
                        // The second member always may come (a bundle needs two); later
                        // ones only while the slot has room.
                        members.len() < MIN_BUNDLE
                            || spent + MOVE_MINUTES + data.attractions[*c].visit_minutes
                                <= capacity + capacity / 5
                    })
                    .map(|&(c, s)| {
                        let far = members.iter().map(|&m| data.km(c, m)).fold(0.0, f64::max);
                        (c, s - far * 0.5)
                    })
                    .max_by(|x, y| x.1.total_cmp(&y.1).then(y.0.cmp(&x.0)));
                match next {
                    Some((c, _)) => members.push(c),
                    None => break,
                }
            }
            if members.len() >= MIN_BUNDLE {
                return Ok(members);
            }
        }
        Err(Unfilled::NoneNearby)
    }

    /// A whole trip: `days` days of three slots each.
    pub fn plan(&self, days: usize) -> Vec<[SlotPlan; 3]> {
        let mut used = vec![false; self.data.len()];
        let mut out = Vec::with_capacity(days);
        for _ in 0..days {
            let mut near = None;
            let day = Slot::ALL.map(|slot| match self.bundle(slot, &used, near) {
                Ok(members) => {
                    for &m in &members {
                        used[m] = true;
                    }
                    near = Some(centroid(self.data, &members));
                    SlotPlan::Filled(members)
                }
                Err(why) => SlotPlan::Empty(why),
            });
            out.push(day);
        }
        out
    }

    /// Whether `members` is a bundle this bundler could give for `slot`: size, distances,
    /// the trip's preferences and opening times (used to check a model's choices).
    pub fn is_valid(&self, slot: Slot, members: &[usize]) -> bool {
        let data = self.data;
        (MIN_BUNDLE..=MAX_BUNDLE).contains(&members.len())
            && members.iter().all(|&m| {
                m < data.len()
                    && self.prefs.admits(&data.attractions[m])
                    && fits_slot(&data.attractions[m], slot)
            })
            && max_pair_km(data, members) <= MAX_PAIR_KM
            && {
                let mut sorted = members.to_vec();
                sorted.sort_unstable();
                sorted.windows(2).all(|w| w[0] != w[1])
            }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::sync::LazyLock;

    use proptest::prelude::*;

    use super::*;
    use crate::apps::travel::data::STYLES;

    static DATA: LazyLock<Dataset> =
        LazyLock::new(|| Dataset::shipped().expect("the shipped dataset parses"));

    fn prefs(styles: &[&str], max_cost: usize) -> Prefs {
        Prefs {
            styles: styles.iter().map(|s| (*s).to_owned()).collect(),
            max_cost,
        }
    }

    /// Every rule of the module documentation, for one plan.
    fn check_plan(prefs: &Prefs, days: usize, plan: &[[SlotPlan; 3]]) {
        let data = &*DATA;
        assert_eq!(plan.len(), days);
        let mut seen = HashSet::new();
        for day in plan {
            for (slot, sp) in Slot::ALL.iter().zip(day.iter()) {
                let SlotPlan::Filled(members) = sp else {
                    continue;
                };
                assert!(
                    (MIN_BUNDLE..=MAX_BUNDLE).contains(&members.len()),
                    "size {}",
                    members.len()
                );
                for (k, &i) in members.iter().enumerate() {
                    assert!(seen.insert(i), "{} twice", data.attractions[i].id);
                    let a = &data.attractions[i];
                    assert!(prefs.admits(a), "{} does not suit {prefs:?}", a.id);
                    assert!(fits_slot(a, *slot), "{} in the {slot:?}", a.id);
                    for &j in &members[k + 1..] {
                        assert!(
                            data.km(i, j) <= MAX_PAIR_KM,
                            "{} and {} are {:.2} km apart",
                            a.id,
                            data.attractions[j].id,
                            data.km(i, j)
                        );
                    }
                }
                if members.len() > MIN_BUNDLE {
                    // Growing stops once the slot is full (with a fifth of slack).
                    let without_last = &members[..members.len() - 1];
                    assert!(bundle_minutes(data, without_last) < slot.capacity());
                    assert!(bundle_minutes(data, members) <= slot.capacity() + slot.capacity() / 5);
                }
            }
        }
    }

    fn any_prefs() -> impl Strategy<Value = Prefs> {
        (
            proptest::sample::subsequence(STYLES.to_vec(), 1..=STYLES.len()),
            0usize..=3,
        )
            .prop_map(|(styles, max_cost)| prefs(&styles, max_cost))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn plans_of_one_to_fourteen_days_keep_every_rule(days in 1usize..=14, prefs in any_prefs()) {
            let plan = Bundler::new(&DATA, &prefs).plan(days);
            check_plan(&prefs, days, &plan);
        }

        #[test]
        fn a_valid_bundle_is_recognised_and_a_far_pair_is_not(days in 1usize..=14, prefs in any_prefs()) {
            let bundler = Bundler::new(&DATA, &prefs);
            for day in bundler.plan(days) {
                for (slot, sp) in Slot::ALL.iter().zip(day.iter()) {
                    if let SlotPlan::Filled(members) = sp {
                        prop_assert!(bundler.is_valid(*slot, members));
                        let far = (0..DATA.len()).find(|&j| DATA.km(members[0], j) > MAX_PAIR_KM);
                        if let Some(far) = far {
                            prop_assert!(!bundler.is_valid(*slot, &[members[0], far]));
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_broad_trip_of_fourteen_days_fills_every_slot() {
        let prefs = prefs(&["nature", "city", "food", "budget"], 3);
        let plan = Bundler::new(&DATA, &prefs).plan(14);
        check_plan(&prefs, 14, &plan);
        assert!(
            plan.iter()
                .flatten()
                .all(|s| matches!(s, SlotPlan::Filled(_))),
            "{plan:?}"
        );
    }

    #[test]
    fn a_narrow_trip_says_which_slots_it_cannot_fill() {
        let prefs = prefs(&["luxury"], 3);
        let plan = Bundler::new(&DATA, &prefs).plan(14);
        check_plan(&prefs, 14, &plan);
        assert!(
            plan.iter()
                .flatten()
                .any(|s| matches!(s, SlotPlan::Empty(_))),
            "the luxury attractions cannot fill 42 slots"
        );
        assert!(matches!(plan[0][0], SlotPlan::Filled(_)));
    }

    #[test]
    fn evenings_prefer_what_is_lit_at_night() {
        let prefs = prefs(&["city", "nature", "food"], 3);
        let plan = Bundler::new(&DATA, &prefs).plan(3);
        for day in &plan {
            let SlotPlan::Filled(members) = &day[2] else {
                panic!("an evening is empty: {plan:?}")
            };
            assert!(members.iter().all(|&m| DATA.attractions[m].night));
        }
    }

    #[test]
    fn trips_with_children_get_no_nightlife() {
        let prefs = prefs(&["with-children", "city"], 3);
        let plan = Bundler::new(&DATA, &prefs).plan(14);
        for sp in plan.iter().flatten() {
            if let SlotPlan::Filled(members) = sp {
                assert!(
                    members
                        .iter()
                        .all(|&m| DATA.attractions[m].category != "nightlife")
                );
            }
        }
    }
}
