// Colour contrast in the browser, for the theme e2e (theme.spec.ts): WCAG 2 relative luminance and
// contrast ratio from computed styles, and a scan of every visible piece of text on a page against
// the background it is drawn on. scanText runs inside the page (page.evaluate), so it is
// self-contained: it may use nothing from this module's scope.

export interface TextContrast {
  /** a short CSS-ish path and the text, to find the element */
  where: string;
  text: string;
  fg: string;
  bg: string;
  ratio: number;
  /** the ratio WCAG AA asks of this text: 4.5, or 3 for large text */
  needed: number;
}

/**
 * Every visible element that holds text of its own (HTML, or SVG <text>): its colour (`fill` for
 * SVG text), the first opaque background behind it (semi-transparent backgrounds blended on the
 * way up), and their contrast. Disabled controls and visually hidden text are skipped (WCAG
 * exempts the first; nobody sees the second).
 */
export function scanText(): TextContrast[] {
  type RGBA = [number, number, number, number];
  const ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true })!;
  /** Any CSS colour Chromium computes (rgb(), color(srgb …), oklab(), …) as 8-bit RGBA, via a canvas. */
  const parse = (css: string): RGBA | null => {
    if (!css || css === 'none') return null;
    const m = /^rgba?\(([^)]+)\)$/.exec(css.trim());
    if (m) {
      const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    }
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = '#000';
    ctx.fillStyle = css;
    ctx.fillRect(0, 0, 1, 1);
    const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255];
  };
  const over = (top: RGBA, under: RGBA): RGBA => {
    const a = top[3] + under[3] * (1 - top[3]);
    if (a === 0) return [0, 0, 0, 0];
    const mix = (i: number) => (top[i] * top[3] + under[i] * under[3] * (1 - top[3])) / a;
    return [mix(0), mix(1), mix(2), a];
  };
  const lum = (c: RGBA): number => {
    const ch = (v: number) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2]);
  };
  const ratio = (a: RGBA, b: RGBA): number => {
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const fmt = (c: RGBA) => `rgba(${c.map((v, i) => (i < 3 ? Math.round(v) : Number(v.toFixed(2)))).join(', ')})`;
  /** The background an element is painted on: its own and its ancestors' backgrounds, blended. */
  const backgroundOf = (el: Element): RGBA => {
    let acc: RGBA = [0, 0, 0, 0];
    for (let e: Element | null = el; e; e = e.parentElement) {
      const bg = parse(getComputedStyle(e).backgroundColor);
      if (bg && bg[3] > 0) {
        // acc is on top of what we find further up
        acc = acc[3] === 0 ? bg : over(acc, bg);
        if (acc[3] >= 0.999) return acc;
      }
    }
    return over(acc, [255, 255, 255, 1]); // the canvas behind everything
  };
  const pathOf = (el: Element): string => {
    const parts: string[] = [];
    for (let e: Element | null = el; e && parts.length < 4; e = e.parentElement) {
      const id = e.getAttribute('data-testid');
      const cls = typeof e.className === 'string' && e.className ? `.${e.className.split(/\s+/)[0]}` : '';
      parts.unshift(`${e.tagName.toLowerCase()}${id ? `[${id}]` : cls}`);
    }
    return parts.join(' > ');
  };
  const out: TextContrast[] = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set<Element>();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = (n.textContent ?? '').trim();
    const el = n.parentElement;
    if (!text || !el || seen.has(el)) continue;
    seen.add(el);
    if (el.closest('script, style, noscript, title, option, [aria-hidden="true"]')) continue;
    if (el.closest('button:disabled, input:disabled, select:disabled, textarea:disabled, fieldset:disabled, [aria-disabled="true"]')) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width < 2 || rect.height < 2) continue; // visually hidden
    const cs = getComputedStyle(el);
    if (cs.visibility !== 'visible' || Number(cs.opacity) === 0) continue;
    const isSvgText = el instanceof SVGElement;
    let fg = parse(isSvgText ? cs.fill : cs.color);
    if (!fg) continue;
    // opacity of the element and its ancestors fades the text into its background
    let alpha = fg[3];
    for (let e: Element | null = el; e; e = e.parentElement) alpha *= Number(getComputedStyle(e).opacity);
    const bgEl = isSvgText ? (el.closest('svg') ?? el) : el;
    const bg = backgroundOf(bgEl);
    fg = over([fg[0], fg[1], fg[2], alpha], bg);
    const px = parseFloat(cs.fontSize);
    const bold = Number(cs.fontWeight) >= 700;
    const large = px >= 24 || (bold && px >= 18.66);
    out.push({ where: pathOf(el), text: text.slice(0, 40), fg: fmt(fg), bg: fmt(bg), ratio: ratio(fg, bg), needed: large ? 3 : 4.5 });
  }
  return out;
}

/** WCAG 2 contrast of two computed CSS colours of the form rgb(…)/rgba(…) (opaque): for Node-side checks. */
export function contrastOf(a: string, b: string): number {
  const rgb = (css: string): [number, number, number] => {
    const m = /^rgba?\(([^)]+)\)$/.exec(css.trim());
    if (!m) throw new Error(`not an rgb() colour: ${css}`);
    const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2]];
  };
  const lum = (c: [number, number, number]) =>
    c
      .map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      })
      .reduce((acc, v, i) => acc + v * [0.2126, 0.7152, 0.0722][i], 0);
  const [hi, lo] = [lum(rgb(a)), lum(rgb(b))].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}
