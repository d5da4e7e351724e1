// tsc compiles only TypeScript: copy the SQL migrations next to the compiled storage code.
import fs from 'node:fs';

for (const dialect of fs.readdirSync('src/storage', { withFileTypes: true })) {
  const from = `src/storage/${dialect.name}/migrations`;
  if (dialect.isDirectory() && fs.existsSync(from)) {
    fs.cpSync(from, `dist/storage/${dialect.name}/migrations`, { recursive: true });
  }
}
