//! `sqlx::migrate!` embeds the migrations at compile time, but cargo does not know it
//! reads that folder: without this, a new migration file is left out of the next
//! incremental build.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
