/**
 * Evaluation of an expression graph (expression-graph.ts) for a batch of
 * replicas: the nodes the outputs need, in topological order, form a tape of
 * instructions over registers; each register is a row of `CHUNK` replicas, and
 * each instruction is one tight loop over that row. The interpretation cost
 * (one switch per instruction) is paid once per chunk, not per replica, and
 * every loop is monomorphic, so the cost per replica is close to that of the
 * arithmetic itself. Nothing is generated as JavaScript source (no `eval`, no
 * `new Function`): the tape is data.
 *
 * A closure per node is faster for a tiny formula but 20–25× slower as soon as
 * the tree holds more than a few node kinds: the shared call sites inside the
 * closures see many different targets and V8 makes them megamorphic
 * (docs/potentials.md, "Expression cost").
 */
import { SCALAR_FUNCTIONS, type ExpressionGraph } from './expression-graph.js';

/** Replicas per register row (a register file of a few hundred rows stays in L2). */
const CHUNK = 128;

const enum Code {
  Add,
  Sub,
  Mul,
  Div,
  Neg,
  Linear,
  AddK,
  SubK,
  KSub,
  MulK,
  DivK,
  KDiv,
  Square,
  Cube,
  Pow4,
  PowInt,
  PowConst,
  Pow,
  Exp,
  Log,
  Sqrt,
  Sin,
  Cos,
  Tanh,
  Cosh,
  Sinh,
  Abs,
  Sign,
  Max,
  Min,
  Select,
  Unary,
  Binary,
  Call,
}

const DIRECT: Readonly<Record<string, Code>> = {
  exp: Code.Exp,
  log: Code.Log,
  sqrt: Code.Sqrt,
  sin: Code.Sin,
  cos: Code.Cos,
  tanh: Code.Tanh,
  cosh: Code.Cosh,
  sinh: Code.Sinh,
  abs: Code.Abs,
  sign: Code.Sign,
  max: Code.Max,
  min: Code.Min,
  select: Code.Select,
};

/** A compiled tape: `run(count)` evaluates rows 0…count−1 of the registers; inputs and outputs are register rows. */
export interface Tape {
  /** Number of instructions (for tests and benchmarks). */
  readonly length: number;
  /** Evaluate the energy and gradient of `count` replicas at positions `x` (replica-major, `dim` per replica). */
  energyAndGradient(x: Float64Array, count: number, energy: Float64Array, grad: Float64Array): void;
}

