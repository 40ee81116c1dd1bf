/* Stand-in for Google Analytics in the demo shop: a local file, so no request leaves the
   machine. It records that it ran and sets cookies named like GA's, so tests can see that it
   only runs after consent and that withdrawal deletes its cookies. */
window.__gaRuns = (window.__gaRuns || 0) + 1;
window.__gaRan = performance.now();
document.cookie = "_ga=GA1.1.1234567890.1764158400; Path=/; SameSite=Lax";
document.cookie = "_ga_DEMO123=GS1.1.1764158400.1.0; Path=/; SameSite=Lax";
