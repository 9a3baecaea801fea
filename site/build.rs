//! The site is embedded from `target/site`, which `cargo leptos build` and
//! `scripts/build-widget.sh` write. A proc macro only tracks the files it found, so a
//! file added later (or a site built after this crate) would not rebuild it: cargo is
//! told to watch the whole folder. It is created when missing, so that a build without
//! a site embeds nothing instead of rerunning this script every time.
fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/site");
    let _ = std::fs::create_dir_all(&dir);
    println!("cargo:rerun-if-changed={}", dir.display());
}