/** Compile `outputs` (node ids: the energy, then one partial per coordinate) of `graph` over `dim` coordinates. */
export function compileTape(graph: ExpressionGraph, dim: number, outputs: readonly number[]): Tape {
  // Registers: one per node reached from the outputs, in topological order (ids are already topological:
  // a node is created after its arguments).
  const reached = new Uint8Array(graph.nodes.length);
  const stack = [...outputs];
  while (stack.length > 0) {
    const id = stack.pop() as number;
    if (reached[id]) continue;
    reached[id] = 1;
    stack.push(...graph.nodes[id].args);
  }
  // Linear combinations k₁·u ± k₂·v are one instruction when the products c·u are used nowhere else
  // (fl(k₁u) + fl(−k₂v) is the same rounding as fl(k₁u) − fl(k₂v): the fusion does not change a bit).
  const uses = new Int32Array(graph.nodes.length);
  for (const id of outputs) uses[id]++;
  for (let id = 0; id < graph.nodes.length; id++) if (reached[id]) for (const k of graph.nodes[id].args) uses[k]++;
  const scaled = (id: number): [number, number] => {
    const n = graph.nodes[id];
    const k = n.op === 'mul' && uses[id] === 1 ? graph.valueOf(n.args[0]) : undefined;
    return k === undefined ? [1, id] : [k, n.args[1]];
  };
  const linear = new Map<number, [number, number, number, number]>();
  const absorbed = new Uint8Array(graph.nodes.length);
  for (let id = 0; id < graph.nodes.length; id++) {
    const n = graph.nodes[id];
    if (!reached[id] || (n.op !== 'add' && n.op !== 'sub') || n.args.some((k) => graph.valueOf(k) !== undefined)) continue;
    const [ka, a] = scaled(n.args[0]);
    const [kb, b] = scaled(n.args[1]);
    if (ka === 1 && kb === 1) continue;
    linear.set(id, [ka, a, n.op === 'sub' ? -kb : kb, b]);
    if (a !== n.args[0]) absorbed[n.args[0]] = 1;
    if (b !== n.args[1]) absorbed[n.args[1]] = 1;
  }
  const slot = new Int32Array(graph.nodes.length).fill(-1);
  let registers = 0;
  const constants: [number, number][] = [];
  const variables: [number, number][] = [];
  const code: number[] = [];
  const immediates: number[] = [];
  const secondImmediates: number[] = [];
  const functions: ((...args: number[]) => number)[] = [];
  const callArgs = new Map<number, number[]>();
  const emit = (op: Code, out: number, a = 0, b = 0, c = 0, d = 0, immediate = 0, f?: (...args: number[]) => number, first = 0) => {
    code.push(op, out * CHUNK, a * CHUNK, b * CHUNK, c * CHUNK, d * CHUNK, functions.length);
    immediates.push(immediate);
    secondImmediates.push(first);
    functions.push(f ?? Math.abs);
  };
  for (let id = 0; id < graph.nodes.length; id++) {
    if (!reached[id] || absorbed[id]) continue;
    const n = graph.nodes[id];
    const out = (slot[id] = registers++);
    const r = n.args.map((k) => slot[k]);
    const combination = linear.get(id);
    if (combination) {
      const [ka, a, kb, b] = combination;
      emit(Code.Linear, out, slot[a], slot[b], 0, 0, kb, undefined, ka);
      continue;
    }
    switch (n.op) {
      case 'const':
        constants.push([out, n.value]);
        continue;
      case 'var':
        variables.push([out, n.value]);
        continue;
      case 'add':
      case 'sub':
      case 'mul':
      case 'div': {
        // A constant operand is an immediate (one load fewer per replica).
        const [ka, kb] = n.args.map((k) => graph.valueOf(k));
        const op = n.op;
        if (kb !== undefined)
          emit(op === 'add' ? Code.AddK : op === 'sub' ? Code.SubK : op === 'mul' ? Code.MulK : Code.DivK, out, r[0], 0, 0, 0, kb);
        else if (ka !== undefined && op !== 'div' && op !== 'sub') emit(op === 'add' ? Code.AddK : Code.MulK, out, r[1], 0, 0, 0, ka);
        else if (ka !== undefined) emit(op === 'sub' ? Code.KSub : Code.KDiv, out, r[1], 0, 0, 0, ka);
        else emit(op === 'add' ? Code.Add : op === 'sub' ? Code.Sub : op === 'mul' ? Code.Mul : Code.Div, out, r[0], r[1]);
        continue;
      }
      case 'neg':
        emit(Code.Neg, out, r[0]);
        continue;
      case 'pow': {
        const p = graph.valueOf(n.args[1]);
        if (p === 2) emit(Code.Square, out, r[0]);
        else if (p === 3) emit(Code.Cube, out, r[0]);
        else if (p === 4) emit(Code.Pow4, out, r[0]);
        else if (p !== undefined && Number.isInteger(p) && Math.abs(p) <= 64) emit(Code.PowInt, out, r[0], 0, 0, 0, p);
        else if (p !== undefined) emit(Code.PowConst, out, r[0], 0, 0, 0, p);
        else emit(Code.Pow, out, r[0], r[1]);
        continue;
      }
    }
    const direct = DIRECT[n.op];
    const f = SCALAR_FUNCTIONS[n.op];
    if (direct !== undefined) emit(direct, out, r[0], r[1], r[2], r[3]);
    else if (n.args.length === 1) emit(Code.Unary, out, r[0], 0, 0, 0, 0, f);
    else if (n.args.length === 2) emit(Code.Binary, out, r[0], r[1], 0, 0, 0, f);
    else {
      callArgs.set(
        functions.length,
        r.map((s) => s * CHUNK),
      );
      emit(Code.Call, out, 0, 0, 0, 0, 0, f);
    }
  }
  const program = Int32Array.from(code);
  const imm = Float64Array.from(immediates);
  const imm2 = Float64Array.from(secondImmediates);
  const R = new Float64Array(registers * CHUNK);
  for (const [s, v] of constants) R.fill(v, s * CHUNK, (s + 1) * CHUNK);
  const inputs = new Int32Array(dim).fill(-1);
  for (const [s, j] of variables) inputs[j] = s * CHUNK;
  const outRows = Int32Array.from(outputs, (id) => slot[id] * CHUNK);
  const scratch: number[] = [];

  const run = (n: number): void => {
    for (let pc = 0; pc < program.length; pc += 7) {
      const o = program[pc + 1];
      const a = program[pc + 2];
      const b = program[pc + 3];
      switch (program[pc] as Code) {
        case Code.Add:
          for (let i = 0; i < n; i++) R[o + i] = R[a + i] + R[b + i];
          break;
        case Code.Sub:
          for (let i = 0; i < n; i++) R[o + i] = R[a + i] - R[b + i];
          break;
        case Code.Mul:
          for (let i = 0; i < n; i++) R[o + i] = R[a + i] * R[b + i];
          break;
        case Code.Div:
          for (let i = 0; i < n; i++) R[o + i] = R[a + i] / R[b + i];
          break;
        case Code.Linear: {
          const ka = imm2[program[pc + 6]];
          const kb = imm[program[pc + 6]];
          if (ka === 1) for (let i = 0; i < n; i++) R[o + i] = R[a + i] + kb * R[b + i];
          else for (let i = 0; i < n; i++) R[o + i] = ka * R[a + i] + kb * R[b + i];
          break;
        }
        case Code.AddK: {
          const k = imm[program[pc + 6]];
          for (let i = 0; i < n; i++) R[o + i] = R[a + i] + k;
          break;
        }
        case Code.SubK: {
          const k = imm[program[pc + 6]];
          for (let i = 0; i < n; i++) R[o + i] = R[a + i] - k;
          break;
        }
        case Code.KSub: {
          const k = imm[program[pc + 6]];
          for (let i = 0; i < n; i++) R[o + i] = k - R[a + i];
          break;
        }
        case Code.MulK: {
          const k = imm[program[pc + 6]];
          for (let i = 0; i < n; i++) R[o + i] = k * R[a + i];
          break;
        }
        case Code.DivK: {
          const k = imm[program[pc + 6]];
          for (let i = 0; i < n; i++) R[o + i] = R[a + i] / k;
          break;
        }
        case Code.KDiv: {
          const k = imm[program[pc + 6]];
          for (let i = 0; i < n; i++) R[o + i] = k / R[a + i];
          break;
        }
        case Code.Neg:
          for (let i = 0; i < n; i++) R[o + i] = -R[a + i];
          break;
        case Code.Square:
          for (let i = 0; i < n; i++) {
            const v = R[a + i];
            R[o + i] = v * v;
          }
          break;
        case Code.Cube:
          for (let i = 0; i < n; i++) {
            const v = R[a + i];
            R[o + i] = v * v * v;
          }
          break;
        case Code.Pow4:
          for (let i = 0; i < n; i++) {
            const v = R[a + i];
            const v2 = v * v;
            R[o + i] = v2 * v2;
          }
          break;
        case Code.PowInt: {
          const p = imm[program[pc + 6]];
          for (let i = 0; i < n; i++) R[o + i] = powInt(R[a + i], p);
          break;
        }
        case Code.PowConst: {
          const p = imm[program[pc + 6]];
          for (let i = 0; i < n; i++) R[o + i] = Math.pow(R[a + i], p);
          break;
        }
        case Code.Pow:
          for (let i = 0; i < n; i++) R[o + i] = Math.pow(R[a + i], R[b + i]);
          break;
        case Code.Exp:
          for (let i = 0; i < n; i++) R[o + i] = Math.exp(R[a + i]);
          break;
        case Code.Log:
          for (let i = 0; i < n; i++) R[o + i] = Math.log(R[a + i]);
          break;
        case Code.Sqrt:
          for (let i = 0; i < n; i++) R[o + i] = Math.sqrt(R[a + i]);
          break;
        case Code.Sin:
          for (let i = 0; i < n; i++) R[o + i] = Math.sin(R[a + i]);
          break;
        case Code.Cos:
          for (let i = 0; i < n; i++) R[o + i] = Math.cos(R[a + i]);
          break;
        case Code.Tanh:
          for (let i = 0; i < n; i++) R[o + i] = Math.tanh(R[a + i]);
          break;
        case Code.Cosh:
          for (let i = 0; i < n; i++) R[o + i] = Math.cosh(R[a + i]);
          break;
        case Code.Sinh:
          for (let i = 0; i < n; i++) R[o + i] = Math.sinh(R[a + i]);
          break;
        case Code.Abs:
          for (let i = 0; i < n; i++) R[o + i] = Math.abs(R[a + i]);
          break;
        case Code.Sign:
          for (let i = 0; i < n; i++) R[o + i] = Math.sign(R[a + i]);
          break;
        case Code.Max:
          for (let i = 0; i < n; i++) R[o + i] = Math.max(R[a + i], R[b + i]);
          break;
        case Code.Min:
          for (let i = 0; i < n; i++) R[o + i] = Math.min(R[a + i], R[b + i]);
          break;
        case Code.Select: {
          const c = program[pc + 4];
          const d = program[pc + 5];
          // c = a-row: > 0 → b-row, = 0 → c-row, < 0 → d-row, NaN → NaN
          for (let i = 0; i < n; i++) {
            const s = R[a + i];
            R[o + i] = s > 0 ? R[b + i] : s < 0 ? R[d + i] : s === 0 ? R[c + i] : NaN;
          }
          break;
        }
        case Code.Unary: {
          const f = functions[program[pc + 6]];
          for (let i = 0; i < n; i++) R[o + i] = f(R[a + i]);
          break;
        }
        case Code.Binary: {
          const f = functions[program[pc + 6]];
          for (let i = 0; i < n; i++) R[o + i] = f(R[a + i], R[b + i]);
          break;
        }
        case Code.Call: {
          const k = program[pc + 6];
          const f = functions[k];
          const rows = callArgs.get(k) as readonly number[];
          for (let i = 0; i < n; i++) {
            scratch.length = rows.length;
            for (let q = 0; q < rows.length; q++) scratch[q] = R[rows[q] + i];
            R[o + i] = f(...scratch);
          }
          break;
        }
      }
    }
  };

  return {
    length: program.length / 7,
    energyAndGradient(x, count, energy, grad) {
      for (let r0 = 0; r0 < count; r0 += CHUNK) {
        const n = Math.min(CHUNK, count - r0);
        for (let j = 0; j < dim; j++) {
          const row = inputs[j];
          if (row < 0) continue;
          for (let i = 0; i < n; i++) R[row + i] = x[(r0 + i) * dim + j];
        }
        run(n);
        const e = outRows[0];
        for (let i = 0; i < n; i++) energy[r0 + i] = R[e + i];
        for (let j = 0; j < dim; j++) {
          const g = outRows[1 + j];
          for (let i = 0; i < n; i++) grad[(r0 + i) * dim + j] = R[g + i];
        }
      }
    },
  };
}

/** v^p for an integer p (|p| ≤ 64) by repeated squaring: exact for small p, a few ulps otherwise, and far cheaper than Math.pow. */
function powInt(v: number, p: number): number {
  let e = p < 0 ? -p : p;
  let base = v;
  let acc = 1;
  while (e > 0) {
    if (e & 1) acc *= base;
    base *= base;
    e >>= 1;
  }
  return p < 0 ? 1 / acc : acc;
}
