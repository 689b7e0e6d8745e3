/**
 * Potentials written as a formula in the scenario file, e.g.
 * `expression: "h*(x^2-1)^2"` with `coordinates: [x]` and `params: {h: 1}`.
 *
 * Safety: the scenario text is never run as JavaScript (no `eval`, no
 * `new Function`). It is parsed by mathjs `parse` into mathjs's own expression
 * tree; only arithmetic operators, powers, numbers, the coordinates, the
 * params and the pure numeric functions of `EXPRESSION_FUNCTIONS`
 * (expression-check.ts) are accepted, and this is checked before anything is
 * evaluated (assignments, function definitions, property access, strings,
 * indexing, objects, matrices, ranges, and mathjs's meta functions `import`,
 * `createUnit`, `evaluate`, `parse`, `compile`, `simplify`, `derivative`,
 * `resolve`, `reviver`, `config`, … are rejected). The expression becomes a
 * hash-consed graph and its partial derivatives are built in the same graph
 * by our own rules (expression-graph.ts: every admitted function has one;
 * subgradients at the kinks of abs, max, min, hypot). The graph is evaluated
 * by a tape of vectorised instructions over chunks of replicas
 * (expression-tape.ts), or, with `{ evaluator: 'mathjs' }`, by mathjs's
 * compiled evaluator over the same formulas (for cross-checks), which
 * interprets its AST and does not execute user text as code either.
 *
 * Cost (ns per energy + gradient of one replica, `node dist/bench/expression.js`,
 * see docs/potentials.md "Expression cost"): about 2 ns per instruction of the
 * tape, independent of which functions the formula uses; the mathjs evaluator
 * is 50–200× slower. For hot production runs prefer a built-in family or a
 * module potential.
 *
 * Domain errors (sqrt or log of a negative number, fractional power of a
 * negative base) give NaN, which the engine records as a divergence of that
 * replica; they never throw inside the hot loop.
 */
import { mathjs as math } from './mathjs.js';
import type * as MathJs from 'mathjs';
import type { MathNode } from 'mathjs';
import type { Potential } from '../engine/types.js';
import { singleGroup } from './registry.js';
import {
  arityText,
  EXPRESSION_ARITY,
  EXPRESSION_CONSTANTS,
  EXPRESSION_FUNCTIONS,
  EXPRESSION_OPERATORS,
  expressionTextProblems,
  isExpressionConstant,
  MAX_EXPRESSION_DEPTH,
  MAX_EXPRESSION_LENGTH,
} from './expression-check.js';
import { digamma, ExpressionGraph, nthRoot, SCALAR_FUNCTIONS } from './expression-graph.js';
import { compileTape } from './expression-tape.js';

export interface ExpressionPotentialSpec {
  /** The energy f as a mathjs expression over the coordinates and params. */
  expression: string;
  /** Coordinate names, in the order of x (length = dim). */
  coordinates: string[];
  /** Named constants substituted into the expression before differentiation. */
  params: Record<string, number>;
  /** Known local minima (for the `well` observable), each of length dim. */
  minima?: number[][];
}

export interface ExpressionOptions {
  /**
   * 'tape' (default: the compiled tape of expression-tape.ts; 'closure' is the
   * same, the name kept for existing callers) or 'mathjs' (mathjs compiled
   * evaluation of the same formulas; for checks and benchmarks).
   */
  evaluator?: 'tape' | 'closure' | 'mathjs';
}

/** mathjs constants accepted as symbols (substituted by their values). */
const CONSTANTS = EXPRESSION_CONSTANTS;
const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

const ALLOWED_NODES = new Set(['ConstantNode', 'SymbolNode', 'OperatorNode', 'FunctionNode', 'ParenthesisNode']);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Build a Potential from a formula. Throws an Error naming the expression and
 * what is wrong: a syntax error (with its position), an unknown symbol, an
 * unknown or non-differentiable function, an unsupported construct.
 */
