//! The hall: its configuration built from a catalog (set-up), and the model the simulation draws
//! from (which matters people come for, how long they take, which windows serve them).
//!
//! Ids are derived from catalog codes (`m-<事项编码>`, `d-<实施主体编码>`, `w-<window number>`),
//! so a second set-up from the same catalog with the same window count pushes the same
//! configuration.

use crate::error::{Result, SimError};
use crate::random::{lognormal_with_mean, rng_for, stable_hash};
use hallkeeper_core::catalog::{mapping, rows, table};
use hallkeeper_proto::{
    Binding, BindingPriority, Department, HallConfig, Matter, MatterState, QueueSettings, Window, WindowKind,
    WindowState,
};
use rand::distr::weighted::WeightedIndex;
use rand::distr::Distribution;
use rand::rngs::StdRng;
use std::collections::HashMap;
use std::path::Path;

/// The sample catalog of the repository (347 matters, 15 departments), built in.
pub const SAMPLE_CATALOG: &[u8] = include_bytes!("../../../data/sample-catalog/sample-catalog.csv");
const SAMPLE_NAME: &str = "sample-catalog.csv";

/// Reads a catalog export with the desktop's import functions (`table`, `mapping::suggest`,
/// `rows::read`): a file, or the built-in sample catalog.
pub fn read_catalog(path: Option<&Path>) -> Result<Vec<rows::FileMatter>> {
    let shown = path.map_or_else(|| SAMPLE_NAME.to_owned(), |p| p.display().to_string());
    let fail = |e: hallkeeper_core::Error| SimError::Catalog { path: shown.clone(), message: e.to_string() };
    let table = match path {
        Some(p) => table::read_file(p).map_err(fail)?,
        None => table::parse(SAMPLE_NAME, SAMPLE_CATALOG).map_err(fail)?,
    };
    let mapping = mapping::suggest(&table.headers);
    rows::read(&table, &mapping).map_err(fail)
}

/// How busy a department's windows are in a typical city hall, relative to 1 (公安, 市场监管,
/// 不动产 and 社保 lead; environment and culture licences are rare), from its name.
pub fn department_weight(name: &str) -> f64 {
    const WEIGHTS: [(&[&str], f64); 15] = [
        (&["公安"], 3.0),
        (&["市场监督", "市场监管"], 2.6),
        (&["不动产"], 2.4),
        (&["人力资源和社会保障", "社会保障", "社保"], 2.4),
        (&["税务"], 1.6),
        (&["医疗保障", "医保"], 1.5),
        (&["公积金"], 1.3),
        (&["交通"], 0.9),
        (&["住房和城乡建设", "住建"], 0.9),
        (&["民政"], 0.8),
        (&["卫生健康", "卫健"], 0.7),
        (&["自然资源", "规划"], 0.6),
        (&["教育"], 0.5),
        (&["文化", "旅游"], 0.5),
        (&["生态环境", "环保"], 0.4),
    ];
    WEIGHTS.iter().find(|(keys, _)| keys.iter().any(|k| name.contains(k))).map_or(0.8, |(_, w)| *w)
}

/// Mean service time of a matter in minutes (3–15): licences (行政许可) take longest, public
/// services least; matters handled on the spot (即办件, time limit 0) are quicker, those with long
/// promised time limits need more material checked at the window.
pub fn service_mean_minutes(matter_type: &str, time_limit_days: Option<i64>) -> f64 {
    let base: f64 = if matter_type.contains("许可") {
        11.0
    } else if ["确认", "给付", "征收", "裁决", "奖励"].iter().any(|k| matter_type.contains(k)) {
        7.5
    } else if matter_type.contains("公共服务") {
        5.5
    } else {
        7.0
    };
    let factor = match time_limit_days {
        Some(0) => 0.6,
        Some(d) if d >= 20 => 1.25,
        Some(d) if d >= 10 => 1.1,
        _ => 1.0,
    };
    (base * factor).clamp(3.0, 15.0)
}

fn id_part(code: &str) -> Option<&str> {
    let ok = !code.is_empty() && code.len() <= 60 && code.chars().all(|c| c.is_ascii_graphic());
    ok.then_some(code)
}

/// `prefix-code`, or `prefix-<hash>` when the code is not a usable id (too long, not ASCII).
fn derived_id(prefix: &str, code: &str) -> String {
    match id_part(code) {
        Some(c) => format!("{prefix}-{c}"),
        None => format!("{prefix}-{:016x}", stable_hash(code)),
    }
}

