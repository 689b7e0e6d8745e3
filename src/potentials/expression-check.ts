/**
 * What an `expression` potential may contain, without loading mathjs (the
 * scenario loader checks expressions with this; `expression.ts` checks the
 * parsed mathjs tree against the same lists).
 *
 * An expression is data, never code: numbers, the coordinates, the params, a
 * few named constants, the operators + - * / ^ and parentheses, and calls of
 * the pure numeric functions listed in `EXPRESSION_FUNCTIONS`. Everything else
 * of the mathjs language is rejected before anything is evaluated: strings,
 * property access (`a.constructor`), indexing, matrices, objects, ranges,
 * assignments and function definitions (`f(x) = x`), conditionals,
 * comparisons, units, and mathjs's meta functions (`import`, `createUnit`,
 * `evaluate`, `parse`, `compile`, `simplify`, `derivative`, `resolve`,
 * `reviver`, `config`, `chain`, `typed`, …) and impure ones (`random`).
 * See the mathjs "Security" page: those meta functions are the ones it names
 * as the risk of its expression parser.
 */

/**
 * Pure real functions an expression may call. Every one has a derivative rule
 * (expression-graph.ts); at the kinks of abs, max, min and hypot the gradient
 * is a subgradient (sign(0) = 0, ties of max/min give the mean of the tied
 * arguments' derivatives), never NaN.
 */
export const EXPRESSION_FUNCTIONS: ReadonlySet<string> = new Set([
  // powers, roots, exponentials, logarithms
  'sqrt',
  'cbrt',
  'nthRoot',
  'pow',
  'exp',
  'expm1',
  'log',
  'log10',
  'log2',
  'log1p',
  'square',
  'cube',
  // trigonometric and hyperbolic, and their inverses
  'sin',
  'cos',
  'tan',
  'sec',
  'csc',
  'cot',
  'asin',
  'acos',
  'atan',
  'atan2',
  'asec',
  'acsc',
  'acot',
  'sinh',
  'cosh',
  'tanh',
  'sech',
  'csch',
  'coth',
  'asinh',
  'acosh',
  'atanh',
  'asech',
  'acsch',
  'acoth',
  // others
  'abs',
  'sign',
  'gamma',
  'erf',
  'max',
  'min',
  'hypot',
]);

/** How many arguments each function takes, [fewest, most]; a function not listed takes exactly one. */
export const EXPRESSION_ARITY: Readonly<Record<string, readonly [number, number]>> = Object.freeze({
  log: [1, 2],
  nthRoot: [1, 2],
  pow: [2, 2],
  atan2: [2, 2],
  max: [1, Infinity],
  min: [1, Infinity],
  hypot: [1, Infinity],
});

/** The arity of `name` as text: "1 argument", "1 or 2 arguments", "1 argument or more". */
export function arityText(name: string): string {
  const [fewest, most] = EXPRESSION_ARITY[name] ?? [1, 1];
  const plural = (k: number) => `${k} argument${k === 1 ? '' : 's'}`;
  if (most === Infinity) return `${plural(fewest)} or more`;
  return fewest === most ? plural(fewest) : `${fewest} or ${plural(most)}`;
}

/** Named constants an expression may use (substituted by their values). */
export const EXPRESSION_CONSTANTS: Readonly<Record<string, number>> = Object.freeze({
  pi: Math.PI,
  PI: Math.PI,
  e: Math.E,
  E: Math.E,
  tau: 2 * Math.PI,
  phi: (1 + Math.sqrt(5)) / 2,
  LN2: Math.LN2,
  LN10: Math.LN10,
  LOG2E: Math.LOG2E,
  LOG10E: Math.LOG10E,
  SQRT2: Math.SQRT2,
  SQRT1_2: Math.SQRT1_2,
});

/** Operators (mathjs `OperatorNode.fn`) an expression may use. */
export const EXPRESSION_OPERATORS: ReadonlySet<string> = new Set([
  'add',
  'subtract',
  'multiply',
  'divide',
  'pow',
  'unaryMinus',
  'unaryPlus',
]);

/** Longest expression accepted (characters), and deepest parenthesis nesting. */
export const MAX_EXPRESSION_LENGTH = 10000;
export const MAX_EXPRESSION_DEPTH = 64;

const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** Whether `name` is an allowed constant (own key only: `constructor`, `toString`, `__proto__` are not). */
export function isExpressionConstant(name: string): boolean {
  return own(EXPRESSION_CONSTANTS, name);
}

