//! Figures, budgets and checks; written as markdown and JSON.
use serde::Serialize;

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Budget {
    AtMost(f64),
    AtLeast(f64),
}

#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub backend: String,
    pub name: String,
    pub value: f64,
    pub unit: String,
    pub budget: Option<Budget>,
    pub met: Option<bool>,
    pub detail: String,
}

/// Correctness: what `--quick` asserts.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub backend: String,
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub mode: String,
    pub git_revision: String,
    pub machine: Machine,
    pub started_at: String,
    pub figures: Vec<Figure>,
    pub checks: Vec<Check>,
}

#[derive(Debug, Default, Serialize)]
pub struct Machine {
    pub cores: usize,
    pub memory_gib: f64,
    pub cpu: String,
    pub kernel: String,
}

impl Machine {
    pub fn read() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split(':').nth(1))
            .unwrap_or("")
            .trim()
            .to_string();
        let mem_kb: f64 = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|s| s.lines().next().and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()))
            .unwrap_or(0.0);
        Machine {
            cores: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            memory_gib: (mem_kb / 1024.0 / 1024.0 * 10.0).round() / 10.0,
            cpu,
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim().to_string(),
        }
    }
}

impl Report {
    pub fn figure(
        &mut self,
        backend: &str,
        name: &str,
        value: f64,
        unit: &str,
        budget: Option<Budget>,
        detail: impl Into<String>,
    ) {
        let met = budget.map(|b| match b {
            Budget::AtMost(x) => value <= x,
            Budget::AtLeast(x) => value >= x,
        });
        let f = Figure {
            backend: backend.into(),
            name: name.into(),
            value,
            unit: unit.into(),
            budget,
            met,
            detail: detail.into(),
        };
        println!("  {:<10} {:<52} {:>12} {:<8} {}", f.backend, f.name, fmt(value), unit, verdict(&f));
        self.figures.push(f);
    }

    pub fn check(&mut self, backend: &str, name: &str, ok: bool, detail: impl Into<String>) {
        let c = Check { backend: backend.into(), name: name.into(), ok, detail: detail.into() };
        println!("  {:<10} check {:<46} {}  {}", c.backend, c.name, if ok { "ok" } else { "FAILED" }, c.detail);
        self.checks.push(c);
    }

    pub fn failed_checks(&self) -> Vec<&Check> {
        self.checks.iter().filter(|c| !c.ok).collect()
    }

    pub fn markdown(&self) -> String {
        let m = &self.machine;
        let mut s = format!(
            "# Switchboard benchmark ({})\n\nRevision `{}`, {}. Machine: {} cores ({}), {} GiB, Linux {}.\n\n",
            self.mode, self.git_revision, self.started_at, m.cores, m.cpu, m.memory_gib, m.kernel
        );
        s.push_str("| backend | figure | value | budget | met | notes |\n|---|---|---:|---|---|---|\n");
        for f in &self.figures {
            let budget = match f.budget {
                Some(Budget::AtMost(x)) => format!("≤ {} {}", fmt(x), f.unit),
                Some(Budget::AtLeast(x)) => format!("≥ {} {}", fmt(x), f.unit),
                None => "—".into(),
            };
            s.push_str(&format!(
                "| {} | {} | {} {} | {} | {} | {} |\n",
                f.backend,
                f.name,
                fmt(f.value),
                f.unit,
                budget,
                verdict(f),
                f.detail
            ));
        }
        s.push_str("\n## Correctness\n\n| backend | check | result | detail |\n|---|---|---|---|\n");
        for c in &self.checks {
            s.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                c.backend,
                c.name,
                if c.ok { "ok" } else { "**FAILED**" },
                c.detail
            ));
        }
        s
    }
}

fn verdict(f: &Figure) -> &'static str {
    match f.met {
        Some(true) => "yes",
        Some(false) => "**no**",
        None => "",
    }
}

pub fn fmt(x: f64) -> String {
    if x >= 100.0 || x.fract() == 0.0 {
        let n = x.round() as i64;
        let s = n.abs().to_string();
        let mut out = String::new();
        for (i, ch) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(ch);
        }
        if n < 0 {
            format!("-{out}")
        } else {
            out
        }
    } else {
        format!("{x:.1}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_numbers_for_the_table() {
        assert_eq!(super::fmt(1234567.0), "1,234,567");
        assert_eq!(super::fmt(12.34), "12.3");
        assert_eq!(super::fmt(7.0), "7");
    }
}
