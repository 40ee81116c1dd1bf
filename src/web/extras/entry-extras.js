// Appended to the extras build's wasm-bindgen glue by scripts/build.sh: the consent module's
// `import()` of this file settles only once the viewer and forms have started.
// Compiled from the finished download, like the consent module (see entry.js): decoded on a
// worker thread instead of in one long main-thread task.
{
  const url = new URL("privacy-widget-extras_bg.wasm", import.meta.url);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`privacy-widget: could not load ${url} (HTTP ${response.status})`);
  await __wbg_init({ module_or_path: response.arrayBuffer() }); // start the statement viewer and forms
}
