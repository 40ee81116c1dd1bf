// Appended to the consent build's wasm-bindgen glue by scripts/build.sh. The banner build's
// loader imports this module when the consent manager is needed; the import settles once the
// manager has started, and the loader then hands it the visitor's intent (`takeIntent`).
// Compiled from the finished download, not streamed (see entry-banner.js).
{
  const url = import.meta.resolve("./privacy-widget-consent_bg.wasm");
  const response = await fetch(url);
  if (!response.ok) throw new Error(`privacy-widget: could not load ${url} (HTTP ${response.status})`);
  const { instance, module } = await WebAssembly.instantiate(await response.arrayBuffer(), __wbg_get_imports());
  __wbg_finalize_init(instance, module); // start the consent manager
}
