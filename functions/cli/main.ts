/** `inkoop`: the operators' command-line tool (./program.ts). */
import { createProgram } from './program.ts';

await createProgram().parseAsync(process.argv);
