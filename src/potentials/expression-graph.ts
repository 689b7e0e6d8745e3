/**
 * The expression of an `expression` potential as a hash-consed graph (a DAG:
 * equal subexpressions are one node), and its symbolic partial derivatives
 * built in the same graph, so the energy and every partial share their common
 * subexpressions (`abs(x)`, `x^2 - 1`, …) and each is evaluated once.
 *
 * The derivative rules are our own (not mathjs `derivative`): mathjs
 * differentiates `abs(u)` as `abs(u)/u` (NaN at u = 0) and cannot
 * differentiate `max`, `min`, `hypot`, `atan2`, `sign`, `gamma`, `erf`,
 * `expm1`, `log1p`, `log2`, `square`, `cube`. Every function that validation
 * admits (`EXPRESSION_FUNCTIONS`) has a rule here. At the kinks of the
 * non-smooth functions the rule returns a subgradient, never NaN:
 *
 *   abs(u)'   = sign(u)·u'              sign(0) = 0 (the minimal-norm subgradient of |u|)
 *   max(a,b)' = a' if a > b, b' if a < b, (a' + b')/2 if a = b   (min likewise);
 *               more than two arguments are reduced left to right,
 *               max(a,b,c) = max(max(a,b),c)
 *   hypot(a…)' = Σ aᵢ aᵢ' / hypot(a…), and 0 where hypot(a…) = 0
 *   sign(u)'  = 0 (its jump is not seen by a gradient)
 *
 * Functions with a genuinely infinite slope (sqrt, cbrt, nthRoot at 0; asin,
 * acos at ±1) or a pole (tan, log, …) give ±∞ or NaN there, which the engine
 * records as a divergence of that replica.
 */
import { mathjs as math } from './mathjs.js';

/** One node: an operation and its argument node ids; `value` is the number of a `const` and the coordinate index of a `var`. */
export interface GraphNode {
  readonly op: string;
  readonly args: readonly number[];
  readonly value: number;
}

/** Scalar semantics of every function node (also used to fold constant subexpressions). */
export const SCALAR_FUNCTIONS: Readonly<Record<string, (...args: number[]) => number>> = {
  sqrt: Math.sqrt,
  cbrt: Math.cbrt,
  exp: Math.exp,
  expm1: Math.expm1,
  log: Math.log,
  log10: Math.log10,
  log2: Math.log2,
  log1p: Math.log1p,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
  abs: Math.abs,
  sign: Math.sign,
  atan2: Math.atan2,
  max: Math.max,
  min: Math.min,
  hypot: Math.hypot,
  sec: (v) => 1 / Math.cos(v),
  csc: (v) => 1 / Math.sin(v),
  cot: (v) => 1 / Math.tan(v),
  sech: (v) => 1 / Math.cosh(v),
  csch: (v) => 1 / Math.sinh(v),
  coth: (v) => 1 / Math.tanh(v),
  asec: (v) => Math.acos(1 / v),
  acsc: (v) => Math.asin(1 / v),
  acot: (v) => Math.atan(1 / v),
  asech: (v) => Math.acosh(1 / v),
  acsch: (v) => Math.asinh(1 / v),
  acoth: (v) => Math.atanh(1 / v),
  nthRoot,
  gamma: (v) => math().gamma(v),
  erf: (v) => math().erf(v),
  digamma,
  select: (c, p, z, n) => (c > 0 ? p : c < 0 ? n : c === 0 ? z : NaN),
};

/** Real n-th root as mathjs defines it: negative a only for an odd integer n (else NaN). */
export function nthRoot(a: number, n: number): number {
  if (a >= 0) return Math.pow(a, 1 / n);
  if (Number.isInteger(n) && Math.abs(n % 2) === 1) return -Math.pow(-a, 1 / n);
  return NaN;
}

/**
 * ψ(x) = Γ'(x)/Γ(x), for the derivative of `gamma`: the recurrence
 * ψ(x) = ψ(x+1) − 1/x up to x ≥ 10, then the asymptotic series
 * ψ(x) ≈ ln x − 1/(2x) − Σ B₂ₖ/(2k x²ᵏ) (Abramowitz & Stegun 6.3.18);
 * negative x by the reflection ψ(1−x) − ψ(x) = π cot(πx) (A&S 6.3.7).
 */
