#!/usr/bin/python3
"""The batch engine against PyTorch on the same graph, in one run.

    /usr/bin/python3 tests/load/torch_batch.py          # NODES=10000 SIZE=1024 RUNS=5 by default

Needs Debian's python3-torch (apt-get install -y python3-torch), which is for /usr/bin/python3.
Writes the benchmarks' random DAG of NODES nodes as a JSON body (GradApi.Benchmarks gen), has the
benchmarks console evaluate it at SIZE samples with the batch engine (GradApi.Benchmarks batch),
then evaluates the same file in PyTorch: one float64 tensor of shape [SIZE] per node, forward
then backward with torch.autograd, grads of every input leaf. Input leaf j in sample i holds its
value plus ((i * 7919 + j * 104729) % 2001 - 1000) / 1e4 on both sides, so both answer the same
numbers; the script checks that they do and prints the medians and their ratio, by the wall clock
and by CPU time (which a busy machine disturbs less). Not part of CI: too slow, and its figures are
only as good as the machine is quiet.
"""
import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import torch

NODES = int(os.environ.get("NODES", "10000"))
SIZE = int(os.environ.get("SIZE", "1024"))
RUNS = int(os.environ.get("RUNS", "5"))
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CONSOLE = os.path.join(ROOT, "tests", "GradApi.Benchmarks", "bin", "Release", "net10.0", "GradApi.Benchmarks")


def console(*args):
    return subprocess.run([CONSOLE, *map(str, args)], check=True, capture_output=True, text=True).stdout


def ordered(nodes):
    """The nodes in an order where each comes after its inputs (Kahn's algorithm, no recursion)."""
    index = {node["id"]: i for i, node in enumerate(nodes)}
    pending = [len(node.get("inputs", [])) for node in nodes]
    readers = [[] for _ in nodes]
    for i, node in enumerate(nodes):
        for name in node.get("inputs", []):
            readers[index[name]].append(i)
    order = [i for i, count in enumerate(pending) if count == 0]
    for i in order:  # grows as it goes
        for reader in readers[i]:
            pending[reader] -= 1
            if pending[reader] == 0:
                order.append(reader)
    return order, index


def reduce_with(f):
    return lambda xs: functools.reduce(f, xs)


GATES = {
    "add": reduce_with(torch.add),
    "sub": lambda xs: xs[0] - xs[1],
    "mul": reduce_with(torch.mul),
    "div": lambda xs: xs[0] / xs[1],
    "neg": lambda xs: -xs[0],
    "inv": lambda xs: torch.reciprocal(xs[0]),
    "pow": lambda xs: torch.pow(xs[0], xs[1]),
    "exp": lambda xs: torch.exp(xs[0]),
    "log": lambda xs: torch.log(xs[0]),
    "sqrt": lambda xs: torch.sqrt(xs[0]),
    "sigmoid": lambda xs: torch.sigmoid(xs[0]),
    "tanh": lambda xs: torch.tanh(xs[0]),
    "relu": lambda xs: torch.relu(xs[0]),
    "abs": lambda xs: torch.abs(xs[0]),
    "sin": lambda xs: torch.sin(xs[0]),
    "cos": lambda xs: torch.cos(xs[0]),
    "max": reduce_with(torch.maximum),
    "min": reduce_with(torch.minimum),
}


def main():
    if not os.path.exists(CONSOLE) or os.environ.get("BUILD", "1") == "1":
        subprocess.run(["dotnet", "build", "-c", "Release", "-v", "q", os.path.join(ROOT, "tests", "GradApi.Benchmarks")],
                       check=True, capture_output=True)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "dag.json")
        console("gen", NODES, path)
        with open(path) as f:
            body = json.load(f)
        batch = console("batch", path, SIZE, RUNS)

    lines = [line.split() for line in batch.splitlines() if line.startswith("batch ")]
    modes = ("training", "inference", "scalar-training")
    engine_ms = {mode: statistics.median(float(l[3]) for l in lines if l[1] == mode) for mode in modes}
    engine_cpu = {mode: statistics.median(float(l[6]) for l in lines if l[1] == mode) for mode in modes}
    allocated = max(int(l[5]) for l in lines if l[1] in ("training", "inference"))
    check = next(l for l in lines if l[1] == "check")
    engine_values, engine_grads = float(check[2]), float(check[3])

    nodes = body["nodes"]
    order, index = ordered(nodes)
    output = index[body["output"]]
    seed = float(body.get("seed", 1))
    samples = torch.arange(SIZE, dtype=torch.int64)
    leaves, j = {}, 0
    for i, node in enumerate(nodes):
        if node["op"] == "input":
            offsets = ((samples * 7919 + j * 104729) % 2001 - 1000).to(torch.float64) / 1e4
            leaves[i] = node["value"] + offsets
            j += 1
        elif node["op"] == "const":
            leaves[i] = torch.full((SIZE,), float(node["value"]), dtype=torch.float64)
    first_input = min(i for i, node in enumerate(nodes) if node["op"] == "input")

    def run():
        """Forward then backward, as a PyTorch user would write it: the graph is built as it runs."""
        values = [None] * len(nodes)
        inputs = []
        for i, lanes in leaves.items():
            if nodes[i]["op"] == "input":
                values[i] = lanes.clone().requires_grad_(True)
                inputs.append(values[i])
            else:
                values[i] = lanes
        for i in order:
            node = nodes[i]
            if node["op"] in ("input", "const"):
                continue
            values[i] = GATES[node["op"]]([values[index[name]] for name in node["inputs"]])
        values[output].backward(torch.full((SIZE,), seed, dtype=torch.float64))
        return values[output].detach(), values[first_input].grad

    run()  # warm
    times, cpu = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        out, grad = run()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    torch_ms, torch_cpu = statistics.median(times), statistics.median(cpu)

    torch_values, torch_grads = float(out.sum()), float(grad.sum())
    agree = (abs(torch_values - engine_values) <= 1e-9 * max(1.0, abs(engine_values))
             and abs(torch_grads - engine_grads) <= 1e-9 * max(1.0, abs(engine_grads)))
    node_samples = len(nodes) * SIZE
    print(f"graph: {len(nodes)} nodes, {sum(len(n.get('inputs', [])) for n in nodes)} edges, {SIZE} samples; "
          f"torch {torch.__version__}, {torch.get_num_threads()} thread(s); {os.cpu_count()} CPUs")
    print(f"answers agree: {agree} (sum of output values: batch engine {engine_values!r}, torch {torch_values!r}; "
          f"sum of d output / d first input: {engine_grads!r}, {torch_grads!r})")
    print(f"{'(median of ' + str(RUNS) + ')':32} {'wall ms':>10} {'ns/node-sample':>15} {'CPU ms':>10} {'CPU ns/node-sample':>19}")
    for name, ms, cpu_ms in (("PyTorch forward+backward", torch_ms, torch_cpu),
                             ("batch engine training", engine_ms["training"], engine_cpu["training"]),
                             ("batch engine inference", engine_ms["inference"], engine_cpu["inference"]),
                             ("scalar engine training x SIZE", engine_ms["scalar-training"], engine_cpu["scalar-training"])):
        print(f"{name:32} {ms:10.1f} {ms * 1e6 / node_samples:15.2f} {cpu_ms:10.1f} {cpu_ms * 1e6 / node_samples:19.2f}")
    print(f"batch engine allocated per evaluation: {allocated} bytes")
    print(f"PyTorch / batch engine (training): {torch_ms / engine_ms['training']:.1f}x wall clock, "
          f"{torch_cpu / engine_cpu['training']:.1f}x CPU time")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
