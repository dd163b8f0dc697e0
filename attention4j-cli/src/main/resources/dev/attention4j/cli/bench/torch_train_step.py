#!/usr/bin/env python3
"""PyTorch's side of `attention4j bench train`: one training step (forward + label-smoothed cross-entropy +
backward + Adam) of the same encoder-decoder model attention4j times, on the same shapes. Prints one JSON object.

Run with Debian's /usr/bin/python3 (python3-torch); install libopenblas0-openmp for OpenBLAS, otherwise torch uses the
reference BLAS and is several times slower.
"""
import argparse
import json
import math

import torch
from torch import nn

from rival_timing import blas_name, timed


class Seq2Seq(nn.Module):
    def __init__(self, vocab, d, heads, layers, ffn, dropout):
        super().__init__()
        self.src_tok_emb = nn.Embedding(vocab, d)
        self.tgt_tok_emb = nn.Embedding(vocab, d)
        self.transformer = nn.Transformer(d, heads, layers, layers, ffn, dropout, batch_first=True)
        self.generator = nn.Linear(d, vocab)
        self.generator.weight = self.tgt_tok_emb.weight  # tied, as attention4j's default
        pe = torch.zeros(512, d)
        pos = torch.arange(512, dtype=torch.float64).unsqueeze(1)
        div = torch.pow(10000.0, torch.arange(0, d, 2, dtype=torch.float64) / d)
        pe[:, 0::2] = torch.sin(pos / div).float()
        pe[:, 1::2] = torch.cos(pos / div).float()
        self.register_buffer("pe", pe)
        self.scale = math.sqrt(d)

    def forward(self, src, tgt):
        t = tgt.shape[1]
        mask = torch.triu(torch.full((t, t), float("-inf")), diagonal=1)
        x = self.src_tok_emb(src) * self.scale + self.pe[: src.shape[1]]
        y = self.tgt_tok_emb(tgt) * self.scale + self.pe[:t]
        return self.generator(self.transformer(x, y, tgt_mask=mask))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--vocab", type=int, default=10000)
    p.add_argument("--d", type=int, default=256)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--ffn", type=int, default=1024)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--len", type=int, default=32)
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--steps", type=int, default=10)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Seq2Seq(a.vocab, a.d, a.heads, a.layers, a.ffn, a.dropout).train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-4, betas=(0.9, 0.98), eps=1e-9)
    loss_fn = nn.CrossEntropyLoss(ignore_index=0, label_smoothing=0.1)
    src = torch.randint(4, a.vocab, (a.batch, a.len))
    tgt_in = torch.randint(4, a.vocab, (a.batch, a.len))
    tgt_out = torch.randint(4, a.vocab, (a.batch, a.len))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(src, tgt_in).reshape(-1, a.vocab), tgt_out.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    def forward_only():
        with torch.no_grad():
            model(src, tgt_in)

    step_ms = timed(step, a.warmup, min_seconds=0, min_calls=a.steps, max_calls=a.steps)
    forward_ms = timed(forward_only, a.warmup, min_seconds=0, min_calls=a.steps, max_calls=a.steps)
    print(json.dumps({"step_ms": step_ms, "forward_ms": forward_ms, "threads": torch.get_num_threads(),
                      "torch": torch.__version__, "blas": blas_name(),
                      "parameters": sum(q.numel() for q in model.parameters())}))


if __name__ == "__main__":
    main()
