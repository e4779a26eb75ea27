#!/usr/bin/env python3
"""Bodies and reference answers for tests/load/mixed.sh (python3, standard library only).

  mixed_bodies.py gen DIR [SMALL] [BIG] [BIG_NODES]
      writes DIR/NAME.json request bodies and DIR/NAME.ref.json reference answers: the two
      CS231n worked examples, SMALL random graphs of 3 to 60 nodes over every op, and BIG random
      DAGs of BIG_NODES nodes. Each body names a unique output id, so an answer says which body
      it answers. Seeded: the same arguments give the same bytes.
  mixed_bodies.py check REF ANSWER
      compares a service answer with a reference answer: same ids, ops and order, every value and
      grad within 1e-9 relative (1e-12 absolute); for mode=inference, the output's value.
      Exit 0 when they agree, 1 with a reason otherwise.

The reference evaluator below is written from API.md's op table alone (forward rule, local
gradients, ties to the first winner, branches add), independently of the service's engine.
"""
import json
import math
import os
import random
import sys

UNARY = ["neg", "inv", "exp", "log", "sqrt", "sigmoid", "tanh", "relu", "abs", "sin", "cos"]
BINARY = ["sub", "div", "pow"]
NARY = ["add", "mul", "add", "mul", "max", "min"]  # routers less often, so more grads are not 0


def forward(op, x):
    a = x[0] if x else None
    if op == "add": return _sum(x)
    if op == "sub": return x[0] - x[1]
    if op == "mul": return _prod(x)
    if op == "div": return x[0] / x[1]
    if op == "neg": return -a
    if op == "inv": return 1 / a
    if op == "pow": return x[0] ** x[1]
    if op == "exp": return math.exp(a)
    if op == "log": return math.log(a)
    if op == "sqrt": return math.sqrt(a)
    if op == "sigmoid": return 1 / (1 + math.exp(-a))
    if op == "tanh": return math.tanh(a)
    if op == "relu": return max(a, 0.0)
    if op == "abs": return abs(a)
    if op == "sin": return math.sin(a)
    if op == "cos": return math.cos(a)
    if op == "max": return max(x)
    if op == "min": return min(x)
    raise ValueError(op)


def _sum(x):
    s = 0.0
    for v in x: s += v
    return s


def _prod(x):
    p = 1.0
    for v in x: p *= v
    return p


def local(op, x, y):
    """d op / d x[k] for every k, at inputs x with output y."""
    if op == "add": return [1.0] * len(x)
    if op == "sub": return [1.0, -1.0]
    if op == "mul": return [_prod(x[:k] + x[k + 1:]) for k in range(len(x))]
    if op == "div": return [1 / x[1], -x[0] / (x[1] * x[1])]
    if op == "neg": return [-1.0]
    if op == "inv": return [-1 / (x[0] * x[0])]
    if op == "pow":
        a, b = x
        return [b * a ** (b - 1), y * math.log(a) if a > 0 else 0.0]
    if op == "exp": return [y]
    if op == "log": return [1 / x[0]]
    if op == "sqrt": return [1 / (2 * y)]
    if op == "sigmoid": return [y * (1 - y)]
    if op == "tanh": return [1 - y * y]
    if op == "relu": return [1.0 if x[0] > 0 else 0.0]
    if op == "abs": return [1.0 if x[0] > 0 else -1.0 if x[0] < 0 else 0.0]
    if op == "sin": return [math.cos(x[0])]
    if op == "cos": return [-math.sin(x[0])]
    if op in ("max", "min"):
        winner = x.index(y)  # the first input equal to the result
        return [1.0 if k == winner else 0.0 for k in range(len(x))]
    raise ValueError(op)


def evaluate(body):
    """Every node's value and grad, in the body's order, by a topological order found without recursion."""
    nodes = body["nodes"]
    index = {n["id"]: i for i, n in enumerate(nodes)}
    inputs = [[index[s] for s in n.get("inputs", [])] for n in nodes]
    readers = [[] for _ in nodes]
    pending = [len(ins) for ins in inputs]
    for i, ins in enumerate(inputs):
        for j in ins: readers[j].append(i)
    order = [i for i in range(len(nodes)) if pending[i] == 0]
    for i in order:  # grows while it is walked
        for r in readers[i]:
            pending[r] -= 1
            if pending[r] == 0: order.append(r)
    value = [0.0] * len(nodes)
    partials = [None] * len(nodes)
    for i in order:
        n = nodes[i]
        if n["op"] in ("input", "const"):
            value[i] = float(n["value"])
            continue
        x = [value[j] for j in inputs[i]]
        value[i] = forward(n["op"], x)
        partials[i] = local(n["op"], x, value[i])
    grad = [0.0] * len(nodes)
    out = index[body["output"]]
    grad[out] = float(body.get("seed", 1))
    for i in reversed(order):
        if partials[i] is None or grad[i] == 0: continue
        for j, d in zip(inputs[i], partials[i]):
            grad[j] += grad[i] * d
    return {"output": body["output"], "value": value[out],
            "nodes": [{"id": n["id"], "op": n["op"], "value": value[i], "grad": grad[i]} for i, n in enumerate(nodes)]}


