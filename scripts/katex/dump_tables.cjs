const fs = require('fs');
const path = process.argv[2];
let src = fs.readFileSync(path, 'utf8');
const anchor = '/* harmony default export */ var katex = ({';
if (!src.includes(anchor)) throw new Error('anchor not found');
src = src.replace(anchor, anchor + '\n  __zbTables: () => ({ _functions, _environments, _macros, symbols }),');
const mod = { exports: {} };
new Function("module", "exports", src)(mod, mod.exports);
const k = mod.exports.default || mod.exports;
const t = k.__zbTables();
const fns = {};
for (const [name, d] of Object.entries(t._functions)) fns[name] = { type: d.type, numArgs: d.numArgs, numOptionalArgs: d.numOptionalArgs, argTypes: d.argTypes || null, allowedInText: d.allowedInText, allowedInMath: d.allowedInMath, infix: d.infix, primitive: d.primitive };
const envs = {};
for (const [name, d] of Object.entries(t._environments)) envs[name] = { numArgs: d.numArgs, numOptionalArgs: d.numOptionalArgs || 0 };
const macros = {};
for (const [name, m] of Object.entries(t._macros)) macros[name] = typeof m === 'string' ? m : (typeof m === 'function' ? null : (m.tokens ? null : JSON.stringify(m)));
const unicode = {};       // a character KaTeX reads as a command: α is \alpha
for (const [name, d] of Object.entries(t.symbols.math))
  if (name.startsWith('\\') && d.replace && t.symbols.math[d.replace] === d && !(d.replace in unicode)) unicode[d.replace] = name.slice(1);
const syms = { math: Object.keys(t.symbols.math).filter(n => n.startsWith('\\')), text: Object.keys(t.symbols.text).filter(n => n.startsWith('\\')) };
console.log(JSON.stringify({ version: k.version, functions: fns, environments: envs, macros, symbols: syms, unicode }));
