'use strict';
// Minimal solc command line over solc-js: the two modes forge uses.
// Sources arrive inline in the standard JSON (forge resolves imports itself), so the
// import callback only has to cover a stray import with a readable error.
const path = require('path');
const fs = require('fs');
const solc = require(path.join(__dirname, '..', 'node_modules', 'solc'));

const args = process.argv.slice(2);
if (args.includes('--version') || args.includes('-v')) {
  // Same shape as native solc, which forge parses for "Version: x.y.z+commit...".
  process.stdout.write('solc, the solidity compiler commandline interface\nVersion: ' + solc.version() + '\n');
  process.exit(0);
}
if (!args.includes('--standard-json')) {
  process.stderr.write('scripts/solc supports only --version and --standard-json (got: ' + args.join(' ') + ')\n');
  process.exit(2);
}

// Let a path-based import still work if forge ever sends one: resolve against --base-path / include paths.
const roots = [process.cwd()];
for (let i = 0; i < args.length; i++) {
  if ((args[i] === '--base-path' || args[i] === '--include-path') && args[i + 1]) roots.push(args[++i]);
}
function findImports(importPath) {
  for (const root of roots) {
    const candidate = path.resolve(root, importPath);
    if (fs.existsSync(candidate)) return { contents: fs.readFileSync(candidate, 'utf8') };
  }
  return { error: 'File not found: ' + importPath + ' (searched ' + roots.join(', ') + ')' };
}

const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const input = Buffer.concat(chunks).toString('utf8');
  process.stdout.write(solc.compile(input, { import: findImports }));
});
