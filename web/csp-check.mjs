// Checks the built page against what Alpine's CSP build can run: every directive's expression must
// parse with that build's own parser (no arrow functions, template literals, `?.`, `??`, `;`...),
// must not name a JavaScript global (the build can't reach `Math`, `Boolean`, `sessionStorage`...),
// and the page must have no inline scripts or `on*=` handlers. Used by build.mjs; fails the build.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// The package ships its parser as an ES module without "type": "module"; load its text as one.
const parserFile = createRequire(import.meta.url).resolve('@alpinejs/csp/src/parser.js');
const { Parser, Tokenizer } = await import(`data:text/javascript,${encodeURIComponent(readFileSync(parserFile, 'utf8'))}`);

const ATTRIBUTE = /\s((?:x-[\w:.-]+)|(?:[:@][\w.:-]+))="([^"]*)"/g;
// Directives whose value is a name or nothing, not an expression.
const NOT_EXPRESSIONS = /^x-(cloak|ref|ignore|transition|teleport|id)\b/;
const EXTRA_GLOBALS = ['window', 'document', 'localStorage', 'sessionStorage', 'location', 'navigator', 'alert', 'confirm'];

function rootIdentifiers(node, found = new Set()) {
  if (!node || typeof node !== 'object') return found;
  if (node.type === 'Identifier') found.add(node.name);
  else if (node.type === 'MemberExpression') {
    rootIdentifiers(node.object, found);
    if (node.computed) rootIdentifiers(node.property, found);
  } else if (node.type === 'Property') {
    if (node.computed) rootIdentifiers(node.key, found);
    rootIdentifiers(node.value, found);
  } else {
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach((child) => rootIdentifiers(child, found));
      else if (value && typeof value === 'object') rootIdentifiers(value, found);
    }
  }
  return found;
}

const decode = (text) =>
  text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

function isGlobal(name) {
  return !name.startsWith('$') && (EXTRA_GLOBALS.includes(name) || (name in globalThis && name !== 'undefined'));
}

/** Problems with the page's Alpine expressions and scripts, one line each (none: an empty list). */
export function checkExpressions(html) {
  const problems = [];
  for (const [, name, raw] of html.matchAll(ATTRIBUTE)) {
    if (NOT_EXPRESSIONS.test(name) || name === 'x-modelable') continue;
    let expression = decode(raw).trim();
    if (name === 'x-for') expression = expression.replace(/^[\s\S]*?\s(?:in|of)\s/, '');
    if (!expression) continue;
    try {
      const ast = new Parser(new Tokenizer(expression).tokenize()).parse();
      const globals = [...rootIdentifiers(ast)].filter(isGlobal);
      if (globals.length) problems.push(`${name}="${raw}": uses ${globals.join(', ')}, out of reach of the CSP build`);
    } catch (error) {
      problems.push(`${name}="${raw}": ${error.message}`);
    }
  }
  for (const [tag] of html.matchAll(/<script\b[^>]*>/g)) {
    if (!/\ssrc=/.test(tag)) problems.push(`inline script: ${tag}`);
  }
  for (const [handler] of html.matchAll(/\son[a-z]+="[^"]*"/g)) problems.push(`inline handler:${handler}`);
  return problems;
}