export function digamma(x: number): number {
  if (!Number.isFinite(x)) return x === Infinity ? Infinity : NaN;
  if (x <= 0 && Number.isInteger(x)) return NaN;
  if (x < 0) return digamma(1 - x) - Math.PI / Math.tan(Math.PI * x);
  let shift = 0;
  while (x < 10) {
    shift -= 1 / x;
    x += 1;
  }
  const q = 1 / (x * x);
  const series = q * (1 / 12 - q * (1 / 120 - q * (1 / 252 - q * (1 / 240 - q * (1 / 132 - q * (691 / 32760 - q / 12))))));
  return shift + Math.log(x) - 0.5 / x - series;
}

/** A hash-consed expression graph with constant folding and the algebraic identities of 0 and 1. */
export class ExpressionGraph {
  readonly nodes: GraphNode[] = [];
  private readonly index = new Map<string, number>();
  private readonly partials = new Map<string, number>();

  private node(op: string, args: number[], value = 0): number {
    // Object.is keeps −0 apart from 0 (1/−0 = −∞).
    const key = `${op}|${Object.is(value, -0) ? '-0' : value}|${args.join(',')}`;
    let id = this.index.get(key);
    if (id === undefined) {
      id = this.nodes.length;
      this.nodes.push({ op, args, value });
      this.index.set(key, id);
    }
    return id;
  }

  constant(value: number): number {
    return this.node('const', [], value);
  }

  variable(coordinate: number): number {
    return this.node('var', [], coordinate);
  }

  /** The value of a constant node, or undefined. */
  valueOf(id: number): number | undefined {
    const n = this.nodes[id];
    return n.op === 'const' ? n.value : undefined;
  }

  private is(id: number, value: number): boolean {
    return this.valueOf(id) === value;
  }

  add(a: number, b: number): number {
    const ca = this.valueOf(a);
    const cb = this.valueOf(b);
    if (ca !== undefined && cb !== undefined) return this.constant(ca + cb);
    if (ca === 0) return b;
    if (cb === 0) return a;
    return this.node('add', [a, b]);
  }

  sub(a: number, b: number): number {
    const ca = this.valueOf(a);
    const cb = this.valueOf(b);
    if (ca !== undefined && cb !== undefined) return this.constant(ca - cb);
    if (cb === 0) return a;
    if (ca === 0) return this.neg(b);
    return this.node('sub', [a, b]);
  }

  mul(a: number, b: number): number {
    const ca = this.valueOf(a);
    const cb = this.valueOf(b);
    if (ca !== undefined && cb !== undefined) return this.constant(ca * cb);
    // Symbolic zeros of the derivative rules (d const = 0) drop their term, as in any CAS.
    if (ca === 0 || cb === 0) return this.constant(0);
    if (ca === 1) return b;
    if (cb === 1) return a;
    if (ca === -1) return this.neg(b);
    if (cb === -1) return this.neg(a);
    // Constants first (a·b = b·a exactly in IEEE arithmetic), so c·u and u·c are one node;
    // c₁·(c₂·u) = (c₁c₂)·u (one rounding moved: the derivative rules nest constant factors).
    if (cb !== undefined) return this.mul(b, a);
    if (ca !== undefined) {
      const inner = this.nodes[b];
      const c2 = inner.op === 'mul' ? this.valueOf(inner.args[0]) : undefined;
      if (c2 !== undefined) return this.mul(this.constant(ca * c2), inner.args[1]);
      if (inner.op === 'neg') return this.mul(this.constant(-ca), inner.args[0]);
    }
    return this.node('mul', [a, b]);
  }

  div(a: number, b: number): number {
    const ca = this.valueOf(a);
    const cb = this.valueOf(b);
    if (ca !== undefined && cb !== undefined) return this.constant(ca / cb);
    if (ca === 0) return this.constant(0);
    if (cb === 1) return a;
    return this.node('div', [a, b]);
  }

  neg(a: number): number {
    const ca = this.valueOf(a);
    if (ca !== undefined) return this.constant(-ca);
    const n = this.nodes[a];
    if (n.op === 'neg') return n.args[0];
    const c = n.op === 'mul' ? this.valueOf(n.args[0]) : undefined;
    if (c !== undefined) return this.mul(this.constant(-c), n.args[1]);
    return this.node('neg', [a]);
  }