export function createExpressionPotential(spec: ExpressionPotentialSpec, options: ExpressionOptions = {}): Potential {
  const text = spec.expression;
  const fail = (what: string): never => {
    throw new Error(`expression potential "${text}": ${what}`);
  };
  if (typeof text !== 'string' || text.trim() === '') fail('the expression is empty');
  const coordinates = spec.coordinates ?? [];
  const params = spec.params ?? {};
  const dim = coordinates.length;
  if (dim === 0) fail('no coordinates given (e.g. coordinates: [x])');
  const seen = new Set<string>();
  for (const c of coordinates) {
    if (typeof c !== 'string' || !IDENTIFIER.test(c)) fail(`coordinate name ${JSON.stringify(c)} is not an identifier`);
    if (seen.has(c)) fail(`coordinate '${c}' is listed twice`);
    if (own(params, c)) fail(`'${c}' is both a coordinate and a param`);
    if (isExpressionConstant(c)) fail(`coordinate '${c}' clashes with the mathematical constant of that name`);
    seen.add(c);
  }
  for (const [k, v] of Object.entries(params)) {
    if (!IDENTIFIER.test(k)) fail(`param name ${JSON.stringify(k)} is not an identifier`);
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(`param '${k}' = ${JSON.stringify(v)}, expected a finite number`);
  }

  // 1. Parse (mathjs reports the 1-based character position of a syntax error).
  if (text.length > MAX_EXPRESSION_LENGTH) fail(`an expression of ${text.length} characters (at most ${MAX_EXPRESSION_LENGTH})`);
  let depth = 0;
  for (const ch of text)
    if ((depth += ch === '(' ? 1 : ch === ')' ? -1 : 0) > MAX_EXPRESSION_DEPTH)
      fail(`parentheses nested more than ${MAX_EXPRESSION_DEPTH} deep`);
  let tree: MathNode;
  try {
    tree = math().parse(text);
  } catch (err) {
    const e = err as Error & { char?: number };
    const caret = typeof e.char === 'number' ? `\n  ${text}\n  ${' '.repeat(Math.max(0, e.char - 1))}^` : '';
    return fail(`syntax error: ${e.message}${caret}`);
  }

  // 2. Check every node and symbol, before anything is evaluated: only numbers,
  //    the coordinates, the params, the constants, arithmetic operators and the
  //    pure numeric functions of EXPRESSION_FUNCTIONS (never mathjs's import,
  //    createUnit, evaluate, parse, compile, simplify, derivative, resolve,
  //    reviver, config, …, never property access, strings or definitions).
  const coordIndex = new Map(coordinates.map((c, i) => [c, i]));
  const problems: string[] = [];
  tree.traverse((node, path, parent) => {
    if (!ALLOWED_NODES.has(node.type)) {
      problems.push(`unsupported construct ${node.type} '${node.toString()}' (only numbers, operators and functions are allowed)`);
      return;
    }
    if (node.type === 'ConstantNode') {
      const v = (node as MathJs.ConstantNode).value as unknown;
      if (typeof v !== 'number') problems.push(`unsupported constant ${node.toString()} (only numbers are allowed)`);
      return;
    }
    if (node.type === 'OperatorNode') {
      const op = (node as unknown as { fn: string; op: string }).fn;
      if (!EXPRESSION_OPERATORS.has(op))
        problems.push(`unsupported operator '${(node as unknown as { op: string }).op}' (only + - * / ^ are allowed)`);
      return;
    }
    if (node.type === 'FunctionNode') {
      const fn = (node as MathJs.FunctionNode).fn as unknown as MathNode;
      if (fn.type !== 'SymbolNode') problems.push(`unsupported call of '${fn.toString()}' (only named functions can be called)`);
      else if (!EXPRESSION_FUNCTIONS.has((fn as unknown as MathJs.SymbolNode).name))
        problems.push(`unknown function '${(fn as unknown as MathJs.SymbolNode).name}' (allowed: ${[...EXPRESSION_FUNCTIONS].join(', ')})`);
      return;
    }
    if (node.type === 'SymbolNode') {
      const name = (node as MathJs.SymbolNode).name;
      if (parent && parent.type === 'FunctionNode' && path === 'fn') return; // checked with its FunctionNode
      if (!coordIndex.has(name) && !own(params, name) && !isExpressionConstant(name))
        problems.push(
          `unknown symbol '${name}': it is neither a coordinate (${coordinates.join(', ')}) nor a param (${Object.keys(params).join(', ') || 'none'})`,
        );
    }
  });
  if (problems.length === 0) problems.push(...expressionTextProblems(text, coordinates, params));
  if (problems.length > 0) fail([...new Set(problems)].join('; '));

  // 3. Substitute params and constants as numbers.
  const substituted = tree.transform((node, path, parent) => {
    if (node.type !== 'SymbolNode' || (parent && parent.type === 'FunctionNode' && path === 'fn')) return node;
    const name = (node as unknown as MathJs.SymbolNode).name;
    const value = own(params, name) ? params[name] : isExpressionConstant(name) ? CONSTANTS[name] : undefined;
    return value === undefined ? node : (new (math().ConstantNode)(value) as unknown as typeof node);
  }) as MathNode;

  // 4. The expression as a graph, and its partial derivatives in the same graph
  //    (expression-graph.ts: our rules, with subgradients at the kinks of abs, max, min, hypot).
  const graph = new ExpressionGraph();
  let energyNode: number;
  let partials: number[];
  try {
    energyNode = toGraph(substituted, graph, coordIndex);
    partials = coordinates.map((_, j) => graph.derivative(energyNode, j));
  } catch (err) {
    return fail((err as Error).message);
  }

  if (spec.minima) {
    spec.minima.forEach((m, i) => {
      if (!Array.isArray(m) || m.length !== dim) fail(`minima[${i}] has ${Array.isArray(m) ? m.length : 0} entries, expected ${dim}`);
    });
  }

  // 5. Compile: the tape (default), or mathjs's evaluator over the same formulas (for cross-checks).
  const energyAndGradient =
    options.evaluator === 'mathjs'
      ? mathjsEvaluator(
          substituted,
          partials.map((d) => toMathNode(graph, d, coordinates)),
          coordinates,
        )
      : compileTape(graph, dim, [energyNode, ...partials]).energyAndGradient;

  // A formula that is not a real scalar (a matrix, a boolean, a string) fails here, not in the run.
  let probe: unknown = 0;
  try {
    probe = substituted.compile().evaluate(new Map(coordinates.map((c) => [c, 0.5])));
  } catch {
    // a domain error of mathjs at the probe point (nthRoot(x - 1)): not a matter of type
  }
  if (typeof probe !== 'number' && !math().isComplex(probe)) fail(`evaluates to ${math().typeOf(probe)}, expected a real number`);

  return {
    name: 'expression',
    dim,
    coordinates: [...coordinates],
    groups: singleGroup(dim),
    ...(spec.minima ? { minima: spec.minima.map((m) => [...m]) } : {}),
    energyAndGradient,
  };
}

