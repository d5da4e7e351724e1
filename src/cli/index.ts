// Entry point of the `hookline` command (bin/hookline.js runs the compiled copy of this file).
import { main } from './main.js';

main(process.argv).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
