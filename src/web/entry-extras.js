// Appended to the extras build's wasm-bindgen glue by scripts/build.sh: the consent module's
// `import()` of this file settles only once the viewer and forms have started.
await __wbg_init(); // privacy-widget: start the statement viewer and forms
