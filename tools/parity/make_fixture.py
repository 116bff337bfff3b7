#!/usr/bin/env python3
"""Writes the parity fixtures of tests/model/parity_test.cpp (data/parity/<config>/).

An independent PyTorch implementation of one HRM training run, written for this project from the reference
(sapientinc/HRM: models/hrm/hrm_act_v1.py, models/layers.py, models/losses.py, models/sparse_embedding.py,
pretrain.py's train_batch and its AdamATan2 from the adam-atan2 package). It builds a small model, runs
5 ACT/optimizer steps on fixed batches and records what the C++ side must reproduce from the same weights.

Run with the system Python (Debian's python3-torch), from the repository root:
  /usr/bin/python3 tools/parity/make_fixture.py            # both configs
  /usr/bin/python3 tools/parity/make_fixture.py --config causal

Each data/parity/<config>/ holds
  model.yaml         the hrm ModelConfig (read by hrm::ModelConfig::from_file)
  run.json           optimizer and schedule settings, and per step: lr, losses, metrics, halted, steps
  tensors.safetensors
    weights.<name>       initial weights, named as hrm's HRMInner (embed, H.layers.0.qkv.weight, ...)
    final.<name>         weights after the last step
    batch.<k>.inputs|labels|puzzle_ids                     the batch offered at step k (1-based)
    step.<k>.logits|q_halt|q_continue|target_q_continue    the step's outputs
    step.<k>.z_H|z_L                                       the carry after step k
    step.<k>.grad.<name>  every parameter's gradient of step k (k in GRAD_STEPS), dense

Where hrm deliberately differs from the reference (docs/model.md), this script follows hrm's documented
choice: the causal config (the reference is bidirectional only) reads the Q head at the last position.
Exploration is off (its random draws cannot be shared); the Q head gets non-zero weights, so that Q values
depend on the state; and the script checks that no halting decision or exact-match decision lies within
rounding of its threshold, so both sides must take the same branches.
"""
import argparse
import json
import math
import os

import torch
import torch.nn.functional as F
from torch import nn

IGNORE = -100
STEPS = 5
GRAD_STEPS = (1, 5)
CONFIGS = {
    # The puzzle setting: bidirectional, task embedding of 24 dims (2 positions of hidden 16, padded), stablemax.
    "puzzle": dict(causal=False, puzzle_emb_ndim=24, num_puzzle_identifiers=5, loss="stablemax", seed=11),
    # The text setting: causal attention, no task embedding, softmax cross-entropy, labels on a "response".
    "causal": dict(causal=True, puzzle_emb_ndim=0, num_puzzle_identifiers=1, loss="softmax", seed=5),
}
ARCH = dict(vocab_size=10, seq_len=8, hidden_size=16, num_heads=2, expansion=4.0, H_layers=1, L_layers=1, H_cycles=2,
            L_cycles=2, rope_theta=10000.0, rms_norm_eps=1e-5, halt_max_steps=3, halt_exploration_prob=0.0)
OPTIM = dict(lr=1e-2, weight_decay=0.1, beta1=0.9, beta2=0.95, puzzle_emb_lr=1e-1, puzzle_emb_weight_decay=0.1,
             warmup_steps=2, total_steps=STEPS, lr_min_ratio=0.1)
BATCH = 4


def trunc_normal_(t, std):
    """The reference's trunc_normal_init_ (JAX-style: std is the std of the truncated distribution)."""
    with torch.no_grad():
        if std == 0:
            return t.zero_()
        lo, hi = -2.0, 2.0
        a, b = math.erf(lo / math.sqrt(2)), math.erf(hi / math.sqrt(2))
        z = (b - a) / 2
        c = (2 * math.pi) ** -0.5
        pdf_u, pdf_l = c * math.exp(-0.5 * lo**2), c * math.exp(-0.5 * hi**2)
        comp_std = std / math.sqrt(1 - (hi * pdf_u - lo * pdf_l) / z - ((pdf_u - pdf_l) / z) ** 2)
        t.uniform_(a, b).erfinv_().mul_(math.sqrt(2) * comp_std).clip_(lo * comp_std, hi * comp_std)
    return t


class CastedLinear(nn.Module):
    def __init__(self, fin, fout, bias):
        super().__init__()
        self.weight = nn.Parameter(trunc_normal_(torch.empty(fout, fin), 1.0 / math.sqrt(fin)))
        self.bias = nn.Parameter(torch.zeros(fout)) if bias else None

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)