const TOKEN = /\s+|(\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[A-Za-z_][A-Za-z0-9_]*|[-+*/^(),]/y;

/**
 * Problems of an expression found by reading its tokens (no mathjs, no
 * evaluation): characters outside the expression language, unknown symbols,
 * calls of functions not in `EXPRESSION_FUNCTIONS` or with the wrong number of
 * arguments, a missing value (`x^^2`, `max(x,)`, `x +`), unbalanced
 * parentheses, too long or too deeply nested. So the scenario loader reports
 * them at `potential.expression` with the line of the field; mathjs parses
 * the text again when the potential is built.
 */
export function expressionTextProblems(text: string, coordinates: readonly string[], params: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const add = (p: string) => {
    if (!problems.includes(p)) problems.push(p);
  };
  if (text.length > MAX_EXPRESSION_LENGTH) return [`an expression of ${text.length} characters (at most ${MAX_EXPRESSION_LENGTH})`];
  let depth = 0;
  let maxDepth = 0;
  let i = 0;
  // One entry per open parenthesis: the function it calls (or '' for grouping), its commas, whether it is still empty.
  const open: { name: string; commas: number; empty: boolean; at: number; paren: number }[] = [];
  let pendingCall = '';
  let pendingAt = 0;
  // The grammar, as far as mathjs would reject it: a value (number, symbol, call, parenthesis) must follow an
  // operator, '(' or ',' (+ and − may also be signs there); two values in a row are an implicit product.
  const grammar: string[] = [];
  let expectValue = true;
  let lastOperator = '';
  while (i < text.length) {
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(text);
    if (!m) {
      const c = text[i];
      const what =
        c === '"' || c === "'"
          ? 'a string'
          : c === '.'
            ? "property access '.'"
            : c === '='
              ? "an assignment or definition '='"
              : c === '[' || c === ']'
                ? 'indexing or a matrix'
                : c === '{' || c === '}'
                  ? 'an object'
                  : `the character ${JSON.stringify(c)}`;
      add(
        `${what} at character ${i + 1} (only numbers, the coordinates, the params, + - * / ^, parentheses and numeric functions are allowed)`,
      );
      // Skip to the next character that could start a token.
      i++;
      continue;
    }
    const tok = m[0];
    const start = i;
    i = TOKEN.lastIndex;
    if (/^\s/.test(tok)) continue;
    if (open.length > 0 && tok !== ')') open[open.length - 1].empty = false;
    const where = `at character ${start + 1}`;
    if (tok === '+' || tok === '-' || tok === '*' || tok === '/' || tok === '^') {
      if (expectValue && tok !== '+' && tok !== '-')
        grammar.push(`a value expected before '${tok}' ${where}${lastOperator ? ` (after '${lastOperator}')` : ''}`);
      expectValue = true;
      lastOperator = tok;
    } else if (tok === ',') {
      if (expectValue) grammar.push(`a value expected before ',' ${where}`);
      expectValue = true;
      lastOperator = ',';
    } else if (tok === ')') {
      const call = open[open.length - 1];
      if (!call) grammar.push(`a ')' without its '(' ${where}`);
      else if (expectValue && !(call.name !== '' && call.empty)) grammar.push(`a value expected before ')' ${where}`);
      expectValue = false;
      lastOperator = '';
    } else if (tok !== '(') {
      expectValue = false;
      lastOperator = '';
    } else {
      expectValue = true;
      lastOperator = '(';
    }
    if (tok === '(') {
      maxDepth = Math.max(maxDepth, ++depth);
      open.push({ name: pendingCall, commas: 0, empty: true, at: pendingAt, paren: start + 1 });
    } else if (tok === ')') {
      depth--;
      const call = open.pop();
      if (call && call.name !== '' && EXPRESSION_FUNCTIONS.has(call.name)) {
        const count = call.empty ? 0 : call.commas + 1;
        const [fewest, most] = EXPRESSION_ARITY[call.name] ?? [1, 1];
        if (count < fewest || count > most) add(`${call.name}() at character ${call.at} takes ${arityText(call.name)}, found ${count}`);
      }
    } else if (tok === ',') {
      if (open.length > 0) open[open.length - 1].commas++;
      if (open.length === 0 || open[open.length - 1].name === '') add(`a comma outside a function's arguments at character ${start + 1}`);
    }
    pendingCall = '';
    if (/^[A-Za-z_]/.test(tok)) {
      let j = i;
      while (j < text.length && /\s/.test(text[j])) j++;
      const isCall = text[j] === '(';
      if (isCall) {
        pendingCall = tok;
        pendingAt = start + 1;
        if (!EXPRESSION_FUNCTIONS.has(tok)) add(`unknown function '${tok}' (allowed: ${[...EXPRESSION_FUNCTIONS].join(', ')})`);
      } else if (!coordinates.includes(tok) && !own(params, tok) && !isExpressionConstant(tok)) {
        add(
          `unknown symbol '${tok}': it is neither a coordinate (${coordinates.join(', ')}) nor a param (${Object.keys(params).join(', ') || 'none'})`,
        );
      }
    }
  }
  if (maxDepth > MAX_EXPRESSION_DEPTH) add(`parentheses nested ${maxDepth} deep (at most ${MAX_EXPRESSION_DEPTH})`);
  if (expectValue)
    grammar.push(
      text.trim() === ''
        ? 'an empty expression'
        : `the expression ends where a value is expected${lastOperator ? ` (after '${lastOperator}')` : ''}`,
    );
  for (const o of open) grammar.push(`a '(' at character ${o.paren} is not closed`);
  // Grammar problems only when the tokens themselves are fine (an unknown character would make them noise).
  if (problems.length === 0) for (const g of grammar) add(g);
  return problems;
}
