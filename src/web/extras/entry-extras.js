// Appended to the extras build's wasm-bindgen glue by scripts/build.sh: the consent module's
// `import()` of this file settles only once the viewer and forms have started.
// Compiled from the finished download, like the consent module (see entry.js): decoded on a
// worker thread instead of in one long main-thread task.
{
  const url = import.meta.resolve("./privacy-widget-extras_bg.wasm");
  const response = await fetch(url);
  if (!response.ok) throw new Error(`privacy-widget: could not load ${url} (HTTP ${response.status})`);
  const { instance, module } = await WebAssembly.instantiate(await response.arrayBuffer(), __wbg_get_imports());
  __wbg_finalize_init(instance, module); // start the statement viewer and forms
}