def rms_norm(x, eps):
    return x * torch.rsqrt(x.square().mean(-1, keepdim=True) + eps)


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class Block(nn.Module):
    """Post-norm block: attention (fused qkv, RoPE) and SwiGLU, as HierarchicalReasoningModel_ACTV1Block."""

    def __init__(self, a, causal):
        super().__init__()
        h = a["hidden_size"]
        self.heads, self.head_dim, self.causal, self.eps = a["num_heads"], h // a["num_heads"], causal, a["rms_norm_eps"]
        inter = -(round(a["expansion"] * h * 2 / 3) // -256) * 256
        self.qkv = CastedLinear(h, 3 * h, False)
        self.o = CastedLinear(h, h, False)
        self.gate_up = CastedLinear(h, 2 * inter, False)
        self.down = CastedLinear(inter, h, False)

    def attention(self, x, cos, sin):
        b, s, _ = x.shape
        qkv = self.qkv(x).view(b, s, 3 * self.heads, self.head_dim)
        q, k, v = qkv[:, :, :self.heads], qkv[:, :, self.heads:2 * self.heads], qkv[:, :, 2 * self.heads:]
        q = q * cos.unsqueeze(-2) + rotate_half(q) * sin.unsqueeze(-2)
        k = k * cos.unsqueeze(-2) + rotate_half(k) * sin.unsqueeze(-2)
        q, k, v = (t.transpose(1, 2) for t in (q, k, v))  # [b, heads, s, d]
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_dim)
        if self.causal:
            scores = scores.masked_fill(torch.ones(s, s, dtype=torch.bool).triu(1), float("-inf"))
        out = scores.softmax(-1) @ v
        return self.o(out.transpose(1, 2).reshape(b, s, -1))

    def forward(self, x, cos, sin):
        x = rms_norm(x + self.attention(x, cos, sin), self.eps)
        gate, up = self.gate_up(x).chunk(2, dim=-1)
        return rms_norm(x + self.down(F.silu(gate) * up), self.eps)


class ReasoningModule(nn.Module):
    def __init__(self, a, n, causal):
        super().__init__()
        self.layers = nn.ModuleList([Block(a, causal) for _ in range(n)])

    def forward(self, z, injection, cos, sin):
        z = z + injection
        for layer in self.layers:
            z = layer(z, cos, sin)
        return z


class SparseEmbedding(nn.Module):
    """CastedSparseEmbedding: the table is a buffer; in training the batch's rows are copied into a leaf
    (local_weights) whose gradient SignSGD applies to the rows named by local_ids."""

    def __init__(self, num, dim):
        super().__init__()
        self.register_buffer("weights", torch.zeros(num, dim))
        self.local_weights, self.local_ids = None, None

    def forward(self, ids):
        if not self.training or not torch.is_grad_enabled():  # evaluation, or the no-grad target-Q forward
            return self.weights[ids]
        self.local_weights = self.weights[ids].clone().requires_grad_(True)
        self.local_ids = ids.clone()
        return self.local_weights


