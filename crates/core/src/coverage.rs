//! The coverage audit (一网打尽): does every matter have a window responsible for it?
//!
//! A pure function of the hall's windows, catalog and bindings, so the desktop shows it live and
//! the central server can refuse a ticket for the same reasons ([`refusal`]).

use hallkeeper_proto::{
    Binding, CoverageReport, Department, Finding, FindingGroup, FindingKind, Matter, MatterState, Severity,
    SubjectKind, Window, WindowState,
};
use std::collections::{HashMap, HashSet};

/// How many findings per rule a report carries; `total` always has the full count.
pub const FINDINGS_PER_GROUP: usize = 200;

/// What the audit looks at.
#[derive(Debug, Clone, Copy)]
pub struct Hall<'a> {
    pub windows: &'a [Window],
    pub departments: &'a [Department],
    pub matters: &'a [Matter],
    pub bindings: &'a [Binding],
}

/// Why a kiosk must not issue a ticket for a matter: the queue's own type, so the desktop, the
/// server and its devices speak of the same four reasons.
pub use hallkeeper_proto::TicketRefusal as Refusal;

/// Runs every rule; findings of a group are in catalog-code, department-name or floor order.
pub fn audit(hall: Hall<'_>, limit: usize) -> CoverageReport {
    let window_by_id: HashMap<&str, &Window> = hall.windows.iter().map(|w| (w.id.as_str(), w)).collect();
    let matter_by_id: HashMap<&str, &Matter> = hall.matters.iter().map(|m| (m.id.as_str(), m)).collect();
    let mut windows_of: HashMap<&str, Vec<&Window>> = HashMap::new();
    let mut active_bound_to: HashMap<&str, usize> = HashMap::new();
    for b in hall.bindings {
        let Some(w) = window_by_id.get(b.window_id.as_str()) else { continue };
        windows_of.entry(b.matter_id.as_str()).or_default().push(w);
        if matter_by_id.get(b.matter_id.as_str()).is_some_and(|m| m.state == MatterState::Active) {
            *active_bound_to.entry(b.window_id.as_str()).or_default() += 1;
        }
    }

    let mut matters: Vec<&Matter> = hall.matters.iter().collect();
    matters.sort_by(|a, b| a.catalog_code.cmp(&b.catalog_code));
    let mut groups: HashMap<FindingKind, Vec<Finding>> = HashMap::new();
    let mut push = |kind: FindingKind, f: Finding| groups.entry(kind).or_default().push(f);

    let mut unbound_ids = Vec::new();
    let mut inactive_ids = Vec::new();
    let mut required = 0;
    let mut required_covered = 0;
    let mut active = 0;
    let mut departments_with_window: HashSet<&str> = HashSet::new();
    let mut departments_with_required: HashSet<&str> = HashSet::new();
    for m in &matters {
        let windows = windows_of.get(m.id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
        let matter_finding = |kind: FindingKind, window_ids: Vec<String>| Finding {
            kind,
            severity: kind.severity(),
            subject: SubjectKind::Matter,
            subject_id: m.id.clone(),
            label: format!("{} {}", m.catalog_code, m.name),
            department_id: Some(m.department_id.clone()),
            window_ids,
        };
        if m.state == MatterState::Retired {
            if !windows.is_empty() {
                push(
                    FindingKind::RetiredStillBound,
                    matter_finding(FindingKind::RetiredStillBound, ids(windows)),
                );
            }
            continue;
        }
        active += 1;
        if m.required {
            required += 1;
            departments_with_required.insert(m.department_id.as_str());
        }
        if !windows.is_empty() {
            departments_with_window.insert(m.department_id.as_str());
        }
        let open = windows.iter().any(|w| w.state == WindowState::Open);
        if open && m.required {
            required_covered += 1;
        }
        if windows.is_empty() {
            let kind = if m.required { FindingKind::RequiredUnbound } else { FindingKind::OptionalUnbound };
            push(kind, matter_finding(kind, Vec::new()));
            unbound_ids.push(m.id.clone());
        } else if !open {
            push(
                FindingKind::OnlyInactiveWindows,
                matter_finding(FindingKind::OnlyInactiveWindows, ids(windows)),
            );
            inactive_ids.push(m.id.clone());
        }
    }

    let mut departments: Vec<&Department> = hall.departments.iter().collect();
    departments.sort_by(|a, b| a.name.cmp(&b.name).then(a.code.cmp(&b.code)));
    for d in departments {
        if departments_with_required.contains(d.id.as_str())
            && !departments_with_window.contains(d.id.as_str())
        {
            push(
                FindingKind::DepartmentWithoutWindow,
                Finding {
                    kind: FindingKind::DepartmentWithoutWindow,
                    severity: Severity::Red,
                    subject: SubjectKind::Department,
                    subject_id: d.id.clone(),
                    label: d.name.clone(),
                    department_id: Some(d.id.clone()),
                    window_ids: Vec::new(),
                },
            );
        }
    }

    let mut windows: Vec<&Window> = hall.windows.iter().collect();
    windows.sort_by(|a, b| a.position.cmp(&b.position).then(a.number.cmp(&b.number)));
    let mut by_number: HashMap<&str, Vec<&Window>> = HashMap::new();
    for w in &windows {
        by_number.entry(w.number.as_str()).or_default().push(w);
    }
    for w in &windows {
        let same = &by_number[w.number.as_str()];
        if same.len() > 1 {
            push(
                FindingKind::DuplicateWindowNumber,
                Finding {
                    kind: FindingKind::DuplicateWindowNumber,
                    severity: Severity::Amber,
                    subject: SubjectKind::Window,
                    subject_id: w.id.clone(),
                    label: format!("{} {}", w.number, w.name),
                    department_id: None,
                    window_ids: same.iter().map(|x| x.id.clone()).collect(),
                },
            );
        }
    }
    for w in windows {
        if w.state != WindowState::Closed && !active_bound_to.contains_key(w.id.as_str()) {
            push(
                FindingKind::WindowWithoutMatters,
                Finding {
                    kind: FindingKind::WindowWithoutMatters,
                    severity: Severity::Amber,
                    subject: SubjectKind::Window,
                    subject_id: w.id.clone(),
                    label: format!("{} {}", w.number, w.name),
                    department_id: None,
                    window_ids: vec![w.id.clone()],
                },
            );
        }
    }

    let mut report = CoverageReport {
        red: 0,
        amber: 0,
        info: 0,
        groups: Vec::with_capacity(FindingKind::ALL.len()),
        required_matters: required,
        required_covered,
        active_matters: active,
        windows: hall.windows.len() as u32,
        open_windows: hall.windows.iter().filter(|w| w.state == WindowState::Open).count() as u32,
        unbound_matter_ids: unbound_ids,
        inactive_only_matter_ids: inactive_ids,
    };
    for kind in FindingKind::ALL {
        let mut findings = groups.remove(&kind).unwrap_or_default();
        let total = findings.len() as u32;
        match kind.severity() {
            Severity::Red => report.red += total,
            Severity::Amber => report.amber += total,
            Severity::Info => report.info += total,
        }
        findings.truncate(limit);
        report.groups.push(FindingGroup { kind, severity: kind.severity(), total, findings });
    }
    report
}

fn ids(windows: &[&Window]) -> Vec<String> {
    let mut v: Vec<&Window> = windows.to_vec();
    v.sort_by_key(|w| w.position);
    v.into_iter().map(|w| w.id.clone()).collect()
}

/// Whether a ticket may be issued for a matter, and why not.
pub fn refusal(hall: Hall<'_>, matter_id: &str) -> Option<Refusal> {
    let Some(m) = hall.matters.iter().find(|m| m.id == matter_id) else {
        return Some(Refusal::UnknownMatter);
    };
    if m.state == MatterState::Retired {
        return Some(Refusal::Retired);
    }
    let windows: Vec<&Window> = hall
        .bindings
        .iter()
        .filter(|b| b.matter_id == matter_id)
        .filter_map(|b| hall.windows.iter().find(|w| w.id == b.window_id))
        .collect();
    if windows.is_empty() {
        return Some(Refusal::NoWindow);
    }
    if windows.iter().any(|w| w.state == WindowState::Open) {
        return None;
    }
    Some(Refusal::NoOpenWindow { window_ids: ids(&windows) })
}
