//! `/api/docs`: the API reference as one HTML page, rendered on the server from the
//! OpenAPI document itself (every text escaped), with no script and nothing fetched
//! from elsewhere: it works offline and cannot drift from the API.
use axum::response::Html;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{RefOr, Schema};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn schema_name(s: &RefOr<Schema>) -> String {
    match s {
        RefOr::Ref(r) => r.ref_location.rsplit('/').next().unwrap_or("").to_string(),
        RefOr::T(Schema::Array(a)) => match &a.items {
            utoipa::openapi::schema::ArrayItems::RefOrSchema(inner) => format!("{}[]", schema_name(inner)),
            _ => "array".into(),
        },
        RefOr::T(_) => "object".into(),
    }
}

fn operation(method: &str, path: &str, op: &Operation) -> String {
    let mut out = format!(
        "<section class=\"op\"><h3><span class=\"method\">{}</span> <code>{}</code></h3>",
        method.to_uppercase(),
        esc(path)
    );
    if let Some(d) = &op.description {
        out += &format!("<p>{}</p>", esc(d));
    } else if let Some(s) = &op.summary {
        out += &format!("<p>{}</p>", esc(s));
    }
    if let Some(params) = &op.parameters {
        out += "<table><caption>Parameters</caption><tr><th scope=\"col\">Name</th><th scope=\"col\">In</th><th scope=\"col\">Required</th><th scope=\"col\">About</th></tr>";
        for p in params {
            let place = serde_json::to_value(&p.parameter_in).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
            let required = matches!(p.required, utoipa::openapi::Required::True);
            out += &format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&p.name),
                esc(&place),
                if required { "yes" } else { "no" },
                esc(p.description.as_deref().unwrap_or(""))
            );
        }
        out += "</table>";
    }
    if let Some(body) = &op.request_body {
        for (kind, content) in &body.content {
            out += &format!("<p>Body: <code>{}</code> (<a href=\"#schema-{n}\">{n}</a>)</p>", esc(kind), n = esc(&schema_name(&content.schema.clone().unwrap_or(RefOr::T(Schema::default())))));
        }
    }
    out += "<ul class=\"responses\">";
    for (code, res) in &op.responses.responses {
        let body = match res {
            RefOr::T(r) => r.content.values().next().and_then(|c| c.schema.as_ref()).map(schema_name).unwrap_or_default(),
            RefOr::Ref(_) => String::new(),
        };
        out += &format!("<li id=\"problem-{c}\"><code>{c}</code> {}</li>", esc(&body), c = esc(code));
    }
    out += "</ul></section>";
    out
}

/// The page.
pub async fn reference() -> Html<String> {
    let doc = super::document();
    let mut body = String::new();
    for (path, item) in &doc.paths.paths {
        for (method, op) in [("get", &item.get), ("post", &item.post)] {
            if let Some(op) = op {
                body += &operation(method, path, op);
            }
        }
    }
    let mut schemas = String::new();
    if let Some(components) = &doc.components {
        for (name, schema) in &components.schemas {
            let json = serde_json::to_string_pretty(schema).unwrap_or_default();
            schemas += &format!("<section id=\"schema-{n}\"><h3>{n}</h3><pre>{}</pre></section>", esc(&json), n = esc(name));
        }
    }
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>Switchboard API reference</title><style>body{{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}}\
         code,pre{{font-family:ui-monospace,monospace}}pre{{background:#f4f4f4;padding:.75rem;overflow:auto}}.method{{background:#1d4ed8;color:#fff;padding:0 .4rem;border-radius:3px;font-size:.85em}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}}.op{{border-top:1px solid #ddd;padding-top:.5rem}}</style></head>\
         <body><main><h1>{}</h1><p>{}</p><p>The machine-readable document: <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a>.</p>\
         <h2>Operations</h2>{body}<h2>Schemas</h2>{schemas}</main></body></html>",
        esc(&doc.info.title),
        esc(doc.info.description.as_deref().unwrap_or(""))
    ))
}