class Inner(nn.Module):
    """HierarchicalReasoningModel_ACTV1_Inner (fp32)."""

    def __init__(self, a, causal, puzzle_emb_ndim, num_puzzle_identifiers):
        super().__init__()
        h = a["hidden_size"]
        self.a, self.causal, self.scale = a, causal, math.sqrt(h)
        self.embed = nn.Parameter(trunc_normal_(torch.empty(a["vocab_size"], h), 1.0 / self.scale))
        self.lm_head = CastedLinear(h, a["vocab_size"], False)
        self.q_head = CastedLinear(h, 2, True)
        self.puzzle_emb_ndim = puzzle_emb_ndim
        self.puzzle_emb_len = -(puzzle_emb_ndim // -h)
        if puzzle_emb_ndim > 0:
            self.puzzle_emb = SparseEmbedding(num_puzzle_identifiers, puzzle_emb_ndim)
        self.H = ReasoningModule(a, a["H_layers"], causal)
        self.L = ReasoningModule(a, a["L_layers"], causal)
        self.register_buffer("H_init", trunc_normal_(torch.empty(h), 1.0))
        self.register_buffer("L_init", trunc_normal_(torch.empty(h), 1.0))
        hd = h // a["num_heads"]
        inv_freq = 1.0 / (a["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
        freqs = torch.outer(torch.arange(a["seq_len"] + self.puzzle_emb_len, dtype=torch.float32), inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        self.cos, self.sin = emb.cos(), emb.sin()

    def input_embeddings(self, inputs, puzzle_ids):
        emb = F.embedding(inputs, self.embed)
        if self.puzzle_emb_ndim > 0:
            pe = self.puzzle_emb(puzzle_ids)
            pad = self.puzzle_emb_len * self.a["hidden_size"] - pe.shape[-1]
            if pad > 0:
                pe = F.pad(pe, (0, pad))
            emb = torch.cat((pe.view(-1, self.puzzle_emb_len, self.a["hidden_size"]), emb), dim=-2)
        return self.scale * emb

    def reset_carry(self, reset, z_H, z_L):
        flag = reset.view(-1, 1, 1)
        return torch.where(flag, self.H_init, z_H), torch.where(flag, self.L_init, z_L)

    def forward(self, z_H, z_L, batch):
        a, cos, sin = self.a, self.cos, self.sin
        x = self.input_embeddings(batch["inputs"], batch["puzzle_ids"])
        with torch.no_grad():
            for h in range(a["H_cycles"]):
                for l in range(a["L_cycles"]):
                    if not (h == a["H_cycles"] - 1 and l == a["L_cycles"] - 1):
                        z_L = self.L(z_L, z_H + x, cos, sin)
                if h != a["H_cycles"] - 1:
                    z_H = self.H(z_H, z_L, cos, sin)
        z_L = self.L(z_L, z_H + x, cos, sin)  # the 1-step gradient
        z_H = self.H(z_H, z_L, cos, sin)
        logits = self.lm_head(z_H)[:, self.puzzle_emb_len:]
        q = self.q_head(z_H[:, -1 if self.causal else 0])  # hrm: the causal Q head reads the last position
        return z_H.detach(), z_L.detach(), logits, q[..., 0], q[..., 1]


class ACT(nn.Module):
    """HierarchicalReasoningModel_ACTV1: the carry across segments, halting, the bootstrapped target Q."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def initial_carry(self, batch):
        b, s = batch["inputs"].shape[0], batch["inputs"].shape[1] + self.inner.puzzle_emb_len
        z = torch.zeros(b, s, self.inner.a["hidden_size"])
        return dict(z_H=z, z_L=z.clone(), steps=torch.zeros(b, dtype=torch.int32),
                    halted=torch.ones(b, dtype=torch.bool), data={k: torch.zeros_like(v) for k, v in batch.items()})

    def forward(self, carry, batch):
        a = self.inner.a
        z_H, z_L = self.inner.reset_carry(carry["halted"], carry["z_H"], carry["z_L"])
        steps = torch.where(carry["halted"], 0, carry["steps"])
        data = {k: torch.where(carry["halted"].view((-1,) + (1,) * (batch[k].ndim - 1)), batch[k], v)
                for k, v in carry["data"].items()}
        z_H, z_L, logits, q_halt, q_continue = self.inner(z_H, z_L, data)
        out = dict(logits=logits, q_halt=q_halt, q_continue=q_continue)
        with torch.no_grad():
            steps = steps + 1
            is_last = steps >= a["halt_max_steps"]
            halted = is_last | (q_halt > q_continue)  # training with ACT; exploration is off (probability 0)
            next_q_halt, next_q_continue = self.inner(z_H, z_L, data)[3:]
            out["target_q_continue"] = torch.sigmoid(
                torch.where(is_last, next_q_halt, torch.maximum(next_q_halt, next_q_continue)))
            out["decision_margin"] = (q_halt - q_continue).abs()
        return dict(z_H=z_H, z_L=z_L, steps=steps, halted=halted, data=data), out


def log_stablemax(x):
    s = torch.where(x < 0, 1 / (1 - x + 1e-30), x + 1)
    return torch.log(s / s.sum(-1, keepdim=True))


def cross_entropy(kind, logits, labels):
    valid = labels != IGNORE
    if kind == "stablemax":
        logp = log_stablemax(logits.to(torch.float64))
        picked = logp.gather(-1, torch.where(valid, labels, 0).unsqueeze(-1)).squeeze(-1)
        return -torch.where(valid, picked, torch.zeros_like(picked))
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=IGNORE,
                           reduction="none").view(labels.shape)


def act_loss(kind, carry, out):
    """ACTLossHead.forward: per-sequence normalised LM loss, Q-halt and Q-continue BCE (sums)."""
    labels = carry["data"]["labels"]
    with torch.no_grad():
        mask = labels != IGNORE
        counts = mask.sum(-1)
        divisor = counts.clamp_min(1).unsqueeze(-1)
        correct = mask & (out["logits"].argmax(-1) == labels)
        seq_correct = correct.sum(-1) == counts
        valid = carry["halted"] & (counts > 0)
        top2 = out["logits"].topk(2, dim=-1).values
        # A row whose exact match hinges on one token: that token's argmax must not be a rounding call.
        wrong = (mask & ~correct).sum(-1)
        gap = torch.where(mask, top2[..., 0] - top2[..., 1], torch.full_like(top2[..., 0], float("inf")))
        risky = torch.where(wrong <= 1, gap.min(-1).values, torch.full_like(gap[:, 0], float("inf")))
    lm = (cross_entropy(kind, out["logits"], labels) / divisor).sum()
    q_halt = F.binary_cross_entropy_with_logits(out["q_halt"], seq_correct.float(), reduction="sum")
    q_continue = F.binary_cross_entropy_with_logits(out["q_continue"], out["target_q_continue"], reduction="sum")
    metrics = dict(lm_loss=lm.item(), q_halt_loss=q_halt.item(), q_continue_loss=q_continue.item(),
                   count=int(valid.sum()), exact_accuracy=int((valid & seq_correct).sum()),
                   exact_margin=float(risky.min()))
    return lm + 0.5 * (q_halt + q_continue), metrics


class AdamATan2(torch.optim.Optimizer):
    """The adam-atan2 package's update: decoupled weight decay, no epsilon,
    p <- p (1 - lr wd) - (lr / bc1) atan2(m, sqrt(v) / sqrt(bc2))."""

    def __init__(self, params, lr, betas, weight_decay):
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if not st:
                    st.update(step=0, m=torch.zeros_like(p), v=torch.zeros_like(p))
                st["step"] += 1
                bc1, bc2 = 1 - beta1 ** st["step"], 1 - beta2 ** st["step"]
                p.mul_(1 - group["lr"] * group["weight_decay"])
                st["m"].lerp_(p.grad, 1 - beta1)
                st["v"].mul_(beta2).addcmul_(p.grad, p.grad, value=1 - beta2)
                p.add_(torch.atan2(st["m"], st["v"].sqrt() / math.sqrt(bc2)), alpha=-group["lr"] / bc1)


def sparse_sign_sgd(emb, lr, weight_decay):
    """_sparse_emb_signsgd_dist on one rank: sum the rows' gradients per id, then sign step with decay."""
    ids, inverse = emb.local_ids.unique(return_inverse=True)
    grad = torch.zeros(ids.shape[0], emb.weights.shape[1]).index_add_(0, inverse, emb.local_weights.grad)
    rows = emb.weights[ids] * (1 - lr * weight_decay) - lr * grad.sign()
    emb.weights[ids] = rows


def scheduled_lr(step, base):
    """cosine_schedule_with_warmup_lr_lambda at train_state.step (incremented before the lr is computed)."""
    o = OPTIM
    if step < o["warmup_steps"]:
        return base * step / max(1, o["warmup_steps"])
    progress = (step - o["warmup_steps"]) / max(1, o["total_steps"] - o["warmup_steps"])
    return base * (o["lr_min_ratio"] + max(0.0, (1 - o["lr_min_ratio"]) * 0.5 * (1 + math.cos(math.pi * progress))))


def hrm_tensors(model):
    """The model's weights under hrm's names (the task embedding table is hrm's parameter `puzzle_emb`)."""
    out = {k: v.detach().clone() for k, v in model.inner.named_parameters()}
    out.update(H_init=model.inner.H_init.clone(), L_init=model.inner.L_init.clone())
    if model.inner.puzzle_emb_ndim > 0:
        out["puzzle_emb"] = model.inner.puzzle_emb.weights.clone()
    return out


def make_batches(cfg, gen):
    a, batches = ARCH, []
    for _ in range(STEPS):
        inputs = torch.randint(0, a["vocab_size"], (BATCH, a["seq_len"]), generator=gen)
        if cfg["causal"]:
            # Next-token labels on the second half (the "response"); row 3 has no labels at all.
            labels = torch.cat((inputs[:, 1:], torch.randint(0, a["vocab_size"], (BATCH, 1), generator=gen)), 1)
            labels[:, : a["seq_len"] // 2] = IGNORE
        else:
            labels = torch.randint(0, a["vocab_size"], (BATCH, a["seq_len"]), generator=gen)
            labels[2, 1:] = IGNORE  # one labelled token: an exact match is likely now and then
        labels[3] = IGNORE
        ids = torch.randint(0, cfg["num_puzzle_identifiers"], (BATCH,), generator=gen)
        batches.append(dict(inputs=inputs, labels=labels, puzzle_ids=ids))
    return batches


def run(name):
    cfg = CONFIGS[name]
    torch.manual_seed(cfg["seed"])
    inner = Inner(ARCH, cfg["causal"], cfg["puzzle_emb_ndim"], cfg["num_puzzle_identifiers"])
    with torch.no_grad():
        # Q head with weights: Q values then depend on the state (the published zero init prints -5 always).
        trunc_normal_(inner.q_head.weight, 1.0)
        inner.q_head.bias.copy_(torch.tensor([0.2, -0.1]))
        if cfg["puzzle_emb_ndim"] > 0:
            trunc_normal_(inner.puzzle_emb.weights, 0.5)  # rows differ, so their gradients matter
    model = ACT(inner).train()
    weights = hrm_tensors(model)
    batches = make_batches(cfg, torch.Generator().manual_seed(cfg["seed"] + 100))
    adam = AdamATan2(model.parameters(), lr=0, betas=(OPTIM["beta1"], OPTIM["beta2"]),
                     weight_decay=OPTIM["weight_decay"])
    tensors = {f"weights.{k}": v for k, v in weights.items()}
    steps_log, carry = [], model.initial_carry(batches[0])
    for k, batch in enumerate(batches, start=1):
        carry, out = model(carry, batch)
        loss, metrics = act_loss(cfg["loss"], carry, out)
        (loss / BATCH).backward()
        assert float(out["decision_margin"].min()) > 1e-3, f"{name} step {k}: a halting decision is too close to call"
        assert metrics.pop("exact_margin") > 1e-3, f"{name} step {k}: an exact-match decision is too close to call"
        if k in GRAD_STEPS:
            for pname, p in model.inner.named_parameters():
                tensors[f"step.{k}.grad.{pname}"] = p.grad.clone()
            if cfg["puzzle_emb_ndim"] > 0:
                emb = model.inner.puzzle_emb
                dense = torch.zeros_like(emb.weights).index_add_(0, emb.local_ids, emb.local_weights.grad)
                tensors[f"step.{k}.grad.puzzle_emb"] = dense
        lr = scheduled_lr(k, OPTIM["lr"])
        if cfg["puzzle_emb_ndim"] > 0:
            sparse_sign_sgd(model.inner.puzzle_emb, scheduled_lr(k, OPTIM["puzzle_emb_lr"]),
                            OPTIM["puzzle_emb_weight_decay"])
        for group in adam.param_groups:
            group["lr"] = lr
        adam.step()
        adam.zero_grad(set_to_none=True)
        for key, value in batch.items():
            tensors[f"batch.{k}.{key}"] = value
        for key in ("logits", "q_halt", "q_continue", "target_q_continue"):
            tensors[f"step.{k}.{key}"] = out[key].detach().float()
        tensors[f"step.{k}.z_H"], tensors[f"step.{k}.z_L"] = carry["z_H"], carry["z_L"]
        steps_log.append(dict(lr=lr, loss=loss.item(), halted=carry["halted"].tolist(),
                              steps=carry["steps"].tolist(), **metrics))
    tensors.update({f"final.{k}": v for k, v in hrm_tensors(model).items()})
    return cfg, tensors, steps_log


def save_safetensors(path, tensors):
    names = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.int32: "I32"}
    header, blobs, offset = {}, [], 0
    for key in sorted(tensors):
        t = tensors[key].detach().contiguous()
        data = t.numpy().tobytes()
        header[key] = dict(dtype=names[t.dtype], shape=list(t.shape), data_offsets=[offset, offset + len(data)])
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(len(raw).to_bytes(8, "little") + raw + b"".join(blobs))


def model_yaml(cfg):
    keys = dict(ARCH, attention="causal" if cfg["causal"] else "bidirectional", puzzle_emb_ndim=cfg["puzzle_emb_ndim"],
                num_puzzle_identifiers=cfg["num_puzzle_identifiers"], loss=cfg["loss"], forward_dtype="float32")
    return "# Written by tools/parity/make_fixture.py\n" + "".join(f"{k}: {v}\n" for k, v in keys.items())


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--config", choices=sorted(CONFIGS), action="append")
    p.add_argument("--out", default="data/parity")
    args = p.parse_args()
    torch.set_num_threads(1)
    for name in args.config or sorted(CONFIGS):
        cfg, tensors, steps_log = run(name)
        out = os.path.join(args.out, name)
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "model.yaml"), "w") as f:
            f.write(model_yaml(cfg))
        with open(os.path.join(out, "run.json"), "w") as f:
            json.dump(dict(generated_by=f"tools/parity/make_fixture.py --config {name}", torch=torch.__version__,
                           global_batch_size=BATCH, grad_steps=list(GRAD_STEPS), optimizer=OPTIM, steps=steps_log),
                      f, indent=1)
        save_safetensors(os.path.join(out, "tensors.safetensors"), tensors)
        print(name, [round(s["loss"], 4) for s in steps_log], "halted", [s["halted"] for s in steps_log])


if __name__ == "__main__":
    main()