/** The checked, substituted mathjs tree as a node of `graph` (log(a, b) = log a / log b, square/cube as powers). */
function toGraph(node: MathNode, graph: ExpressionGraph, coordIndex: Map<string, number>): number {
  const rec = (n: MathNode): number => {
    switch (n.type) {
      case 'ConstantNode':
        return graph.constant((n as MathJs.ConstantNode).value as unknown as number);
      case 'SymbolNode': {
        const j = coordIndex.get((n as MathJs.SymbolNode).name);
        if (j === undefined) throw new Error(`unknown symbol '${(n as MathJs.SymbolNode).name}'`);
        return graph.variable(j);
      }
      case 'ParenthesisNode':
        return rec((n as MathJs.ParenthesisNode).content);
      case 'OperatorNode': {
        const op = n as unknown as { fn: string; args: MathNode[] };
        const args = op.args.map(rec);
        if (op.fn === 'unaryMinus') return graph.neg(args[0]);
        if (op.fn === 'unaryPlus') return args[0];
        const binary = { add: graph.add, subtract: graph.sub, multiply: graph.mul, divide: graph.div, pow: graph.pow }[op.fn];
        if (!binary) throw new Error(`unsupported operator '${op.fn}'`);
        // mathjs gives binary nodes; n-ary ones (built programmatically) fold left to right, as mathjs evaluates them.
        return args.slice(1).reduce((acc, b) => binary.call(graph, acc, b), args[0]);
      }
      case 'FunctionNode': {
        const f = n as MathJs.FunctionNode;
        const name = f.fn.name;
        const args = f.args.map(rec);
        const [fewest, most] = EXPRESSION_ARITY[name] ?? [1, 1];
        if (args.length < fewest || args.length > most)
          throw new Error(`${name}() takes ${arityText(name)}, found ${args.length} in '${n.toString()}'`);
        if (name === 'log' && args.length === 2) return graph.div(graph.call('log', [args[0]]), graph.call('log', [args[1]]));
        if (name === 'pow') return graph.pow(args[0], args[1]);
        if (name === 'square') return graph.pow(args[0], graph.constant(2));
        if (name === 'cube') return graph.pow(args[0], graph.constant(3));
        if (name === 'nthRoot') return graph.call('nthRoot', [args[0], args[1] ?? graph.constant(2)]);
        return graph.call(name, args);
      }
    }
    throw new Error(`unsupported construct ${n.type}`);
  };
  return rec(node);
}

