/**
 * Every value src/index.ts exports (functions, classes, registries) carries a
 * doc comment where it is declared, so the public API is documented in the
 * editor and not only in docs/api.md. The files are parsed, not type-checked
 * (a type-checking program over src/ takes tens of seconds): re-exports are
 * followed to the declaring file by their relative module specifiers.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';

const parsed = new Map<string, ts.SourceFile>();
function parse(file: string): ts.SourceFile {
  let source = parsed.get(file);
  if (!source) parsed.set(file, (source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true)));
  return source;
}

const hasDoc = (node: ts.Node) =>
  ts.getJSDocCommentsAndTags(node).some((d) => ts.isJSDoc(d) && (d.comment !== undefined || (d.tags?.length ?? 0) > 0));
const isExported = (node: ts.Node) =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/**
 * Whether `name`, exported by `file`, is documented where it is declared:
 * true / false, or undefined when the file does not export it.
 */
function documented(file: string, name: string): boolean | undefined {
  const source = parse(file);
  let found: boolean | undefined;
  for (const statement of source.statements) {
    if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name?.text === name && isExported(statement))
      found = (found ?? false) || hasDoc(statement); // overloads: one documented signature suffices
    if (
      ts.isVariableStatement(statement) &&
      isExported(statement) &&
      statement.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === name)
    )
      return hasDoc(statement);
    if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      const target = resolve(dirname(file), statement.moduleSpecifier.text.replace(/\.js$/, '.ts'));
      if (!statement.exportClause) {
        const viaStar = documented(target, name); // export * from …
        if (viaStar !== undefined) return viaStar;
      } else if (ts.isNamedExports(statement.exportClause)) {
        const specifier = statement.exportClause.elements.find((e) => e.name.text === name);
        if (specifier) return documented(target, (specifier.propertyName ?? specifier.name).text);
      }
    }
  }
  return found;
}

describe('src/index.ts', () => {
  it('every exported value has a doc comment where it is declared', () => {
    const names = Object.keys(api);
    expect(names.length).toBeGreaterThan(30);
    const entry = resolve('src/index.ts');
    const status = names.map((name) => [name, documented(entry, name)] as const);
    expect(status.filter(([, doc]) => doc === undefined).map(([name]) => name)).toEqual([]);
    expect(status.filter(([, doc]) => doc === false).map(([name]) => name)).toEqual([]);
  });

  it('the check sees an undocumented export (negative control)', () => {
    const probe = resolve('test/api/fixtures/undocumented.ts');
    expect(documented(probe, 'documentedFunction')).toBe(true);
    expect(documented(probe, 'bareFunction')).toBe(false);
    expect(documented(probe, 'bareConstant')).toBe(false);
  });
});