/// Window number → window id.
pub fn window_id(number: &str) -> String {
    format!("w-{}", number.to_ascii_lowercase())
}

fn short(name: &str, max: usize) -> String {
    name.chars().take(max).collect()
}

/// The hall's configuration for a catalog and `windows` windows:
/// - one 绿色通道 window (`priority`), bound as overflow to every ticketable matter, so it calls
///   priority-lane tickets first and helps everyone else when it has none;
/// - about a tenth general windows (综合窗口, at least one), each department's required matters
///   bound to two of them as overflow;
/// - the rest dedicated windows (专窗), at least one per department, the others shared out by
///   expected load (department weight × mean service time); each department's required matters
///   bound primary to its own windows. With fewer windows than departments, departments share.
///
/// Matters that are not required (必进) stay unbound: the hall does not handle them.
pub fn hall_config(matters: &[rows::FileMatter], windows: usize, now: &str) -> Result<HallConfig> {
    if windows < 3 {
        return Err(SimError::Config(format!(
            "{windows} windows: at least 3 are needed (a priority lane, a general and a dedicated window)"
        )));
    }
    // Departments in the catalog's order, keyed by code (or name when the file has no code).
    let mut departments: Vec<Department> = Vec::new();
    let mut dept_index: HashMap<String, usize> = HashMap::new();
    let mut prefixes: Vec<Option<String>> = Vec::new();
    let mut out_matters = Vec::with_capacity(matters.len());
    let mut required_of: Vec<Vec<usize>> = Vec::new();
    let mut load: Vec<f64> = Vec::new();
    for m in matters {
        let key = m.department_code.clone().filter(|c| !c.is_empty()).unwrap_or_else(|| m.department.clone());
        let d = *dept_index.entry(key.clone()).or_insert_with(|| {
            let code = match id_part(&key) {
                Some(c) => c.to_owned(),
                None => format!("{:016x}", stable_hash(&key)),
            };
            departments.push(Department { id: format!("d-{code}"), code, name: m.department.clone() });
            prefixes.push(None);
            required_of.push(Vec::new());
            load.push(0.0);
            departments.len() - 1
        });
        let prefix = m
            .ticket_prefix
            .clone()
            .map(|p| p.trim().to_ascii_uppercase())
            .filter(|p| p.len() == 1 && p.as_bytes()[0].is_ascii_alphabetic())
            .unwrap_or_default();
        if prefixes[d].is_none() && !prefix.is_empty() {
            prefixes[d] = Some(prefix.clone());
        }
        let state = m.state.unwrap_or(MatterState::Active);
        let time_limit_days = m.time_limit_days.flatten();
        let matter_type = m.matter_type.clone().unwrap_or_default();
        let matter = Matter {
            id: derived_id("m", &m.catalog_code),
            catalog_code: m.catalog_code.clone(),
            name: m.name.clone(),
            department_id: departments[d].id.clone(),
            required: m.required.unwrap_or(true),
            time_limit_days,
            ticket_prefix: prefix,
            state,
            matter_type,
        };
        if matter.required && state == MatterState::Active {
            required_of[d].push(out_matters.len());
            load[d] +=
                department_weight(&m.department) * service_mean_minutes(&matter.matter_type, time_limit_days);
        }
        out_matters.push(matter);
    }
    let served: Vec<usize> = (0..departments.len()).filter(|&d| !required_of[d].is_empty()).collect();
    if served.is_empty() {
        return Err(SimError::Config("the catalog has no active required matter".into()));
    }
    // Average load per matter bound, so a department with many rare matters is not overstaffed.
    for &d in &served {
        load[d] /= required_of[d].len() as f64;
        load[d] *= (required_of[d].len() as f64).sqrt();
    }

    let general = ((windows as f64 / 10.0).round() as usize).max(1);
    let dedicated = windows - 1 - general;
    // Which departments each dedicated window serves.
    let mut desks: Vec<Vec<usize>> = Vec::with_capacity(dedicated);
    if dedicated >= served.len() {
        let mut count: HashMap<usize, usize> = served.iter().map(|&d| (d, 1)).collect();
        for _ in served.len()..dedicated {
            // D'Hondt: the next window goes where the load per window is highest.
            let next = served
                .iter()
                .copied()
                .max_by(|a, b| (load[*a] / count[a] as f64).total_cmp(&(load[*b] / count[b] as f64)))
                .unwrap_or(served[0]);
            *count.entry(next).or_insert(0) += 1;
        }
        for &d in &served {
            for _ in 0..count[&d] {
                desks.push(vec![d]);
            }
        }
    } else {
        let mut by_load = served.clone();
        by_load.sort_by(|a, b| load[*b].total_cmp(&load[*a]));
        desks = vec![Vec::new(); dedicated];
        for (i, d) in by_load.into_iter().enumerate() {
            desks[i % dedicated].push(d);
        }
        for desk in &mut desks {
            desk.sort_unstable();
        }
    }

    let window = |number: String, name: String, zone: String, kind: WindowKind, position: usize| Window {
        id: window_id(&number),
        number,
        name,
        zone,
        kind,
        state: WindowState::Open,
        position: position as i64,
        created_at: now.to_owned(),
        updated_at: now.to_owned(),
    };
    let mut out_windows =
        vec![window("LS01".into(), "绿色通道".into(), "绿色通道".into(), WindowKind::Priority, 0)];
    let mut per_stem: HashMap<String, usize> = HashMap::new();
    let mut windows_of_dept: Vec<Vec<String>> = vec![Vec::new(); departments.len()];
    for desk in &desks {
        let (stem, name, zone) = match desk.as_slice() {
            [d] => {
                let stem = prefixes[*d].clone().unwrap_or_else(|| "ZD".into());
                let zone = prefixes[*d].as_ref().map_or_else(|| "专窗区".to_owned(), |p| format!("{p}区"));
                (stem, short(&departments[*d].name, 24), zone)
            }
            many => ("ZD".to_owned(), format!("联办窗口（{}个部门）", many.len()), "专窗区".to_owned()),
        };
        let n = per_stem.entry(stem.clone()).or_insert(0);
        *n += 1;
        let number = format!("{stem}{:02}", *n);
        let w = window(number, name, zone, WindowKind::Dedicated, out_windows.len());
        for &d in desk {
            windows_of_dept[d].push(w.id.clone());
        }
        out_windows.push(w);
    }
    let mut general_ids = Vec::with_capacity(general);
    for i in 0..general {
        let w = window(
            format!("ZH{:02}", i + 1),
            "综合受理窗口".into(),
            "综合区".into(),
            WindowKind::General,
            out_windows.len(),
        );
        general_ids.push(w.id.clone());
        out_windows.push(w);
    }

    let mut bindings = Vec::new();
    let bind = |bindings: &mut Vec<Binding>, window_id: &str, matter_id: &str, priority| {
        bindings.push(Binding { window_id: window_id.to_owned(), matter_id: matter_id.to_owned(), priority });
    };
    for (k, &d) in served.iter().enumerate() {
        let mut overflow =
            vec![general_ids[(2 * k) % general].clone(), general_ids[(2 * k + 1) % general].clone()];
        overflow.dedup();
        for &mi in &required_of[d] {
            let matter_id = &out_matters[mi].id;
            for w in &windows_of_dept[d] {
                bind(&mut bindings, w, matter_id, BindingPriority::Primary);
            }
            for w in &overflow {
                bind(&mut bindings, w, matter_id, BindingPriority::Overflow);
            }
            bind(&mut bindings, &out_windows[0].id, matter_id, BindingPriority::Overflow);
        }
    }
    Ok(HallConfig {
        windows: out_windows,
        departments,
        matters: out_matters,
        bindings,
        settings: QueueSettings { max_recalls: 2, fallback_prefix: "Z".into() },
        sms: None,
    })
}

