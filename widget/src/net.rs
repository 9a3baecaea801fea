//! Fetch and JSON through the browser's own `fetch` and `JSON`, which keeps the
//! bundle free of a JSON library.
use js_sys::{Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

pub fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

pub fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

pub fn get_str(v: &JsValue, key: &str) -> Option<String> {
    get(v, key).as_string()
}

pub fn get_f64(v: &JsValue, key: &str) -> Option<f64> {
    get(v, key).as_f64()
}

pub fn parse(s: &str) -> JsValue {
    JSON::parse(s).unwrap_or(JsValue::NULL)
}

/// A JSON request; returns the status and the parsed body (null when there is none).
pub async fn call(method: &str, path: &str, token: Option<&str>, body: Option<&JsValue>) -> Result<(u16, JsValue), String> {
    let text = match body {
        Some(b) => Some(JsValue::from(JSON::stringify(b).map_err(|_| "bad body")?)),
        None => None,
    };
    fetch(method, path, token, text.as_ref(), text.as_ref().map(|_| "application/json")).await
}

/// Any request: `body` as it is (JSON text, or a `File` for an upload), with the
/// visitor's bearer token; answers the status and the parsed JSON body.
pub async fn fetch(method: &str, path: &str, token: Option<&str>, body: Option<&JsValue>, content_type: Option<&str>) -> Result<(u16, JsValue), String> {
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(b) = body {
        init.set_body(b);
    }
    let req = Request::new_with_str_and_init(path, &init).map_err(|_| "bad request")?;
    let headers = req.headers();
    let _ = headers.set("Accept", "application/json");
    if let Some(ct) = content_type {
        let _ = headers.set("Content-Type", ct);
    }
    if let Some(t) = token {
        let _ = headers.set("Authorization", &format!("Bearer {t}"));
    }
    let window = web_sys::window().ok_or("no window")?;
    let res: Response = JsFuture::from(window.fetch_with_request(&req))
        .await
        .map_err(|_| "network error")?
        .dyn_into()
        .map_err(|_| "bad response")?;
    let status = res.status();
    let json = match res.json() {
        Ok(p) => JsFuture::from(p).await.unwrap_or(JsValue::NULL),
        Err(_) => JsValue::NULL,
    };
    Ok((status, json))
}
