import init from './pkg/switchboard_widget.js';
init({ module_or_path: new URL('./pkg/switchboard_widget_bg.wasm', import.meta.url) });
