"""Build the docs site into `_docs/` (or --out), offline, from the notebooks the last `make course` executed.

The site is the committed executed chapters (`results/executed/`), a landing page (the executed README notebook) and an
API reference of every exported name: its signature and docstring (Sphinx autodoc), its parameters' comments (fastcore
docments) and a link to the cell of the chapter that defines and explains it. Nothing is re-executed or typed here.

Usage:  python scripts/build_docs.py [--out _docs] [--root .]
"""
import argparse, ast, configparser, importlib, json, os, re, shutil, subprocess, sys, tarfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKER = re.compile(r'^# %% \.\./nbs/(?P<nb>[^ ]+)\.ipynb #(?P<cell>\w+)')
LINK = re.compile(r'(\]\()(?!https?://|#|mailto:)([^)\s]+)(\))')

def chapter_names(root):
    "The executed chapters, each appendix after its chapter, in reading order (index.ipynb is the landing page)."
    return sorted(p.stem for p in (root/'results'/'executed').glob('[0-9][0-9]*_*.ipynb'))

def pages(root):
    "{site page: notebook}: the executed chapters, then the course runner (chapter 90, which `make course` never runs)."
    found = {f'chapters/{c}': root/'results'/'executed'/f'{c}.ipynb' for c in chapter_names(root)}
    return found | {f'reference/{p.stem}': p for p in sorted((root/'nbs').glob('9[0-9]_*.ipynb'))}

def defining_cells(module, root):
    "{name: cell id} for every top-level definition of `module`'s exported file, from nbdev's `# %% nb #id` markers."
    src = (root/'mmtrend'/f'{module}.py').read_text(encoding='utf-8').splitlines()
    markers = [(i + 1, m['cell']) for i, l in enumerate(src) if (m := MARKER.match(l))]
    found = {}
    for node in ast.parse('\n'.join(src)).body:
        targets = getattr(node, 'targets', [getattr(node, 'target', None)])
        names = ([node.name] if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else
                 [n.id for t in targets if t is not None for n in ast.walk(t) if isinstance(n, ast.Name)])
        cell = [c for line, c in markers if line <= node.lineno]
        for n in names: found.setdefault(n, cell[-1] if cell else None)
    return found

MATHJAX = 'mathjax@3.2.2'

def local_mathjax(cache):
    "MathJax's `es5/` folder (script and fonts), fetched once from the npm registry: the site must render math offline."
    folder = Path(cache)/MATHJAX.replace('@', '-')
    if (folder/'tex-chtml.js').exists(): return folder
    if not shutil.which('npm'): raise SystemExit("the docs need MathJax from npm: `apt-get install npm` (once)")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tgz = subprocess.run(['npm', 'pack', MATHJAX, '--silent'], cwd=folder.parent, capture_output=True, text=True,
                         check=True).stdout.strip().splitlines()[-1]
    with tarfile.open(folder.parent/tgz) as tar:
        members = [m for m in tar.getmembers() if m.name == 'package/es5/tex-chtml.js'
                   or m.name.startswith('package/es5/output/chtml/fonts/woff-v2/')]
        for m in members: m.name = m.name.removeprefix('package/es5/')
        tar.extractall(folder, members=members, filter='data')
    (folder.parent/tgz).unlink()
    return folder

def label(module, name):
    "The site's reference target for an exported name (Sphinx lowercases labels: constants get their own suffix)."
    return f"api-{module}-{name}".lower().replace('_', '-') + ('-constant' if name.isupper() else '')

def site_link(target, root, site_url, in_chapter=False):
    "Where a relative link points in the site: a chapter, the glossary, a staged figure, or GitHub."
    if in_chapter:                                    # written from nbs/: a sibling chapter, else a path from the root
        if re.fullmatch(r'\d\d[a-z]?_\w+\.ipynb(#.*)?', target): return target
        if target.startswith('../docs/') and '.md' in target: return '../' + target.removeprefix('../docs/')
        target = os.path.normpath(f'nbs/{target}')
    path, _, frag = target.partition('#')
    if path.startswith('results/executed/') and path.endswith('.ipynb'): return 'chapters/' + path.split('/')[-1]
    if path.startswith(site_url): return path[len(site_url):].lstrip('/') or 'index.html'
    if path.startswith('results/') and path.endswith('.png'): return target
    if path.startswith('docs/') and path.endswith('.md'): return target.removeprefix('docs/')   # staged at the root
    return f"{_settings(root)['git_url']}/blob/main/{target}"

