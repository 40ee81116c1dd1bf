// Appended to the consent build's wasm-bindgen glue by scripts/build.sh, so the one script tag
// sets the Google Consent Mode v2 defaults, knows where the extras module is, and starts the
// widget.
// The defaults deny everything and run at module evaluation, before the widget can activate
// any tag; the widget sends the matching `update` when a decision exists or is made.
window.dataLayer = window.dataLayer || [];
if (typeof window.gtag !== "function") {
  // gtag.js reads the `arguments` object itself, so this must be a real function, not an array.
  window.gtag = function gtag() { window.dataLayer.push(arguments); };
}
window.gtag("consent", "default", {
  ad_storage: "denied", analytics_storage: "denied", ad_user_data: "denied", ad_personalization: "denied",
  functionality_storage: "denied", personalization_storage: "denied", security_storage: "granted",
  wait_for_update: 500,
});
// The statement viewer and the forms live in a second module, imported from beside this file
// only when a page needs them. The widget extends this object with the rest of its API once it
// has read its config; `ready` resolves (with the object) then.
const extrasUrl = new URL("./privacy-widget-extras.js", import.meta.url).href;
let extras;
window.PrivacyWidget = {
  loadExtras: () => (extras ||= import(extrasUrl)),
  ready: new Promise((resolve) => {
    window.addEventListener("privacy-widget:ready", () => resolve(window.PrivacyWidget), { once: true });
  }),
};
// The wasm is compiled from the finished download, not streamed: a stream that arrives in one
// piece (preloaded, cached, fast network) is decoded on the main thread in one long task, while
// WebAssembly.instantiate(bytes) decodes on a worker thread. The start gets a task of its own
// rather than joining the one that parsed the page and evaluated this module.
// (A block, so the names cannot clash with the glue's top-level ones.)
{
  const url = new URL("privacy-widget_bg.wasm", import.meta.url);
  const bytes = fetch(url).then((response) => {
    if (!response.ok) throw new Error(`privacy-widget: could not load ${url} (HTTP ${response.status})`);
    return response.arrayBuffer();
  });
  setTimeout(() => __wbg_init({ module_or_path: bytes })); // privacy-widget: start the widget
}
