#!/usr/bin/python3
"""Trains the fleet's three small models on sotto-dataset's sets and exports them as ONNX.

  train.py train --data DIR --out DIR [--kind K ...] [--epochs N] [--seed S]
      reads DIR/<kind>_{train,heldout}_{x,y}.npy, writes OUT/<kind>.onnx (opset 13, input
      "x" with batch 1) and OUT/<kind>_float_pred.npy (the float model on the held-out set)
  train.py metrics --kind K --labels Y.npy --pred P.npy
      prints the held-out metrics of predictions P (float or int8 outputs) as one JSON line

Deterministic: fixed seeds, one thread, deterministic algorithms. Debian's python3-torch 1.13
and python3-onnx; run with /usr/bin/python3.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

KINDS = ("industrial", "agri", "wearable")


def f1(truth, predicted):
    tp = int(np.sum(truth & predicted))
    fp = int(np.sum(~truth & predicted))
    fn = int(np.sum(truth & ~predicted))
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0


def metrics(kind, y, pred):
    """Held-out metrics: accuracy and F1 per decision (macro F1 over bearing conditions)."""
    if kind == "industrial":
        truth, got = y[:, 0].astype(int), np.argmax(pred[:, :4], 1)
        macro = np.mean([f1(truth == c, got == c) for c in range(4)])
        score, severity = pred[:, 4], y[:, 1]
        return {"accuracy": float(np.mean(truth == got)), "macro_f1": float(macro),
                "score_mae": float(np.mean(np.abs(score - severity))),
                "score_correlation": float(np.corrcoef(score, severity)[0, 1])}
    names = {"agri": ("irrigation", "frost"), "wearable": ("heart_anomaly", "fall")}[kind]
    result = {}
    for i, name in enumerate(names):
        truth, got = y[:, i] > 0.5, pred[:, i] > 0.5
        result[name + "_accuracy"] = float(np.mean(truth == got))
        result[name + "_f1"] = float(f1(truth, got))
    return result


if sys.argv[1:2] != ["metrics"]:  # metrics need numpy only: skip loading torch
    import torch
    from torch import nn


def make_model(kind):
    """The untrained model for a site kind (defined here so metrics need no torch)."""

    class Industrial(nn.Module):
        """Vibration window [1, 256] -> 4 bearing-condition probabilities + an anomaly score."""

        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv1d(1, 8, 9, stride=2, padding=4), nn.BatchNorm1d(8), nn.ReLU(),
                nn.Conv1d(8, 16, 5, stride=2, padding=2), nn.BatchNorm1d(16), nn.ReLU(),
                nn.Conv1d(16, 16, 5, padding=2, groups=16), nn.ReLU(),  # depthwise
                nn.Conv1d(16, 16, 1), nn.ReLU(),
                nn.MaxPool1d(4), nn.Flatten(),
                nn.Linear(16 * 16, 32), nn.ReLU())
            self.condition = nn.Linear(32, 4)
            self.score = nn.Linear(32, 1)

        def forward(self, x):
            h = self.features(x)
            return torch.cat([torch.softmax(self.condition(h), 1), torch.sigmoid(self.score(h))], 1)


    class Agri(nn.Module):
        """24 h of soil moisture and temperature [48] -> irrigation need, frost risk."""

        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(48, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(),
                                     nn.Linear(16, 2))

        def forward(self, x):
            return torch.sigmoid(self.net(x))


    class Wearable(nn.Module):
        """Heart rate and acceleration [2, 64] -> heart-rate anomaly, fall."""

        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(
                nn.Conv1d(2, 8, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
                nn.Conv1d(8, 16, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
                nn.Flatten(), nn.Linear(16 * 16, 32), nn.ReLU(), nn.Linear(32, 2))

        def forward(self, x):
            return torch.sigmoid(self.net(x))

    return {"industrial": Industrial, "agri": Agri, "wearable": Wearable}[kind]()



def loss_of(kind, out, y):
    if kind == "industrial":
        probs, score = out[:, :4], out[:, 4]
        nll = nn.functional.nll_loss(torch.log(probs.clamp_min(1e-7)), y[:, 0].long())
        return nll + nn.functional.binary_cross_entropy(score, y[:, 1])
    return nn.functional.binary_cross_entropy(out, y)


def train(kind, data, out, epochs, seed):
    torch.manual_seed(seed)
    np.random.seed(seed)
    x = torch.from_numpy(np.load(f"{data}/{kind}_train_x.npy"))
    y = torch.from_numpy(np.load(f"{data}/{kind}_train_y.npy"))
    model = make_model(kind)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, epochs)
    # Batch order: 99 for the default seed, as the first models were trained.
    generator = torch.Generator().manual_seed((seed - 1234 + 99) % 2**32)
    started = time.monotonic()
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), 64):
            batch = order[start:start + 64]
            optimizer.zero_grad()
            loss = loss_of(kind, model(x[batch]), y[batch])
            loss.backward()
            optimizer.step()
        schedule.step()
    seconds = time.monotonic() - started
    model.eval()
    held_x = np.load(f"{data}/{kind}_heldout_x.npy")
    held_y = np.load(f"{data}/{kind}_heldout_y.npy")
    with torch.no_grad():
        pred = model(torch.from_numpy(held_x)).numpy()
    np.save(f"{out}/{kind}_float_pred.npy", pred.astype(np.float32))
    torch.onnx.export(model, torch.zeros((1,) + held_x.shape[1:]), f"{out}/{kind}.onnx",
                      opset_version=13, input_names=["x"], output_names=["y"])
    report = {"kind": kind, "seed": seed, "epochs": epochs, "train_seconds": round(seconds, 1), "train_samples": len(x),
              "heldout_samples": len(held_x), **metrics(kind, held_y, pred)}
    print(json.dumps(report), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train")
    t.add_argument("--data", required=True)
    t.add_argument("--out", required=True)
    t.add_argument("--kind", action="append", choices=KINDS)
    t.add_argument("--epochs", type=int, default=30)
    t.add_argument("--seed", type=int, default=1234,
                   help="initial weights and batch order (another seed: a retrained model)")
    m = sub.add_parser("metrics")
    m.add_argument("--kind", required=True, choices=KINDS)
    m.add_argument("--labels", required=True)
    m.add_argument("--pred", required=True)
    args = parser.parse_args()
    if args.command == "train":
        os.makedirs(args.out, exist_ok=True)
        torch.set_num_threads(1)
        torch.use_deterministic_algorithms(True)
        for kind in args.kind or KINDS:
            train(kind, args.data, args.out, args.epochs, args.seed)
    else:
        print(json.dumps({"kind": args.kind, **metrics(args.kind, np.load(args.labels),
                                                        np.load(args.pred))}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
