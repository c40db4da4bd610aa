// An AssemblyScript transform (asconfig "transform"): keeps the SIMD&FP handlers out of line.
// Binaryen inlines every handler into the run loop's dispatch switch; for the few hundred
// SIMD&FP handlers that makes run() so large that V8's optimising compiler allocates the integer
// core's registers worse (spills), while those handlers are rare in integer code. Marking them
// no-inline keeps each a call from its switch case.
import binaryen from 'binaryen';

const OUT_OF_LINE = ['*assembly/exec/simd_*', '*assembly/exec/fp_*'];

export default class Outline {
  afterCompile(module) {
    for (const pattern of OUT_OF_LINE) {
      binaryen.setPassArgument('no-inline', pattern);
      module.runPasses(['no-inline']);
    }
    binaryen.clearPassArguments();
  }
}
