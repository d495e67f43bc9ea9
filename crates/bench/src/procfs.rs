//! Reading /proc: the process tree under a pid, and each process's PSS.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::Path;

/// One process of an app's tree, with its proportional set size.
#[derive(Debug, Clone)]
pub struct Proc {
    pub pid: u32,
    pub ppid: u32,
    /// The base name of argv[0] (`WebKitWebProcess`…); the comm when there is no command line.
    pub name: String,
    /// `Pss:` of /proc/<pid>/smaps_rollup, in KiB (0 if it could not be read).
    pub pss_kib: u64,
}

/// The ppid from the text of /proc/<pid>/stat. The comm (field 2) is in parentheses and may hold
/// spaces and parentheses itself, so parse after the last ')'.
pub fn parse_ppid(stat: &str) -> Option<u32> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let _state = fields.next()?;
    fields.next()?.parse().ok()
}

/// The `Pss:` line of smaps_rollup, in KiB.
pub fn parse_pss_kib(smaps_rollup: &str) -> Option<u64> {
    smaps_rollup.lines().find_map(|l| {
        let rest = l.strip_prefix("Pss:")?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

fn proc_name(pid: u32) -> String {
    if let Ok(cmdline) = fs::read(format!("/proc/{pid}/cmdline")) {
        if let Some(argv0) = cmdline.split(|b| *b == 0).next().filter(|a| !a.is_empty()) {
            let argv0 = String::from_utf8_lossy(argv0);
            if let Some(base) = Path::new(argv0.as_ref()).file_name() {
                return base.to_string_lossy().into_owned();
            }
        }
    }
    fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|c| c.trim().to_string())
        .unwrap_or_else(|_| format!("pid {pid}"))
}

/// Every live pid with its ppid.
fn all_ppids() -> HashMap<u32, u32> {
    let mut out = HashMap::new();
    let Ok(entries) = fs::read_dir("/proc") else { return out };
    for e in entries.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
        if let Some(ppid) =
            fs::read_to_string(format!("/proc/{pid}/stat")).ok().as_deref().and_then(parse_ppid)
        {
            out.insert(pid, ppid);
        }
    }
    out
}

/// `root` and all its descendants (walking the ppid links), root first.
pub fn tree(root: u32) -> Vec<u32> {
    let ppids = all_ppids();
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for (&pid, &ppid) in &ppids {
        children.entry(ppid).or_default().push(pid);
    }
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        if let Some(kids) = children.get(&out[i]) {
            let mut kids = kids.clone();
            kids.sort_unstable();
            out.extend(kids);
        }
        i += 1;
    }
    out
}

/// The tree under `root` with each process's PSS.
pub fn measure(root: u32) -> Vec<Proc> {
    let ppids = all_ppids();
    tree(root)
        .into_iter()
        .map(|pid| Proc {
            pid,
            ppid: ppids.get(&pid).copied().unwrap_or(0),
            name: proc_name(pid),
            pss_kib: fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
                .ok()
                .as_deref()
                .and_then(parse_pss_kib)
                .unwrap_or(0),
        })
        .collect()
}

/// PSS summed per role: the root is "main process", the others by name.
pub fn per_role(procs: &[Proc], root: u32) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for p in procs {
        let role = if p.pid == root { "main process".to_string() } else { p.name.clone() };
        *out.entry(role).or_insert(0) += p.pss_kib;
    }
    out
}

/// Each pid with its name.
pub fn names(pids: &[u32]) -> Vec<(u32, String)> {
    pids.iter().map(|&p| (p, proc_name(p))).collect()
}

/// Whether `pid` is alive with the given name (guards against a reused pid).
pub fn alive_as(pid: u32, name: &str) -> bool {
    Path::new(&format!("/proc/{pid}")).exists() && proc_name(pid) == name && !is_zombie(pid)
}

fn is_zombie(pid: u32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rfind(')').map(|i| s[i + 1..].trim_start().starts_with('Z')))
        .unwrap_or(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ppid_is_read_after_the_comm_even_with_spaces_and_parens() {
        assert_eq!(parse_ppid("1234 (Web Content (x)) S 77 1234 1234 0 -1"), Some(77));
        assert_eq!(parse_ppid("1 (systemd) S 0 1 1"), Some(0));
        assert_eq!(parse_ppid("garbage"), None);
    }

    #[test]
    fn pss_line_is_found() {
        let s =
            "55d0-7ff [rollup]\nRss:              151000 kB\nPss:              120500 kB\nPss_Dirty: 1 kB\n";
        assert_eq!(parse_pss_kib(s), Some(120500));
        assert_eq!(parse_pss_kib("Rss: 1 kB\n"), None);
    }

    #[test]
    fn this_process_is_measured() {
        let me = std::process::id();
        let procs = measure(me);
        assert_eq!(procs[0].pid, me);
        assert!(procs[0].pss_kib > 0, "{procs:?}");
        assert!(per_role(&procs, me).contains_key("main process"));
    }
}
