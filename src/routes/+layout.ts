// A static site: every page is prerendered as a shell and runs in the browser (WebGPU lives there).
export const prerender = true;
export const ssr = false;