/// A matter people can take a ticket for.
#[derive(Debug, Clone)]
pub struct SimMatter {
    pub id: String,
    pub name: String,
    pub department: usize,
    /// Mean service time, seconds.
    pub service_mean: f64,
    /// Share of the hall's arrivals (the weights sum to 1).
    pub weight: f64,
}

#[derive(Debug, Clone)]
pub struct SimDepartment {
    pub id: String,
    pub name: String,
    pub weight: f64,
    pub matters: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct SimWindow {
    pub id: String,
    pub number: String,
    pub kind: WindowKind,
    pub state: WindowState,
    /// Ticketable matters bound to it (any tier).
    pub matters: Vec<usize>,
    /// Departments it serves as a primary window.
    pub departments: Vec<usize>,
}

/// What the simulation needs of a hall's configuration (however it was made: by `hall_config`
/// or by the supervisor's desktop).
#[derive(Debug, Clone)]
pub struct HallModel {
    pub matters: Vec<SimMatter>,
    pub departments: Vec<SimDepartment>,
    pub windows: Vec<SimWindow>,
    /// Per matter, the windows bound to it.
    pub windows_of_matter: Vec<Vec<usize>>,
    matter_index: HashMap<String, usize>,
    pick: WeightedIndex<f64>,
}

impl HallModel {
    /// Ticketable matters are the active ones bound to at least one window. Within a department,
    /// a few matters draw most people (log-normal popularity from the seed).
    pub fn from_config(config: &HallConfig, seed: u64) -> Result<Self> {
        let mut bound: HashMap<&str, Vec<usize>> = HashMap::new();
        let window_pos: HashMap<&str, usize> =
            config.windows.iter().enumerate().map(|(i, w)| (w.id.as_str(), i)).collect();
        for b in &config.bindings {
            if let Some(&w) = window_pos.get(b.window_id.as_str()) {
                bound.entry(b.matter_id.as_str()).or_default().push(w);
            }
        }
        let mut departments: Vec<SimDepartment> = config
            .departments
            .iter()
            .map(|d| SimDepartment {
                id: d.id.clone(),
                name: d.name.clone(),
                weight: department_weight(&d.name),
                matters: Vec::new(),
            })
            .collect();
        let dept_pos: HashMap<String, usize> =
            departments.iter().enumerate().map(|(i, d)| (d.id.clone(), i)).collect();
        let mut rng = rng_for(seed, "popularity");
        let mut matters = Vec::new();
        let mut windows_of_matter = Vec::new();
        let mut popularity = Vec::new();
        for m in &config.matters {
            let Some(ws) = bound.get(m.id.as_str()) else { continue };
            if m.state != MatterState::Active {
                continue;
            }
            let Some(&d) = dept_pos.get(&m.department_id) else { continue };
            departments[d].matters.push(matters.len());
            popularity.push(lognormal_with_mean(&mut rng, 1.0, 1.0));
            matters.push(SimMatter {
                id: m.id.clone(),
                name: m.name.clone(),
                department: d,
                service_mean: service_mean_minutes(&m.matter_type, m.time_limit_days) * 60.0,
                weight: 0.0,
            });
            let mut ws = ws.clone();
            ws.sort_unstable();
            ws.dedup();
            windows_of_matter.push(ws);
        }
        if matters.is_empty() {
            return Err(SimError::Config("the hall has no active matter bound to a window".into()));
        }
        let total: f64 = departments.iter().filter(|d| !d.matters.is_empty()).map(|d| d.weight).sum();
        for d in &departments {
            let pop: f64 = d.matters.iter().map(|&m| popularity[m]).sum();
            for &m in &d.matters {
                matters[m].weight = d.weight / total * popularity[m] / pop;
            }
        }
        let mut windows: Vec<SimWindow> = config
            .windows
            .iter()
            .map(|w| SimWindow {
                id: w.id.clone(),
                number: w.number.clone(),
                kind: w.kind,
                state: w.state,
                matters: Vec::new(),
                departments: Vec::new(),
            })
            .collect();
        let matter_index: HashMap<String, usize> =
            matters.iter().enumerate().map(|(i, m)| (m.id.clone(), i)).collect();
        for b in &config.bindings {
            let (Some(&w), Some(&m)) = (window_pos.get(b.window_id.as_str()), matter_index.get(&b.matter_id))
            else {
                continue;
            };
            windows[w].matters.push(m);
            if b.priority == BindingPriority::Primary
                && !windows[w].departments.contains(&matters[m].department)
            {
                windows[w].departments.push(matters[m].department);
            }
        }
        let pick = WeightedIndex::new(matters.iter().map(|m| m.weight))
            .map_err(|e| SimError::Config(format!("matter weights: {e}")))?;
        Ok(Self { matters, departments, windows, windows_of_matter, matter_index, pick })
    }

