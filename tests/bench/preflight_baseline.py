"""The preflight's work the plain Python way, for tests/bench/run.sh.

  preflight_baseline.py make DIR N   DIR/data.json with N items, each naming
                                     its own small JPEG-looking file under
                                     DIR/images/ (1,000 per folder)
  preflight_baseline.py check DATA.json IMAGE_FOLDER
                                     json.load the file, then for every
                                     distinct image: os.path.join, a regular
                                     file of non-zero size, the first bytes
                                     one of the formats' magic; prints the
                                     items, the images and the bad ones
"""
import json
import os
import sys

MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM")


def make(d, n):
    items = []
    for i in range(n):
        rel = "set%03d/%08d.jpg" % (i // 1000, i)
        p = os.path.join(d, "images", rel)
        if i % 1000 == 0:
            os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64))
        items.append({"id": "bench_%d" % i, "image": rel, "conversations": [
            {"from": "human", "value": "<image>\nWhat is shown?"},
            {"from": "gpt", "value": "Item %d." % i}]})
    with open(os.path.join(d, "data.json"), "w") as f:
        json.dump(items, f)


def usable(path):
    try:
        st = os.stat(path)
    except OSError:
        return False
    if not os.path.isfile(path) or st.st_size == 0:
        return False
    with open(path, "rb") as f:
        head = f.read(12)
    return head.startswith(MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


def check(data, folder):
    items = json.load(open(data))
    images = sorted({it["image"] for it in items if "image" in it})
    bad = [p for p in images if not usable(os.path.join(folder, p))]
    print(len(items), len(images), len(bad))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], int(sys.argv[3]))
    else:
        check(sys.argv[2], sys.argv[3])
