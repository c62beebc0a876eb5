"""Open every page of the built docs site in headless Chromium and fail on anything a reader would see broken.

Each page must load with no console error, page error or failed request; every image on it must have loaded (natural
width > 0); every internal link must lead to a page of the site, and its #fragment to an element of that page. Each
chapter (not an appendix) must show at least one rendered table and one figure. A screenshot of each chapter's first
screen is saved in <site>/screenshots/. Chromium is Debian's (`chromium`), driven by Playwright through `executable_path`.

Usage:  python scripts/check_site.py [_docs]
"""
import functools, http.server, re, shutil, sys, threading
from pathlib import Path
from urllib.parse import urldefrag, urlparse

IMAGES_LOADED = """async () => {
  const imgs = Array.from(document.images);
  await Promise.all(imgs.map(i => { i.loading = 'eager'; return i.decode().catch(() => null); }));
  return imgs.filter(i => i.naturalWidth === 0).map(i => i.currentSrc || i.src);
}"""
LINKS = "() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"
CHAPTER_CONTENT = """() => ({tables: document.querySelectorAll('article table').length,
                   figures: document.querySelectorAll('article .cell_output img').length})"""

def chromium_path():
    "Debian's Chromium: Playwright's own browser download cannot work offline."
    path = shutil.which('chromium') or shutil.which('chromium-browser')
    if not path: raise SystemExit("no Chromium: `apt-get install chromium` (make test installs it)")
    return path

def serve(site):
    "A local HTTP server over `site` in a thread (pages load as they would from GitHub Pages); returns (server, url)."
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args): pass
    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"

def link_problems(links, base, site):
    "Internal links whose page is missing from `site`, or whose #fragment names no element of that page."
    bad, ids = [], {}
    for link in sorted(set(links)):
        if not link.startswith(base): continue
        url, frag = urldefrag(link)
        rel = urlparse(url).path[len(urlparse(base).path):] or 'index.html'
        page = site/rel/'index.html' if (site/rel).is_dir() else site/rel
        if not page.exists(): bad.append(f"{link}: no such page"); continue
        if frag and page.suffix == '.html':
            known = ids.setdefault(page, set(re.findall(r'\bid="([^"]+)"', page.read_text(encoding='utf-8'))))
            if frag not in known: bad.append(f"{link}: no element with id {frag!r}")
    return bad

def check_site(site):
    "Every problem found on every page of `site`, as lines (empty when the site is sound); saves the screenshots."
    from playwright.sync_api import sync_playwright
    site = Path(site).resolve(); pages = sorted(p.relative_to(site).as_posix() for p in site.rglob('*.html')
                                               if '_sources' not in p.parts and '_static' not in p.parts)
    shots = site/'screenshots'; shots.mkdir(exist_ok=True)
    server, base = serve(site); problems, links = [], []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=['--no-sandbox', '--disable-gpu'])
            page = browser.new_page(viewport=dict(width=1280, height=800))
            seen = []
            page.on('console', lambda m: m.type == 'error' and seen.append(f"console error: {m.text}"))
            page.on('pageerror', lambda e: seen.append(f"page error: {e}"))
            page.on('response', lambda r: r.status >= 400 and seen.append(f"HTTP {r.status}: {r.url}"))
            # ERR_ABORTED is the browser dropping a request when the next page loads (the favicon), not a broken link
            page.on('requestfailed', lambda r: 'ERR_ABORTED' not in (r.failure or '')
                    and seen.append(f"request failed: {r.url} ({r.failure})"))
            for rel in pages:
                seen.clear()
                resp = page.goto(base + rel, wait_until='networkidle')
                if not resp or resp.status != 200: seen.append(f"HTTP {resp and resp.status}")
                seen += [f"image not loaded: {src}" for src in page.evaluate(IMAGES_LOADED)]
                links += page.evaluate(LINKS)
                if rel.startswith('chapters/'):
                    n = page.evaluate(CHAPTER_CONTENT)
                    appendix = re.fullmatch(r'\d\d[a-z]', Path(rel).stem.split('_')[0])   # 01a_…: details, not results
                    if not n['tables'] and not appendix: seen.append('no rendered table')
                    if not n['figures'] and not appendix: seen.append('no figure')
                    page.screenshot(path=str(shots/f"{Path(rel).stem}.png"))
                problems += [f"{rel}: {s}" for s in seen]
            browser.close()
    finally:
        server.shutdown()
    return problems + link_problems(links, base, site)

if __name__ == '__main__':
    site = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[1]/'_docs')
    problems = check_site(site)
    print('\n'.join(problems) or f"site ok: every page of {site} loads clean; screenshots in {site/'screenshots'}")
    sys.exit(1 if problems else 0)