def _settings(root):
    cfg = configparser.ConfigParser(); cfg.read(root/'settings.ini'); return cfg['DEFAULT']

def rewrite_links(text, root, in_chapter=False):
    "Markdown `text` (of the landing page, or of a chapter page when `in_chapter`) with links pointed into the site."
    s = _settings(root); site_url = s['doc_host'] + s['doc_baseurl']
    for home in (f'({site_url}/)', f'({site_url})'): text = text.replace(home, '(index.html)')
    text = text.replace(f'({site_url}/', '(')
    return LINK.sub(lambda m: m[1] + site_link(m[2], root, site_url, in_chapter) + m[3], text)

def stage_landing(root, src, docs):
    "The executed README notebook as the landing page, with site links and the table of contents."
    nb = json.loads((root/'results'/'executed'/'index.ipynb').read_text(encoding='utf-8'))
    for c in nb['cells']:
        if c['cell_type'] == 'markdown': c['source'] = rewrite_links(''.join(c['source']), root)
        for o in c.get('outputs', []):
            if 'text/markdown' in o.get('data', {}):
                o['data']['text/markdown'] = rewrite_links(''.join(o['data']['text/markdown']), root)
    toc = lambda caption, names: f'```{{toctree}}\n:hidden:\n:caption: {caption}\n\n' + '\n'.join(names) + '\n```'
    chapters = [d for d in docs if d.startswith('chapters/')]
    reference = ['glossary', *[d for d in docs if d not in chapters], 'api']
    toc = toc('The course', chapters) + '\n\n' + toc('Reference', reference)
    nb['cells'].append(dict(cell_type='markdown', id='site-toc', metadata={}, source=toc))
    (src/'index.ipynb').write_text(json.dumps(nb, ensure_ascii=False), encoding='utf-8')
    (src/'results').mkdir(exist_ok=True)
    for png in (root/'results').glob('*.png'): shutil.copy2(png, src/'results'/png.name)

def stage_page(root, src, doc, source, targets):
    "The notebook `source` as page `doc`, with a reference target before each cell defining an exported name."
    nb = json.loads(Path(source).read_text(encoding='utf-8'))
    cells = []
    for c in nb['cells']:
        if c.get('id') in targets:
            cells.append(dict(cell_type='markdown', id=f"t-{c['id']}", metadata={},
                              source='\n'.join(f'({t})=' for t in targets[c['id']])))
        if c['cell_type'] == 'markdown': c['source'] = rewrite_links(''.join(c['source']), root, in_chapter=True)
        for o in c.get('outputs', []):                    # Markdown a cell displays links the same way
            if 'text/markdown' in o.get('data', {}):
                o['data']['text/markdown'] = rewrite_links(''.join(o['data']['text/markdown']), root, in_chapter=True)
        cells.append(c)
    nb['cells'] = cells
    (src/doc).parent.mkdir(parents=True, exist_ok=True)
    (src/f'{doc}.ipynb').write_text(json.dumps(nb, ensure_ascii=False), encoding='utf-8')

def first_heading(nb_path):
    for c in json.loads(Path(nb_path).read_text(encoding='utf-8'))['cells']:
        if c['cell_type'] == 'markdown' and (m := re.search(r'^# (.+)$', ''.join(c['source']), re.M)): return m[1]
    return Path(nb_path).stem

