// Appended to the consent build's and the extras build's wasm-bindgen glue by scripts/build.sh.
// The banner build's loader imports the consent module when the consent manager is needed, and
// the consent manager imports the extras where a page needs them; each import settles once its
// module has started (the loader then hands the consent manager the visitor's intent).
// The wasm lies beside the module (`<name>.js`, `<name>_bg.wasm`; both URLs are the loader's own,
// without query or fragment). Compiled from the finished download, not streamed: see
// entry-banner.js.
{
  const url = import.meta.url.replace(/\.js$/, "_bg.wasm");
  // The consent manager's wasm may be on its way already: the banner build's idle preload.
  const banner = window.__privacyWidgetBanner;
  const preloaded = banner?.preloaded?.url === url && banner.preloaded.response.catch(() => fetch(url));
  if (preloaded) banner.preloaded = undefined;
  const response = await (preloaded || fetch(url));
  if (!response.ok) throw new Error(`privacy-widget: could not load ${url} (HTTP ${response.status})`);
  const { instance, module } = await WebAssembly.instantiate(await response.arrayBuffer(), __wbg_get_imports());
  __wbg_finalize_init(instance, module); // start the module
}
