"""Make data/person/: two photos of a real, full-length person for the person segmenter (chapter 01).

usage: .venv/bin/python scripts/make_person_photos.py PATH/TO/demo.mp4 [--out data/person]

The source is the demo video of Sports2D (BSD-3-Clause, Copyright (c) 2022, perfanalytics), shipped inside its
PyPI wheel as `Sports2D/Demo/demo.mp4`. Get it with:

    pip download --no-deps sports2d==0.8.34 -d /tmp/s2d && unzip -o /tmp/s2d/sports2d-0.8.34-py3-none-any.whl 'Sports2D/Demo/demo.mp4' -d /tmp/s2d

then run this script on /tmp/s2d/Sports2D/Demo/demo.mp4. The video's sha256 is checked first, so the photos can only
be made from that exact file. Frame 100 (counting from 0, decoded in order from the start) shows a woman walking
across a lawn, head to sandals in view. It writes:

- walker_portrait.jpg: the crop PORTRAIT_BOX (left, top, right, bottom) of the frame around her, 310 x 510, quality 90;
- walker_landscape.jpg: the whole 1768 x 994 frame resized (area averaging) to 1280 x 720, quality 85.

Deterministic: the same video gives the same pixels (H.264 decoding is exact) and, with the same Pillow/libjpeg, the
same bytes.
"""
import argparse, hashlib
from pathlib import Path
import numpy as np
from PIL import Image
# (width, height) of the video, and the portrait's (left, top, right, bottom) in frame pixels: 310 x 510, head to feet;
# chapter 01 owns both, since its walker checks map boxes between the portrait and the frame
from mmtrend.segment import WALKER_FRAME_WH as FRAME_SIZE, WALKER_CROP_BOX as PORTRAIT_BOX

VIDEO_SHA256 = 'd9a66417185647b112304b57093f0c180f37a768e6a14daca75ca541f3b78039'
FRAME = 100
LANDSCAPE_WIDTH = 1280

def sha256(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''): h.update(chunk)
    return h.hexdigest()

def read_frame(path, n):
    "Frame `n` (0-based) of the video as an RGB uint8 array, decoded in order from the first frame (no seeking)."
    import cv2
    cap = cv2.VideoCapture(str(path))
    try:
        for i in range(n + 1):
            ok, bgr = cap.read()
            if not ok: raise SystemExit(f"{path}: could not decode frame {i}")
    finally: cap.release()
    return np.ascontiguousarray(bgr[..., ::-1])

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('video', help='path of Sports2D/Demo/demo.mp4 from the sports2d 0.8.34 wheel')
    ap.add_argument('--out', default=str(Path(__file__).resolve().parent.parent/'data'/'person'))
    a = ap.parse_args()
    got = sha256(a.video)
    if got != VIDEO_SHA256: raise SystemExit(f"{a.video}: sha256 {got}, expected {VIDEO_SHA256} (sports2d 0.8.34's demo.mp4)")
    frame = Image.fromarray(read_frame(a.video, FRAME))
    if frame.size != FRAME_SIZE: raise SystemExit(f"frame is {frame.size}, expected {FRAME_SIZE}")
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    frame.crop(PORTRAIT_BOX).save(out/'walker_portrait.jpg', quality=90)
    h = round(FRAME_SIZE[1] * LANDSCAPE_WIDTH / FRAME_SIZE[0])
    frame.resize((LANDSCAPE_WIDTH, h), Image.BOX).save(out/'walker_landscape.jpg', quality=85)
    for f in ('walker_portrait.jpg', 'walker_landscape.jpg'):
        with Image.open(out/f) as im: print(f"{out/f}: {im.width}x{im.height}, {(out/f).stat().st_size / 1024:.0f} KB, sha256 {sha256(out/f)}")

if __name__ == '__main__':
    main()
