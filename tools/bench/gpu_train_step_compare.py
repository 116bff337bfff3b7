#!/usr/bin/env python3
"""One HRM ACT training segment on CUDA: hrm (C++, hrm-bench-train-step) against the PyTorch-eager
baseline (hrm_torch.py), same config, side by side: ms/segment, segments/s, sequences/s, tokens/s, MFU.

Model FLOPs of one segment (matmuls only, 2 FLOPs per multiply-add; norms, activations, softmax and the
optimizer are not counted), for batch B, sequence S, hidden h, SwiGLU inner I, vocabulary V:
  per token and block   F = 2h(4h + 3I) + 4Sh        (qkv 3h^2, o h^2, gate_up 2hI, down hI; QK^T and AV)
  block calls of one inner forward   N = H_cycles * L_cycles * L_layers + H_cycles * H_layers
  segment = inner forward (N blocks + lm_head 2hV) + the target-Q forward from the new carry (N blocks; its
            logits are not needed) + backward of the gradient-carrying last L and H calls and the lm_head
            (twice their forward: activation and weight gradients)
  FLOPs/segment = B S [(2N + 2(L_layers + H_layers)) F + 6hV]
MFU = FLOPs/segment * segments/s / peak; peak defaults to 989.4e12 (H100/H200 SXM dense bf16, datasheet).

  gpu_train_step_compare.py --bench build/bin/hrm-bench-train-step --baseline hrm_torch.py [--out x.json]
"""
import argparse, json, math, os, subprocess, sys


def model_flops(a):
    inner = -(round(a.expansion * a.hidden * 2 / 3) // -256) * 256
    per_block = 2 * a.hidden * (4 * a.hidden + 3 * inner) + 4 * a.seq_len * a.hidden
    n_fwd = a.h_cycles * a.l_cycles * a.l_layers + a.h_cycles * a.h_layers
    blocks = 2 * n_fwd + 2 * (a.l_layers + a.h_layers)
    return a.batch * a.seq_len * (blocks * per_block + 6 * a.hidden * a.vocab), inner


def run(label, cmd, env, timeout):
    print(f"[{label}] {' '.join(cmd)}", flush=True)
    try:
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout}s"}
    except OSError as e:
        return {"error": str(e)}
    lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
    if p.returncode != 0 or not lines:
        return {"error": f"exit {p.returncode}", "stderr_tail": p.stderr[-3000:], "stdout_tail": p.stdout[-1000:]}
    return json.loads(lines[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", required=True, help="hrm-bench-train-step binary")
    ap.add_argument("--baseline", required=True, help="hrm_torch.py")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--dtype", default="bfloat16")
    ap.add_argument("--batch", type=int, default=768)
    ap.add_argument("--seq-len", type=int, default=81)
    ap.add_argument("--hidden", type=int, default=512)
    ap.add_argument("--heads", type=int, default=8)
    ap.add_argument("--expansion", type=float, default=4.0)
    ap.add_argument("--h-layers", type=int, default=4)
    ap.add_argument("--l-layers", type=int, default=4)
    ap.add_argument("--h-cycles", type=int, default=2)
    ap.add_argument("--l-cycles", type=int, default=2)
    ap.add_argument("--vocab", type=int, default=11, help="11 = Sudoku")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--timeout", type=int, default=180, help="seconds per implementation")
    ap.add_argument("--peak-tflops", type=float, default=float(os.environ.get("HRM_PEAK_TFLOPS", 989.4)))
    ap.add_argument("--cpp-ld-library-path", default=os.environ.get("HRM_DEPS_LD_LIBRARY_PATH", ""),
                    help="prepended to LD_LIBRARY_PATH for the C++ binary only")
    ap.add_argument("--out", default="")
    a = ap.parse_args()

    shared = ["--device", a.device, "--dtype", a.dtype, "--batch", str(a.batch), "--seq-len", str(a.seq_len),
              "--hidden", str(a.hidden), "--heads", str(a.heads), "--expansion", str(a.expansion),
              "--h-layers", str(a.h_layers), "--l-layers", str(a.l_layers), "--h-cycles", str(a.h_cycles),
              "--l-cycles", str(a.l_cycles), "--vocab", str(a.vocab), "--steps", str(a.steps),
              "--warmup", str(a.warmup)]
    cpp_env = dict(os.environ)
    if a.cpp_ld_library_path:
        cpp_env["LD_LIBRARY_PATH"] = a.cpp_ld_library_path + (":" + cpp_env["LD_LIBRARY_PATH"] if cpp_env.get("LD_LIBRARY_PATH") else "")
    py_env = dict(os.environ, PYTHONUNBUFFERED="1")
    results = {"hrm-cpp": run("hrm-cpp", [a.bench] + shared, cpp_env, a.timeout),
               "pytorch-eager": run("pytorch-eager", [a.python, a.baseline] + shared, py_env, a.timeout)}

    flops, inner = model_flops(a)
    report = {"config": vars(a) | {"inner": inner}, "model_flops_per_segment": flops,
              "peak_flops": a.peak_tflops * 1e12, "results": results}
    print(f"\nHRM training segment, {a.device} {a.dtype}: batch {a.batch}, seq {a.seq_len}, hidden {a.hidden}, "
          f"{a.heads} heads, {a.h_layers}+{a.l_layers} layers, cycles {a.h_cycles}x{a.l_cycles}, vocab {a.vocab}; "
          f"{flops / 1e12:.2f} TFLOP/segment")
    print(f"{'impl':<15}{'ms/segment':>12}{'segments/s':>12}{'sequences/s':>13}{'tokens/s':>13}{'MFU':>8}")
    for name, r in results.items():
        if "ms_per_step" not in r:
            print(f"{name:<15}  FAILED: {r.get('error')}  {r.get('stderr_tail', '')[-400:]}")
            continue
        seg = 1000.0 / r["ms_per_step"]
        r.update(segments_per_s=seg, sequences_per_s=seg * a.batch, tokens_per_s_computed=seg * a.batch * a.seq_len,
                 mfu=flops * seg / (a.peak_tflops * 1e12))
        print(f"{name:<15}{r['ms_per_step']:>12.2f}{seg:>12.2f}{r['sequences_per_s']:>13.0f}"
              f"{r['tokens_per_s_computed']:>13.0f}{100 * r['mfu']:>7.1f}%")
    cpp, py = results["hrm-cpp"], results["pytorch-eager"]
    if "ms_per_step" in cpp and "ms_per_step" in py:
        report["speedup_vs_pytorch"] = py["ms_per_step"] / cpp["ms_per_step"]
        print(f"hrm-cpp vs pytorch-eager: x{report['speedup_vs_pytorch']:.2f}")
    if a.out:
        with open(a.out, "w") as f:
            json.dump(report, f, indent=1)
    return 0 if all("ms_per_step" in r for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