    /// The matter the next person comes for.
    pub fn pick_matter(&self, rng: &mut StdRng) -> usize {
        self.pick.sample(rng)
    }

    pub fn matter(&self, id: &str) -> Option<usize> {
        self.matter_index.get(id).copied()
    }

    pub fn window(&self, id: &str) -> Option<usize> {
        self.windows.iter().position(|w| w.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// The queue engine accepts it (unique ids, known windows and matters, no binding twice,
    /// one-letter prefixes), and window numbers are unique.
    fn assert_consistent(c: &HallConfig) {
        hallkeeper_queue::HallQueue::new(hallkeeper_server::halls::queue_config(c)).unwrap();
        let numbers: HashSet<&str> = c.windows.iter().map(|w| w.number.as_str()).collect();
        assert_eq!(numbers.len(), c.windows.len(), "window numbers unique");
        for m in &c.matters {
            assert!(m.id.len() <= 64 && m.id.chars().all(|c| c.is_ascii_graphic()), "{}", m.id);
        }
    }

    #[test]
    fn the_sample_catalog_makes_a_hall_of_twenty_windows() {
        let matters = read_catalog(None).unwrap();
        assert_eq!(matters.len(), 347);
        let c = hall_config(&matters, 20, "2026-11-25T00:00:00.000Z").unwrap();
        assert_consistent(&c);
        assert_eq!(c.windows.len(), 20);
        assert_eq!(c.departments.len(), 15);
        let kinds = |k| c.windows.iter().filter(|w| w.kind == k).count();
        assert_eq!(
            (kinds(WindowKind::Priority), kinds(WindowKind::General), kinds(WindowKind::Dedicated)),
            (1, 2, 17)
        );
        // Every required matter has a primary window, two general overflow windows and the lane.
        for m in c.matters.iter().filter(|m| m.required) {
            let of = |p| c.bindings.iter().filter(|b| b.matter_id == m.id && b.priority == p).count();
            assert!(of(BindingPriority::Primary) >= 1, "{}", m.name);
            assert_eq!(of(BindingPriority::Overflow), 3, "{}", m.name);
        }
        assert!(c
            .matters
            .iter()
            .filter(|m| !m.required)
            .all(|m| c.bindings.iter().all(|b| b.matter_id != m.id)));
        // The busiest departments get the extra windows: 公安 has two.
        let police = c.departments.iter().find(|d| d.name.contains("公安")).unwrap();
        let police_matter = c.matters.iter().find(|m| m.department_id == police.id && m.required).unwrap();
        let primary = c
            .bindings
            .iter()
            .filter(|b| b.matter_id == police_matter.id && b.priority == BindingPriority::Primary)
            .count();
        assert_eq!(primary, 2);
        assert!(c.windows.iter().any(|w| w.number == "A02"));
        // Ids derive from codes: the same input makes the same configuration.
        let again = hall_config(&matters, 20, "2026-11-25T00:00:00.000Z").unwrap();
        assert_eq!(c, again);
        assert_eq!(c.matters[0].id, format!("m-{}", c.matters[0].catalog_code));
    }

    #[test]
    fn small_and_large_halls_are_consistent() {
        let matters = read_catalog(None).unwrap();
        for n in [3, 5, 12, 17, 18, 50, 200] {
            let c = hall_config(&matters, n, "x").unwrap();
            assert_consistent(&c);
            assert_eq!(c.windows.len(), n);
            let model = HallModel::from_config(&c, 1).unwrap();
            assert_eq!(model.matters.len(), c.matters.iter().filter(|m| m.required).count());
            assert!(model.windows_of_matter.iter().all(|w| !w.is_empty()));
        }
        assert!(hall_config(&matters, 2, "x").is_err());
    }

    #[test]
    fn arrivals_weigh_departments_as_a_real_hall() {
        let matters = read_catalog(None).unwrap();
        let c = hall_config(&matters, 20, "x").unwrap();
        let model = HallModel::from_config(&c, 3).unwrap();
        let total: f64 = model.matters.iter().map(|m| m.weight).sum();
        assert!((total - 1.0).abs() < 1e-9);
        let share = |key: &str| -> f64 {
            model
                .matters
                .iter()
                .filter(|m| model.departments[m.department].name.contains(key))
                .map(|m| m.weight)
                .sum()
        };
        for busy in ["公安", "市场监督", "不动产", "人力资源"] {
            for quiet in ["生态环境", "教育", "文化"] {
                assert!(share(busy) > 3.0 * share(quiet), "{busy} vs {quiet}");
            }
        }
        let mut rng = rng_for(9, "t");
        let n = 20_000;
        let police = (0..n)
            .filter(|_| {
                model.departments[model.matters[model.pick_matter(&mut rng)].department].name.contains("公安")
            })
            .count();
        let got = police as f64 / n as f64;
        assert!((got - share("公安")).abs() < 0.015, "{got} vs {}", share("公安"));
    }

    #[test]
    fn service_times_are_between_three_and_fifteen_minutes() {
        assert!(service_mean_minutes("公共服务", Some(0)) < service_mean_minutes("行政许可", Some(20)));
        for t in ["行政许可", "行政确认", "公共服务", "行政给付", "其他行政权力", ""] {
            for d in [None, Some(0), Some(1), Some(10), Some(20), Some(60)] {
                let m = service_mean_minutes(t, d);
                assert!((3.0..=15.0).contains(&m), "{t} {d:?}: {m}");
            }
        }
    }
}