/** A graph node back as a mathjs tree (for the mathjs evaluator); `select`, `digamma`, `nthRoot` are supplied in its scope. */
function toMathNode(graph: ExpressionGraph, id: number, coordinates: readonly string[]): MathNode {
  const memo = new Map<number, MathNode>();
  const rec = (k: number): MathNode => {
    const hit = memo.get(k);
    if (hit) return hit;
    const n = graph.nodes[k];
    const args = n.args.map(rec);
    const operator = (symbol: string, fn: string) => new (math().OperatorNode)(symbol as '+', fn as 'add', args);
    let out: MathNode;
    switch (n.op) {
      case 'const':
        out = new (math().ConstantNode)(n.value);
        break;
      case 'var':
        out = new (math().SymbolNode)(coordinates[n.value]);
        break;
      case 'add':
        out = operator('+', 'add');
        break;
      case 'sub':
        out = operator('-', 'subtract');
        break;
      case 'mul':
        out = operator('*', 'multiply');
        break;
      case 'div':
        out = operator('/', 'divide');
        break;
      case 'neg':
        out = operator('-', 'unaryMinus');
        break;
      case 'pow':
        out = operator('^', 'pow');
        break;
      default:
        out = new (math().FunctionNode)(new (math().SymbolNode)(helperName(n.op, coordinates)), args);
    }
    memo.set(k, out);
    return out;
  };
  return rec(id);
}

/** Functions the mathjs evaluator takes from its scope (not mathjs's own): our helpers, and nthRoot with NaN instead of a throw. */
const SCOPE_FUNCTIONS: Record<string, (...args: number[]) => number> = { select: SCALAR_FUNCTIONS.select, digamma, nthRoot };

/** The scope name of a helper function: its own name, unless a coordinate has it. */
function helperName(name: string, coordinates: readonly string[]): string {
  if (!(name in SCOPE_FUNCTIONS)) return name;
  let out = `${name}_`;
  while (coordinates.includes(out)) out += '_';
  return out;
}

/** energyAndGradient by mathjs's compiled evaluator, one replica at a time (slow; kept as an independent check of the tape). */
function mathjsEvaluator(energy: MathNode, partials: MathNode[], coordinates: readonly string[]): Potential['energyAndGradient'] {
  const dim = coordinates.length;
  const scope = new Map<string, unknown>();
  for (const [name, f] of Object.entries(SCOPE_FUNCTIONS)) scope.set(helperName(name, coordinates), f);
  const compiled = [energy, ...partials].map((node) => node.compile());
  const value = (k: number): number => {
    try {
      const v = compiled[k].evaluate(scope);
      return typeof v === 'number' ? v : NaN;
    } catch {
      return NaN; // a domain error of mathjs (nthRoot of a negative number, …), as the tape gives NaN
    }
  };
  return (x, count, energyOut, grad) => {
    for (let r = 0; r < count; r++) {
      for (let j = 0; j < dim; j++) scope.set(coordinates[j], x[r * dim + j]);
      energyOut[r] = value(0);
      for (let j = 0; j < dim; j++) grad[r * dim + j] = value(1 + j);
    }
  };
}
