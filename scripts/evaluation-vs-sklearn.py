"""sagedrop's local verdicts next to scikit-learn's figures on the very same split.

For Iris (examples/iris), wine and breast cancer (scikit-learn's bundled copies):
runs `sagedrop local` on x.csv and y.csv, reads the channels the merge wrote
(train/<dataset>/<run>/{train,test}/, label first), fits scikit-learn on the
same training rows and scores the same held-out rows:

- LogisticRegression after StandardScaler (linear learner normalises its
  features too), fitted on the train channel only;
- DummyClassifier(strategy="most_frequent"), the baseline sagedrop uses.

Prints one table row per data set and model. Optional tooling: nothing in
`npm test` needs it. Run from the repository root with a Python that has
scikit-learn and pandas (Debian: apt-get install python3-sklearn python3-pandas):

    /usr/bin/python3 scripts/evaluation-vs-sklearn.py [--json]
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write_sklearn(loader, folder):
    data = loader(as_frame=True)
    os.makedirs(folder, exist_ok=True)
    data.data.to_csv(os.path.join(folder, "x.csv"), index=False)
    data.target.to_frame("label").to_csv(os.path.join(folder, "y.csv"), index=False)
    return folder


def channel(bucket, dataset, run, name):
    files = sorted(glob.glob(os.path.join(bucket, "train", dataset, run, name, "*")))
    frames = [pd.read_csv(f, header=None) for f in files if os.path.getsize(f) > 0]
    rows = pd.concat(frames, ignore_index=True).to_numpy(dtype=float)
    return rows[:, 1:], rows[:, 0].astype(int)


def scores(y_true, y_pred, y_score=None):
    out = {
        "accuracy": accuracy_score(y_true, y_pred),
        "balanced_accuracy": balanced_accuracy_score(y_true, y_pred),
        "macro_f1": f1_score(y_true, y_pred, average="macro", zero_division=0),
    }
    if y_score is not None:
        out["roc_auc"] = roc_auc_score(y_true, y_score)
    return out


def compare(name, folder, work):
    state = os.path.join(work, "state")
    run = subprocess.run(
        [
            "node", os.path.join(ROOT, "bin", "sagedrop.cjs"), "local",
            "--x", os.path.join(folder, "x.csv"), "--y", os.path.join(folder, "y.csv"),
            "--dataset", name, "--dir", state, "--json",
        ],
        capture_output=True, text=True, check=True, cwd=work,
        env={**os.environ, "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED": "true"},
    )
    entry = json.loads(run.stdout)
    evaluation = entry["evaluation"]
    bucket = os.path.join(state, "bucket")
    x_train, y_train = channel(bucket, name, entry["run"], "train")
    x_test, y_test = channel(bucket, name, entry["run"], "test")
    assert len(y_test) == evaluation["testRows"], (len(y_test), evaluation["testRows"])
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=10000)).fit(x_train, y_train)
    dummy = DummyClassifier(strategy="most_frequent").fit(x_train, y_train)
    binary = len(set(y_train)) == 2
    pick = lambda m: {k: m[k] for k in ("accuracy", "balanced_accuracy", "macro_f1", "roc_auc") if k in m}
    return {
        "dataset": name,
        "rows": {"train": int(len(y_train)), "test": int(len(y_test))},
        "decision": evaluation["decision"],
        "sagedrop": pick(evaluation["metrics"]),
        "sagedrop_baseline": pick(evaluation["baseline"]["metrics"]),
        "sklearn_logistic_regression": scores(
            y_test, model.predict(x_test), model.predict_proba(x_test)[:, 1] if binary else None
        ),
        # A constant score ranks nothing: ROC AUC 0.5, as sagedrop's baseline reports.
        "sklearn_most_frequent": scores(
            y_test, dummy.predict(x_test), np.full(len(y_test), 0.5) if binary else None
        ),
    }


def main():
    with tempfile.TemporaryDirectory(prefix="sagedrop-vs-sklearn-") as work:
        sets = [
            ("iris", os.path.join(ROOT, "examples", "iris")),
            ("wine", write_sklearn(load_wine, os.path.join(work, "wine"))),
            ("breast-cancer", write_sklearn(load_breast_cancer, os.path.join(work, "breast-cancer"))),
        ]
        results = [compare(name, folder, work) for name, folder in sets]
    if "--json" in sys.argv:
        print(json.dumps(results, indent=2))
        return
    print("| data set | train / test rows | model | accuracy | balanced accuracy | macro F1 | ROC AUC | sagedrop's decision |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    labels = [
        ("sagedrop", "sagedrop local (linear learner)"),
        ("sklearn_logistic_regression", "scikit-learn LogisticRegression"),
        ("sagedrop_baseline", "sagedrop baseline (most frequent)"),
        ("sklearn_most_frequent", "scikit-learn DummyClassifier"),
    ]
    for r in results:
        for key, label in labels:
            m = r[key]
            decision = r["decision"] if key == "sagedrop" else ""
            print(
                f"| {r['dataset']} | {r['rows']['train']} / {r['rows']['test']} | {label} | "
                f"{m['accuracy']:.4f} | {m['balanced_accuracy']:.4f} | {m['macro_f1']:.4f} | "
                f"{format(m['roc_auc'], '.4f') if 'roc_auc' in m else ''} | {decision} |"
            )


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
