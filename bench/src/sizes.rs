//! What the browser downloads: raw, gzip (level 9) and brotli (quality 11).
use crate::report::{Budget, Report};
use crate::Cli;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

#[derive(Debug, Clone, Serialize, Default)]
pub struct Size {
    pub name: String,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

pub fn measure(path: &Path, name: &str) -> Option<Size> {
    let bytes = std::fs::read(path).ok()?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&bytes).ok()?;
    let gzip = gz.finish().ok()?.len() as u64;
    let mut br = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut br, &params).ok()?;
    Some(Size { name: name.into(), raw: bytes.len() as u64, gzip, brotli: br.len() as u64 })
}

pub struct Bundles {
    pub loader: Option<Size>,
    pub widget: Vec<Size>,
    pub console: Option<Size>,
    /// The console's JS glue and stylesheet (and, in a split build, the loader of the
    /// split-out pages), loaded with the WASM before the first page is interactive.
    pub console_rest: Vec<Size>,
    /// A split build's on-demand WASM files (`cargo leptos build --split`): the pages
    /// most agents rarely open, fetched the first time one is opened.
    pub console_chunks: Vec<Size>,
    /// The split files a chat opened by its address loads beside the first load (the
    /// split manifest's list for the conversation route).
    pub conversation_chunks: Vec<Size>,
}

fn total<'a>(name: &str, parts: impl Iterator<Item = &'a Size>) -> Size {
    parts.fold(Size { name: name.into(), ..Default::default() }, |t, s| Size {
        name: t.name,
        raw: t.raw + s.raw,
        gzip: t.gzip + s.gzip,
        brotli: t.brotli + s.brotli,
    })
}

impl Bundles {
    pub fn widget_total(&self) -> Option<Size> {
        (self.widget.len() == 5).then(|| total("widget total", self.widget.iter()))
    }

    /// Everything the console loads before its first page is interactive: the WASM,
    /// its JS glue and the stylesheet.
    pub fn console_first_load(&self) -> Option<Size> {
        let wasm = self.console.as_ref()?;
        (self.console_rest.len() >= 2).then(|| total("console first load", std::iter::once(wasm).chain(&self.console_rest)))
    }

    /// The split-out pages together, and the largest of them.
    pub fn console_chunks_total(&self) -> Option<(Size, &Size)> {
        let largest = self.console_chunks.iter().max_by_key(|s| s.brotli)?;
        Some((total("console split-out pages", self.console_chunks.iter()), largest))
    }
}

/// `site` is cargo-leptos's site folder (target/site); `public` the assets folder.
pub fn bundles(site: &Path, public: &Path) -> Bundles {
    let loader = measure(&public.join("widget.js"), "widget.js (loader)");
    let files = [
        (public.join("widget.js"), "widget.js (loader)"),
        (site.join("widget/pkg/switchboard_widget.js"), "switchboard_widget.js"),
        (site.join("widget/pkg/switchboard_widget_bg.wasm"), "switchboard_widget_bg.wasm"),
        (public.join("widget/boot.js"), "widget/boot.js"),
        (public.join("widget/widget.css"), "widget/widget.css"),
    ];
    let widget = files.iter().filter_map(|(p, n)| measure(p, n)).collect();
    let console = measure(&site.join("pkg/switchboard.wasm"), "console switchboard.wasm");
    let mut console_rest: Vec<Size> = [("pkg/switchboard.js", "console switchboard.js"), ("pkg/switchboard.css", "console switchboard.css")]
        .iter()
        .filter_map(|(p, n)| measure(&site.join(p), n))
        .collect();
    let mut console_chunks = Vec::new();
    let mut pkg: Vec<_> = std::fs::read_dir(site.join("pkg")).into_iter().flatten().flatten().map(|e| e.path()).collect();
    pkg.sort();
    for path in pkg {
        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else { continue };
        if name.starts_with("__wasm_split") && name.ends_with(".js") {
            console_rest.extend(measure(&path, &format!("console {name}")));
        } else if name.ends_with(".wasm") && name != "switchboard.wasm" {
            console_chunks.extend(measure(&path, &name));
        }
    }
    let conversation_chunks = conversation_modules(site)
        .iter()
        .filter_map(|m| console_chunks.iter().find(|c| c.name == format!("{m}.wasm")).cloned())
        .collect();
    Bundles { loader, widget, console, console_rest, console_chunks, conversation_chunks }
}

/// The split files the manifest lists for the conversation route.
fn conversation_modules(site: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(site.join("pkg/__wasm_split_manifest.json")) else { return Vec::new() };
    let manifest: std::collections::HashMap<String, Vec<String>> = serde_json::from_str(&text).unwrap_or_default();
    manifest.into_iter().find(|(k, _)| k.starts_with("conversation_view")).map(|(_, v)| v).unwrap_or_default()
}

/// The sizes as figures, against the budgets in full mode.
pub fn figures(cli: &Cli, r: &mut Report) {
    let b = bundles(&cli.site, &cli.public);
    let full = !cli.quick;
    if let Some(l) = &b.loader {
        r.figure(
            "browser",
            "widget loader (widget.js), brotli",
            l.brotli as f64 / 1000.0,
            "kB",
            full.then_some(Budget::AtMost(5.0)),
            format!("{} B raw, {} B gzip", l.raw, l.gzip),
        );
    }
    for s in &b.widget {
        size_figure(r, &format!("widget {}", s.name), s, None);
    }
    match b.widget_total() {
        Some(t) => size_figure(r, "widget total", &t, full.then_some(Budget::AtMost(60.0))),
        None => println!("  (widget bundle not built: run scripts/build-widget.sh)"),
    }
    match (&b.console, b.console_first_load()) {
        (Some(c), Some(first)) => {
            size_figure(r, "console WASM", c, None);
            for s in &b.console_rest {
                size_figure(r, &s.name, s, None);
            }
            size_figure(r, "console first load (WASM, JS, CSS)", &first, full.then_some(Budget::AtMost(400.0)));
            if !b.conversation_chunks.is_empty() {
                let direct = total("", std::iter::once(&first).chain(&b.conversation_chunks));
                let name = format!("console first load of a chat opened by its address (with its {} split files)", b.conversation_chunks.len());
                size_figure(r, &name, &direct, None);
            }
            if let Some((pages, largest)) = b.console_chunks_total() {
                let name = format!("console split-out pages ({} files; the largest, {}, {:.1} kB)", b.console_chunks.len(), largest.name, largest.brotli as f64 / 1000.0);
                size_figure(r, &name, &pages, None);
            }
        }
        _ => println!("  (console not built: run cargo leptos build --release --split)"),
    }
}

/// One bundle's brotli size as a figure in kB (1,000 bytes, as the budgets are), with
/// raw and gzip in the notes.
fn size_figure(r: &mut Report, name: &str, s: &Size, budget: Option<Budget>) {
    let detail = format!("{} B raw, {} B gzip", s.raw, s.gzip);
    r.figure("browser", &format!("{name}, brotli"), s.brotli as f64 / 1000.0, "kB", budget, detail);
}
