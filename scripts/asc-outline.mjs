// An AssemblyScript transform (`asc --transform`): keeps the rarer handlers out of line.
// Binaryen inlines every handler called from one place into the run loop's dispatch switch. With
// the SIMD&FP groups (some 600 encodings) that made run() so large that V8's optimising compiler
// allocated the integer core's registers worse: the integer bench guests lost 35-45% (crc32 130
// -> 80 MIPS). Marking the SIMD&FP, crypto, atomic and system handlers no-inline keeps each a
// call from its switch case and gave the integer speed back (measured with `npm run bench`).
import binaryen from 'binaryen';

const OUT_OF_LINE = ['*assembly/exec/simd_*', '*assembly/exec/fp_*', '*assembly/exec/crypto/*', '*assembly/exec/atomic/*', '*assembly/exec/system/*'];

export default class Outline {
  afterCompile(module) {
    for (const pattern of OUT_OF_LINE) {
      binaryen.setPassArgument('no-inline', pattern);
      module.runPasses(['no-inline']);
    }
    binaryen.clearPassArguments();
  }
}
