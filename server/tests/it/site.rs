//! The binary carries the site: started in an empty folder, with no `target/site`
//! beside it and no `LEPTOS_SITE_ROOT`, it serves the console's and the widget's files.
use crate::common::process::{client, Server};
use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_serves_the_console_and_the_widget_from_any_folder() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/site.db", dir.path().display());
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_switchboard"));
    cmd.current_dir(dir.path()).env_remove("LEPTOS_SITE_ROOT").env_remove("LEPTOS_OUTPUT_NAME");
    let server = Server::spawn(cmd, &url, &dir.path().join("files"), true, &[]);
    assert!(!dir.path().join("target").exists());
    let c = client();

    // The login page names the console's script, and each file it names is served.
    let page = c.get(format!("{}/login", server.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("/pkg/switchboard.js"), "the page loads the console's script");
    let expect: [(&str, &str, &[u8]); 7] = [
        ("/pkg/switchboard.js", "javascript", b""),
        ("/pkg/switchboard.wasm", "application/wasm", b"\0asm"),
        ("/pkg/switchboard.css", "text/css", b""),
        ("/widget.js", "javascript", b""),
        ("/widget/pkg/switchboard_widget_bg.wasm", "application/wasm", b"\0asm"),
        ("/widget/pkg/switchboard_widget.js", "javascript", b""),
        ("/favicon.svg", "image/svg", b"<"),
    ];
    for (path, mime, magic) in expect {
        let res = c.get(format!("{}{path}", server.base)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path} is served (the site was built before the server? scripts/test.sh builds it first)");
        let ctype = res.headers()["content-type"].to_str().unwrap().to_string();
        assert!(ctype.contains(mime), "{path}: {ctype}");
        let etag = res.headers()["etag"].to_str().unwrap().to_string();
        let body = res.bytes().await.unwrap();
        assert!(body.len() > 10 && body.starts_with(magic), "{path}: {} bytes", body.len());

        // The same file again, revalidated: 304 without a body.
        let again = c.get(format!("{}{path}", server.base)).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(again.status(), 304, "{path} revalidates");
    }

    // The console is a split build: the pages most agents rarely open are WASM files
    // of their own, each one the manifest names is served, with the split loader.
    let manifest = c.get(format!("{}/pkg/__wasm_split_manifest.json", server.base)).send().await.unwrap();
    assert_eq!(manifest.status(), 200, "the split manifest is served (scripts/test.sh builds with --split)");
    let manifest: std::collections::HashMap<String, Vec<String>> = manifest.json().await.unwrap();
    let modules: std::collections::BTreeSet<&String> = manifest.values().flatten().collect();
    assert!(modules.len() >= 5, "the lazy pages are split out: {manifest:?}");
    for module in modules {
        let res = c.get(format!("{}/pkg/{module}.wasm", server.base)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{module}.wasm is served");
        assert!(res.bytes().await.unwrap().starts_with(b"\0asm"), "{module}.wasm is WASM");
    }
    let loader = c.get(format!("{}/pkg/__wasm_split.______________________.js", server.base)).send().await.unwrap();
    assert_eq!(loader.status(), 200, "the split loader is served");

    // A path the site lacks is still the console's 404 page, not a file.
    let missing = c.get(format!("{}/pkg/nope.js", server.base)).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}
