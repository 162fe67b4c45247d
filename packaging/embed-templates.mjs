// Embeds templates/ (the fixed shape of every unit berth writes) into src/compile/templates.generated.ts,
// so that the generator reads no file but the definitions at boot. Run by `npm run build` before tsc.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url).pathname;
const names = readdirSync(`${root}templates`).filter((n) => /\.(service|timer|conf)$/.test(n)).sort();
const entries = names.map((n) => `  ${JSON.stringify(n)}: ${JSON.stringify(readFileSync(`${root}templates/${n}`, 'utf8'))},`);
writeFileSync(
  `${root}src/compile/templates.generated.ts`,
  `// Generated from templates/ by packaging/embed-templates.mjs; do not edit.\n` +
    `export const TEMPLATE_TEXTS: Readonly<Record<string, string>> = {\n${entries.join('\n')}\n};\n`,
);