  pow(a: number, b: number): number {
    const ca = this.valueOf(a);
    const cb = this.valueOf(b);
    if (ca !== undefined && cb !== undefined) return this.constant(Math.pow(ca, cb));
    if (cb === 1) return a;
    if (cb === 0) return this.constant(1);
    return this.node('pow', [a, b]);
  }

  /** A function node (`max`, `min` taken pairwise); folded when all its arguments are constants. */
  call(name: string, args: number[]): number {
    if ((name === 'max' || name === 'min') && args.length > 2) {
      let acc = args[0];
      for (let k = 1; k < args.length; k++) acc = this.call(name, [acc, args[k]]);
      return acc;
    }
    if ((name === 'max' || name === 'min') && args.length === 1) return args[0];
    const f = Object.prototype.hasOwnProperty.call(SCALAR_FUNCTIONS, name) ? SCALAR_FUNCTIONS[name] : undefined;
    if (!f) throw new Error(`no evaluation rule for the function '${name}'`);
    const values = args.map((a) => this.valueOf(a));
    if (values.every((v) => v !== undefined)) return this.constant(f(...(values as number[])));
    return this.node(name, args);
  }

  /** ∂(node)/∂(coordinate j), memoised; its nodes join this graph. */
  derivative(id: number, coordinate: number): number {
    const key = `${id}|${coordinate}`;
    let d = this.partials.get(key);
    if (d === undefined) {
      d = this.differentiate(id, coordinate);
      this.partials.set(key, d);
    }
    return d;
  }

