"""Chapter 08 on Ray: the `ray` backend against the local one, interrupted and resumed (the `scale` extra, which
`make venv` installs; chapter 08's own checks cover the local backend and the error without Ray)."""
import signal, subprocess, sys, time

import numpy as np

import mmtrend.data  # noqa: F401  (first: the pinned numerics)
import ray
from mmtrend.scale import embed_dataset, synthetic_crawl

RAY_RUN = """
import signal, sys, logging
signal.signal(signal.SIGINT, signal.default_int_handler)  # a background job (CI) starts us with Ctrl-C ignored
import mmtrend.data, ray
from mmtrend.data import load_posts
from mmtrend.scale import embed_dataset
logging.getLogger('ray').setLevel(logging.ERROR)
ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level='ERROR')
embed_dataset(load_posts(sys.argv[1], quiet=True), backend='ray', root=sys.argv[2], shard_size=5, num_workers=1,
              progress=False)
"""

def test_ray_backend_matches_local_and_resumes_after_an_interrupt(tmp_path):
    posts = synthetic_crawl(240, tmp_path/'crawl')
    local = embed_dataset(posts, root=tmp_path/'local', shard_size=5, progress=False)   # 48 shards
    root = tmp_path/'ray'; root.mkdir()
    log = open(tmp_path/'ray-run.log', 'w')          # a file, not a pipe: Ray's processes may outlive the driver
    run = subprocess.Popen([sys.executable, '-c', RAY_RUN, str(tmp_path/'crawl'), str(root)],
                           stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.time() + 300
    while not list(root.glob('*.parquet')) and run.poll() is None and time.time() < deadline: time.sleep(0.05)
    # Ctrl-C: the driver stops and Ray shuts its worker down. Shards already handed to the worker (a few) still finish,
    # so the run needs many more shards than that to be caught halfway: 48 shards, one worker.
    run.send_signal(signal.SIGINT)
    run.wait(timeout=120); log.close()
    done = {p.name: p.stat().st_mtime_ns for p in root.glob('*.parquet')}
    assert 0 < len(done) < len(local.keys), (len(done), (tmp_path/'ray-run.log').read_text()[-2000:])

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level='ERROR')
    try: resumed = embed_dataset(posts, backend='ray', root=root, shard_size=5, num_workers=2, progress=False)
    finally: ray.shutdown()
    assert resumed.keys == local.keys
    assert {p.name: p.stat().st_mtime_ns for p in resumed.paths if p.name in done} == done   # not redone
    np.testing.assert_array_equal(resumed.image(), local.image())    # one thread per engine, same batches: same bits
    np.testing.assert_array_equal(resumed.text(), local.text())
    assert resumed.table().equals(local.table())
    assert not np.isnan(resumed.image()).any() and resumed.n_posts == 240