def pick_op(rng, x_values, unread):
    """An op that is smooth and finite at these inputs, keeping values within a few units. Its first
    input is a node nothing reads yet, so that every node reaches the output."""
    while True:
        kind = rng.random()
        if kind < 0.45:
            op = rng.choice(NARY)
            arity = rng.choice([2, 2, 2, 3])
        elif kind < 0.65:
            op, arity = rng.choice(BINARY), 2
        else:
            op, arity = rng.choice(UNARY), 1
        picks = [rng.choice(unread)] + [rng.randrange(len(x_values)) for _ in range(arity - 1)]
        x = [x_values[p] for p in picks]
        if op in ("log", "sqrt") and x[0] < 0.1: continue
        if op in ("inv",) and abs(x[0]) < 0.2: continue
        if op == "div" and abs(x[1]) < 0.2: continue
        if op == "pow" and (x[0] < 0.1 or abs(x[1]) > 3): continue
        if op == "exp" and x[0] > 3: continue
        if op in ("relu", "abs") and abs(x[0]) < 1e-6: continue
        if op in ("max", "min") and len(set(x)) < len(x) and len(set(picks)) == len(picks): continue
        y = forward(op, x)
        if not math.isfinite(y) or abs(y) > 50: continue
        return op, picks, y


def random_graph(rng, name, n_nodes, leaves):
    values, nodes = [], []
    for k in range(leaves):
        v = round(rng.uniform(-2, 2), 6)
        nodes.append({"id": f"{name}_x{k}", "op": rng.choice(["input", "const"]), "value": v})
        values.append(v)
    unread = set(range(leaves))
    while len(nodes) < n_nodes - 1:
        op, picks, y = pick_op(rng, values, sorted(unread))
        unread.difference_update(picks)
        unread.add(len(nodes))
        nodes.append({"id": f"{name}_n{len(nodes)}", "op": op, "inputs": [nodes[p]["id"] for p in picks]})
        values.append(y)
    # One sink that reads every node nothing else reads: the output is unambiguous and every node reaches it.
    tail = [nodes[k]["id"] for k in sorted(unread)]
    nodes.append({"id": f"{name}_out", "op": "add", "inputs": tail if len(tail) > 1 else tail * 2})
    rng.shuffle(nodes)  # order in the array is free
    return {"nodes": nodes, "output": f"{name}_out", "seed": rng.choice([1, 1, 1, 0.5, -2])}


def worked_examples():
    add_mul = {"nodes": [
        {"id": "x", "op": "input", "value": -2}, {"id": "y", "op": "input", "value": 5},
        {"id": "z", "op": "input", "value": -4}, {"id": "q", "op": "add", "inputs": ["x", "y"]},
        {"id": "addmul_f", "op": "mul", "inputs": ["q", "z"]}], "output": "addmul_f"}
    sigmoid = {"nodes": [
        {"id": "w0", "op": "input", "value": 2}, {"id": "x0", "op": "input", "value": -1},
        {"id": "w1", "op": "input", "value": -3}, {"id": "x1", "op": "input", "value": -2},
        {"id": "w2", "op": "input", "value": -3},
        {"id": "a", "op": "mul", "inputs": ["w0", "x0"]}, {"id": "b", "op": "mul", "inputs": ["w1", "x1"]},
        {"id": "d", "op": "add", "inputs": ["a", "b", "w2"]},
        {"id": "sigmoid_f", "op": "sigmoid", "inputs": ["d"]}], "output": "sigmoid_f"}
    return {"addmul": add_mul, "sigmoid": sigmoid}


def gen(directory, small=40, big=4, big_nodes=10_000):
    rng = random.Random(20261127)
    bodies = worked_examples()
    for k in range(small):
        bodies[f"small{k:02d}"] = random_graph(rng, f"s{k}", rng.randint(3, 60), rng.randint(1, 6))
    for k in range(big):
        bodies[f"big{k}"] = random_graph(rng, f"b{k}", big_nodes, 50)
    os.makedirs(directory, exist_ok=True)
    for name, body in bodies.items():
        with open(os.path.join(directory, name + ".json"), "w") as f:
            json.dump(body, f, separators=(",", ":"))
        with open(os.path.join(directory, name + ".ref.json"), "w") as f:
            json.dump(evaluate(body), f)
    print(f"{len(bodies)} bodies in {directory}: 2 worked examples, {small} small, {big} of {big_nodes} nodes")


def close(a, b):
    return a == b or abs(a - b) <= 1e-12 + 1e-9 * max(abs(a), abs(b))


def check(ref_path, answer_path):
    with open(ref_path) as f: ref = json.load(f)
    with open(answer_path) as f: got = json.load(f)
    if got.get("output") != ref["output"]: return f"output {got.get('output')!r}, expected {ref['output']!r}"
    if not close(got["value"], ref["value"]): return f"value {got['value']!r}, expected {ref['value']!r}"
    if got.get("mode") == "inference":
        return "an inference answer lists nodes" if "nodes" in got else None
    if len(got["nodes"]) != len(ref["nodes"]): return f"{len(got['nodes'])} nodes, expected {len(ref['nodes'])}"
    for g, r in zip(got["nodes"], ref["nodes"]):
        if (g["id"], g["op"]) != (r["id"], r["op"]): return f"node {g['id']}/{g['op']}, expected {r['id']}/{r['op']}"
        for key in ("value", "grad"):
            if not close(g[key], r[key]): return f"node {g['id']} {key} {g[key]!r}, expected {r[key]!r}"
    return None


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "gen":
        gen(sys.argv[2], *(int(a) for a in sys.argv[3:6]))
    elif len(sys.argv) == 4 and sys.argv[1] == "check":
        problem = check(sys.argv[2], sys.argv[3])
        if problem:
            print(f"{os.path.basename(sys.argv[3])}: {problem}")
            sys.exit(1)
    else:
        print(__doc__)
        sys.exit(2)