def api_entry(module, name, obj, chapter_title):
    "MyST for one exported name: autodoc's signature and docstring, its parameters' comments, where it is explained."
    from fastcore.docments import docments
    target = f"mmtrend.{module}.{name}"
    if isinstance(obj, type):   # its own public methods only (not the set_*_request helpers sklearn generates)
        own = [k for k, v in vars(obj).items() if not k.startswith('_') and callable(v)
               and getattr(v, '__qualname__', '').startswith(obj.__name__ + '.')]
        rst = f".. autoclass:: {target}" + (f"\n   :members: {', '.join(own)}" if own else '')
    elif callable(obj): rst = f".. autofunction:: {target}"
    else:   # a constant: its value when short (a str's docstring would say what str is)
        value = repr(obj)
        rst = f".. py:data:: {name}\n   :module: mmtrend.{module}"
        if len(value) <= 100: rst += f"\n   :value: {value}"
    lines = [f"```{{eval-rst}}\n{rst}\n```"]
    try: params = {k: v for k, v in docments(obj).items() if v and k != 'return'} if callable(obj) else {}
    except Exception: params = {}
    if params: lines.append('Parameters:\n\n' + '\n'.join(f"- `{k}`: {v}" for k, v in params.items()))
    lines.append(f"*Explained in* {{ref}}`{chapter_title} <{label(module, name)}>`")
    return '\n\n'.join(lines)

def stage_api(root, src, docs):
    "api.md (every exported name of every chapter module) and {page: {cell id: [targets]}} for the pages."
    sys.path.insert(0, str(root))
    parts, targets = ['# API reference\n\nEvery name the package exports, in chapter order: signature, docstring, '
                      'the comments on its parameters, and a link to the cell of the chapter that explains it.'], {}
    for doc, source in docs.items():
        nb = json.loads((root/'nbs'/Path(source).name).read_text(encoding='utf-8'))
        exp = next((m[1] for c in nb['cells'] if (m := re.search(r'#\| default_exp (\w+)', ''.join(c['source'])))),
                   None)
        if exp is None: continue
        mod, cells = importlib.import_module(f'mmtrend.{exp}'), defining_cells(exp, root)
        title = first_heading(source)
        parts.append(f"## {title}\n\n`mmtrend.{exp}`: {(mod.__doc__ or '').strip()}")
        for name in getattr(mod, '__all__', []):
            if cells.get(name) is None: continue
            targets.setdefault(doc, {}).setdefault(cells[name], []).append(label(exp, name))
            parts.append(api_entry(exp, name, getattr(mod, name), title))
    (src/'api.md').write_text('\n\n'.join(parts) + '\n', encoding='utf-8')
    return targets

def build(out=ROOT/'_docs', root=ROOT, quiet=True):
    "Stage the sources next to `out` and run Sphinx into `out`; returns the seconds it took."
    from sphinx.cmd.build import build_main
    t, out, root = time.time(), Path(out).resolve(), Path(root).resolve()
    docs = pages(root)
    if not chapter_names(root):
        raise SystemExit(f"no executed chapters in {root/'results'/'executed'}: run `make course` first")
    src = out.parent/f'{out.name}-src'
    shutil.rmtree(src, ignore_errors=True); src.mkdir(parents=True)
    shutil.copytree(root/'docs', src, dirs_exist_ok=True); shutil.copy2(root/'settings.ini', src/'settings.ini')
    shutil.copytree(local_mathjax(root/'.cache'/'docs'), src/'_static'/'mathjax')
    targets = stage_api(root, src, docs)
    for doc, source in docs.items(): stage_page(root, src, doc, source, targets.get(doc, {}))
    stage_landing(root, src, docs)
    html = src/'_build'/'html'            # myst-nb writes its image files beside the output folder: keep them in src
    rc = build_main(['-b', 'html', '-W', '--keep-going', '-c', str(src), *(['-q'] if quiet else []),
                     str(src), str(html)])
    if rc: raise SystemExit(f"sphinx-build failed (exit {rc}); its warnings are above")
    shutil.rmtree(out, ignore_errors=True); shutil.move(html, out)
    return round(time.time() - t, 1)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', default=ROOT/'_docs'); ap.add_argument('--root', default=ROOT)
    a = ap.parse_args()
    print(f"docs site built in {build(a.out, a.root)}s: {Path(a.out).resolve()/'index.html'}")