  private differentiate(id: number, j: number): number {
    const n = this.nodes[id];
    const [a, b] = n.args;
    const D = (k: number) => this.derivative(k, j);
    const c = (v: number) => this.constant(v);
    switch (n.op) {
      case 'const':
        return c(0);
      case 'var':
        return c(n.value === j ? 1 : 0);
      case 'add':
        return this.add(D(a), D(b));
      case 'sub':
        return this.sub(D(a), D(b));
      case 'neg':
        return this.neg(D(a));
      case 'mul':
        return this.add(this.mul(D(a), b), this.mul(a, D(b)));
      case 'div': {
        // (a/b)' = (a' − (a/b)·b') / b, reusing the quotient node itself.
        const db = D(b);
        return this.div(this.sub(D(a), this.mul(id, db)), b);
      }
      case 'pow': {
        const cb = this.valueOf(b);
        if (cb !== undefined) return this.mul(this.mul(c(cb), this.pow(a, c(cb - 1))), D(a));
        const ca = this.valueOf(a);
        // d a^b = a^b (b' ln a + b a'/a)
        if (ca !== undefined) return this.mul(this.mul(id, c(Math.log(ca))), D(b));
        return this.mul(id, this.add(this.mul(D(b), this.call('log', [a])), this.div(this.mul(b, D(a)), a)));
      }
    }
    // Functions: chain rule f'(u)·u' for one argument.
    const da = D(a);
    const chain = (fprime: () => number) => (this.is(da, 0) ? c(0) : this.mul(fprime(), da));
    const sq = (u: number) => this.pow(u, c(2));
    switch (n.op) {
      case 'sqrt':
        return chain(() => this.div(c(0.5), id));
      case 'cbrt':
        return chain(() => this.div(c(1 / 3), sq(id)));
      case 'nthRoot': {
        // r = a^(1/k): r' = a'/(k r^(k−1)) − r ln(a) k'/k²
        const db = D(b);
        const da_term = this.is(da, 0) ? c(0) : this.div(da, this.mul(b, this.pow(id, this.sub(b, c(1)))));
        const db_term = this.is(db, 0) ? c(0) : this.mul(this.div(this.mul(id, this.call('log', [a])), sq(b)), db);
        return this.sub(da_term, db_term);
      }
      case 'exp':
        return chain(() => id);
      case 'expm1':
        return chain(() => this.call('exp', [a]));
      case 'log':
        return chain(() => this.div(c(1), a));
      case 'log10':
        return chain(() => this.div(c(1 / Math.LN10), a));
      case 'log2':
        return chain(() => this.div(c(1 / Math.LN2), a));
      case 'log1p':
        return chain(() => this.div(c(1), this.add(c(1), a)));
      case 'sin':
        return chain(() => this.call('cos', [a]));
      case 'cos':
        return chain(() => this.neg(this.call('sin', [a])));
      case 'tan':
        return chain(() => this.div(c(1), sq(this.call('cos', [a]))));
      case 'sec':
        return chain(() => this.mul(id, this.call('tan', [a])));
      case 'csc':
        return chain(() => this.neg(this.mul(id, this.call('cot', [a]))));
      case 'cot':
        return chain(() => this.neg(this.div(c(1), sq(this.call('sin', [a])))));
      case 'asin':
        return chain(() => this.div(c(1), this.call('sqrt', [this.sub(c(1), sq(a))])));
      case 'acos':
        return chain(() => this.neg(this.div(c(1), this.call('sqrt', [this.sub(c(1), sq(a))]))));
      case 'atan':
        return chain(() => this.div(c(1), this.add(c(1), sq(a))));
      case 'asec':
        return chain(() => this.div(c(1), this.mul(this.call('abs', [a]), this.call('sqrt', [this.sub(sq(a), c(1))]))));
      case 'acsc':
        return chain(() => this.neg(this.div(c(1), this.mul(this.call('abs', [a]), this.call('sqrt', [this.sub(sq(a), c(1))])))));
      case 'acot':
        return chain(() => this.neg(this.div(c(1), this.add(c(1), sq(a)))));
      case 'sinh':
        return chain(() => this.call('cosh', [a]));
      case 'cosh':
        return chain(() => this.call('sinh', [a]));
      case 'tanh':
        return chain(() => this.div(c(1), sq(this.call('cosh', [a]))));
      case 'sech':
        return chain(() => this.neg(this.mul(id, this.call('tanh', [a]))));
      case 'csch':
        return chain(() => this.neg(this.mul(id, this.call('coth', [a]))));
      case 'coth':
        return chain(() => this.neg(this.div(c(1), sq(this.call('sinh', [a])))));
      case 'asinh':
        return chain(() => this.div(c(1), this.call('sqrt', [this.add(sq(a), c(1))])));
      case 'acosh':
        return chain(() => this.div(c(1), this.call('sqrt', [this.sub(sq(a), c(1))])));
      case 'atanh':
      case 'acoth':
        return chain(() => this.div(c(1), this.sub(c(1), sq(a))));
      case 'asech':
        return chain(() => this.neg(this.div(c(1), this.mul(a, this.call('sqrt', [this.sub(c(1), sq(a))])))));
      case 'acsch':
        return chain(() => this.neg(this.div(c(1), this.mul(this.call('abs', [a]), this.call('sqrt', [this.add(c(1), sq(a))])))));
      case 'abs':
        return chain(() => this.call('sign', [a]));
      case 'sign':
        return c(0);
      case 'gamma':
        return chain(() => this.mul(id, this.call('digamma', [a])));
      case 'erf':
        return chain(() => this.mul(c(2 / Math.sqrt(Math.PI)), this.call('exp', [this.neg(sq(a))])));
      case 'atan2': {
        // atan2(y, x)' = (x y' − y x') / (x² + y²)
        const db = D(b);
        return this.div(this.sub(this.mul(b, da), this.mul(a, db)), this.add(sq(a), sq(b)));
      }
      case 'max':
      case 'min': {
        const db = D(b);
        if (da === db) return da;
        const [above, below] = n.op === 'max' ? [da, db] : [db, da];
        return this.call('select', [this.sub(a, b), above, this.mul(c(0.5), this.add(da, db)), below]);
      }
      case 'hypot': {
        let sum = c(0);
        for (const u of n.args) sum = this.add(sum, this.mul(u, D(u)));
        if (this.is(sum, 0)) return sum;
        return this.call('select', [id, this.div(sum, id), c(0), c(0)]);
      }
      case 'select':
        return this.call('select', [a, D(b), D(n.args[2]), D(n.args[3])]);
      case 'digamma':
        throw new Error('digamma is only used in first derivatives');
    }
    throw new Error(`no derivative rule for the function '${n.op}'`);
  }
}
